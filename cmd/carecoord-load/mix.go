package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"carecoord/internal/calendar"
)

// The realistic mix: what coordinators and supervisors do in a day, by
// weight out of 100. Reads and writes are both timed; a write answers 303.
var mix = []page{
	{name: "worklist", weight: 18, read: true, build: func(l *load, u *user, _ int) (*http.Request, error) {
		return l.get("/worklist")
	}},
	{name: "chart", weight: 18, read: true, build: func(l *load, u *user, i int) (*http.Request, error) {
		return l.getPath(pick(u.charts, i))
	}},
	{name: "patient search", weight: 10, read: true, build: func(l *load, u *user, i int) (*http.Request, error) {
		return l.get("/patients?coordinator=all&q=" + url.QueryEscape(pick(u.names, i)))
	}},
	{name: "assessment result", weight: 7, read: true, build: func(l *load, u *user, i int) (*http.Request, error) {
		return l.getPath(pick(u.assessments, i))
	}},
	{name: "care plan", weight: 7, read: true, build: func(l *load, u *user, i int) (*http.Request, error) {
		return l.getPath(pick(u.plans, i))
	}},
	{name: "resource search", weight: 5, read: true, build: func(l *load, u *user, i int) (*http.Request, error) {
		return l.get("/resources?q=" + pick(resourceTerms, i))
	}},
	{name: "caseload dashboard", weight: 5, read: true, supervisor: true, build: func(l *load, u *user, _ int) (*http.Request, error) {
		return l.get("/caseload")
	}},
	{name: "caseload list", weight: 6, read: true, supervisor: true, build: func(l *load, u *user, i int) (*http.Request, error) {
		return l.getPath(pick(u.lists, i))
	}},
	{name: "measures", weight: 2, read: true, supervisor: true, build: func(l *load, u *user, _ int) (*http.Request, error) {
		return l.get("/caseload/measures")
	}},
	{name: "intake", weight: 4, build: func(l *load, u *user, _ int) (*http.Request, error) {
		v := cloneValues(l.intake.values)
		n := l.intakes.Add(1)
		v.Set("given_name", "Load"+letters(l.nonce)+letters(n))
		v.Set("family_name", "Benchmark")
		v.Set("date_of_birth", "1951-04-17")
		v.Set("phone", "555-0100")
		v.Set("confirmed_new", "yes")
		return post(l.base+l.intake.action, v)
	}},
	{name: "contact", weight: 10, build: func(l *load, u *user, i int) (*http.Request, error) {
		f := pickForm(u.contacts, i)
		v := cloneValues(f.values)
		v.Set("outcome", "reached")
		v.Set("minutes", "10")
		v.Set("summary", "Checked in by phone; no new concerns.")
		// A follow-up due today: the worklists keep open tasks for the
		// task completions to take.
		v.Set("follow_up_title", "Call back about the plan")
		v.Set("follow_up_due", time.Now().Format(calendar.DateLayout))
		return post(l.base+f.action, v)
	}},
	{name: "task completion", weight: 8, who: withTasks, build: func(l *load, u *user, _ int) (*http.Request, error) {
		f, err := l.nextTask(u)
		if err != nil {
			return nil, err
		}
		f.values.Set("note", "Done.")
		return post(l.base+f.action, f.values)
	}},
}

var resourceTerms = []string{"food", "housing", "transport", "pharmacy", "meals", "dental", "clinic", "legal"}

type page struct {
	name       string
	weight     int
	read       bool // a GET answered 200, compared with the yardstick
	supervisor bool // a supervisor's page; the rest are coordinators'
	build      func(l *load, u *user, i int) (*http.Request, error)
	// who picks the user of arrival i when not everyone can make it.
	who func(l *load, i int) *user
}

// withTasks is a coordinator with an open task left, taking turns; nil
// when no one has one.
func withTasks(l *load, i int) *user {
	for k := range l.coords {
		u := l.coords[(i+k)%len(l.coords)]
		u.mu.Lock()
		left := !u.outOfTasks
		u.mu.Unlock()
		if left {
			return u
		}
	}
	return nil
}

// form is a form as a page offered it: where it posts and what it holds.
type form struct {
	action string
	values url.Values
}

// user is one signed-in person with what their pages link to.
type user struct {
	email       string
	client      *http.Client
	charts      []string
	assessments []string
	plans       []string
	names       []string
	contacts    []form
	lists       []string
	mu          sync.Mutex
	tasks       []form
	seenTasks   map[string]bool
	outOfTasks  bool
}

// load is one tenant's mix against one server.
type load struct {
	base, tenant string
	coords       []*user
	supers       []*user
	intake       form
	intakes      atomic.Int64
	nonce        int64
	transport    *http.Transport
	pages        []page // the mix, or the part of it run alone (-only)

	mu      sync.Mutex
	sampled map[string][]string // per read page, URLs served 200, for the yardstick
}

func (l *load) t() string { return "/t/" + l.tenant }

func (l *load) get(path string) (*http.Request, error) { return l.getPath(l.t() + path) }

func (l *load) getPath(path string) (*http.Request, error) {
	if path == "" {
		return nil, errors.New("nothing to request: no such link was found while preparing")
	}
	return http.NewRequest(http.MethodGet, l.base+path, nil)
}

func post(u string, v url.Values) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(v.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return req, nil
}

func pick(xs []string, i int) string {
	if len(xs) == 0 {
		return ""
	}
	return xs[i%len(xs)]
}

func pickForm(fs []form, i int) form {
	if len(fs) == 0 {
		return form{}
	}
	return fs[i%len(fs)]
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// letters spells n in a..z, for names that pass a name's validation.
func letters(n int64) string {
	s := ""
	for {
		s = string(rune('a'+n%26)) + s
		if n /= 26; n == 0 {
			return s
		}
	}
}

// choose is the page arrival i requests: a weighted draw among pages, the
// same for the same seed so runs compare.
func choose(r *rand.Rand, pages []page) *page {
	total := 0
	for _, p := range pages {
		total += p.weight
	}
	n := r.IntN(total)
	for i := range pages {
		if n -= pages[i].weight; n < 0 {
			return &pages[i]
		}
	}
	return &pages[len(pages)-1]
}

// mixOf is the part of the mix named in only (page names as the report
// prints them), or the whole mix when only is empty: -only "patient search"
// runs the search alone at the rate given.
func mixOf(only []string) ([]page, error) {
	if len(only) == 0 {
		return mix, nil
	}
	var pages []page
	for _, name := range only {
		i := slices.IndexFunc(mix, func(p page) bool { return p.name == name })
		if i < 0 {
			return nil, fmt.Errorf("-only: %q is not a page of the mix (%s)", name, strings.Join(pageNames(), ", "))
		}
		pages = append(pages, mix[i])
	}
	return pages, nil
}

// do sends one arrival and says whether it got the answer its kind expects.
func (l *load) do(ctx context.Context, p *page, i int, c clock, due time.Time, t *tally) {
	users := l.coords
	if p.supervisor {
		users = l.supers
	}
	u := users[i%len(users)]
	var req *http.Request
	var err error
	for try := 0; ; try++ {
		if p.who != nil {
			if u = p.who(l, i+try); u == nil {
				t.skip(p.name) // nobody has a task left: not the server's failure
				return
			}
		}
		if req, err = p.build(l, u, i/len(users)); !errors.Is(err, errNoTask) {
			break
		}
	}
	if err != nil {
		t.add(p.name, since(c, due), err)
		return
	}
	err = send(ctx, u.client, req, p.read)
	t.add(p.name, since(c, due), err)
	if err == nil && p.read {
		l.sample(p.name, req.URL.RequestURI())
	}
}

// send makes the request and checks its status: 200 for a read, a 303
// redirect for a write (a form shown again means it was refused).
func send(ctx context.Context, c *http.Client, req *http.Request, read bool) error {
	res, err := c.Do(req.WithContext(ctx))
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	want := http.StatusSeeOther
	if read {
		want = http.StatusOK
	}
	if res.StatusCode != want {
		if loc := res.Header.Get("Location"); read && strings.HasPrefix(loc, "/login") {
			return fmt.Errorf("%s %s: signed out by the server (303 to %s)", req.Method, req.URL.Path, loc)
		}
		return fmt.Errorf("%s %s: status %d", req.Method, req.URL.Path, res.StatusCode)
	}
	return nil
}

func (l *load) sample(page, uri string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.sampled[page]) < 8 && !contains(l.sampled[page], uri) {
		l.sampled[page] = append(l.sampled[page], uri)
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// client is a browser-like client that shows redirects instead of
// following them, sharing one keep-alive pool with the others.
func (l *load) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Transport: l.transport, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// signIn signs a new client in as email.
func (l *load) signIn(email, password string) (*user, error) {
	u := &user{email: email, client: l.client(), seenTasks: map[string]bool{}}
	req, _ := post(l.base+"/login", url.Values{"email": {email}, "password": {password}})
	res, err := u.client.Do(req)
	if err != nil {
		return nil, err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("sign-in as %s: status %d", email, res.StatusCode)
	}
	if _, err := l.page(u, l.t()+"/"); err != nil {
		return nil, fmt.Errorf("signed in as %s but: %w", email, err)
	}
	return u, nil
}

// page reads a page for preparation (untimed).
func (l *load) page(u *user, path string) (string, error) {
	res, err := u.client.Get(l.base + path)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return "", err
	}
	if res.StatusCode == http.StatusSeeOther {
		return l.page(u, res.Header.Get("Location"))
	}
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: status %d", path, res.StatusCode)
	}
	return string(b), nil
}

var uuid = `[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`

// prepareCoordinator reads the coordinator's worklist and a few charts for
// the links and forms the mix needs.
func (l *load) prepareCoordinator(u *user) error {
	wl, err := l.page(u, l.t()+"/worklist")
	if err != nil {
		return err
	}
	chartRe := regexp.MustCompile(`"` + regexp.QuoteMeta(l.t()) + `/patients/` + uuid + `"`)
	for _, c := range links(wl, chartRe) {
		u.charts = append(u.charts, strings.Trim(c, `"`))
	}
	nameRe := regexp.MustCompile(`/patients/` + uuid + `">[^<\s]+ ([^<\s]+)`)
	for _, m := range nameRe.FindAllStringSubmatch(wl, 20) {
		u.names = append(u.names, m[1])
	}
	if len(u.charts) == 0 || len(u.names) == 0 {
		return fmt.Errorf("%s's worklist links to no patient", u.email)
	}
	u.charts = u.charts[:min(len(u.charts), 6)]
	assessRe := regexp.MustCompile(regexp.QuoteMeta(l.t()) + `/patients/` + uuid + `/assessments/` + uuid)
	planRe := regexp.MustCompile(regexp.QuoteMeta(l.t()) + `/patients/` + uuid + `/care-plans/` + uuid + `"`)
	for _, c := range u.charts {
		chart, err := l.page(u, c)
		if err != nil {
			return err
		}
		u.assessments = append(u.assessments, links(chart, assessRe)...)
		for _, p := range links(chart, planRe) {
			u.plans = append(u.plans, strings.TrimSuffix(p, `"`))
		}
		cf, err := l.page(u, c+"/contacts/new")
		if err != nil {
			return err
		}
		action, v, err := readForm(cf, "/contacts")
		if err != nil {
			return err
		}
		u.contacts = append(u.contacts, form{action, v})
	}
	return l.refillTasks(u)
}

// refillTasks reads open tasks from the worklist and each one's completion
// form; a task is completed once, so a coordinator whose supply runs out
// reads the worklist again.
func (l *load) refillTasks(u *user) error {
	wl, err := l.page(u, l.t()+"/worklist")
	if err != nil {
		return err
	}
	taskRe := regexp.MustCompile(regexp.QuoteMeta(l.t()) + `/patients/` + uuid + `/tasks/` + uuid)
	for _, t := range links(wl, taskRe) {
		if len(u.tasks) >= 8 {
			break
		}
		if u.seenTasks[t] {
			continue
		}
		u.seenTasks[t] = true
		tp, err := l.page(u, t)
		if err != nil {
			return err
		}
		action, v, err := readForm(tp, "/complete")
		if err != nil {
			return err
		}
		u.tasks = append(u.tasks, form{action, v})
	}
	u.outOfTasks = len(u.tasks) == 0
	return nil
}

// errNoTask: the coordinator's worklist has no open task left to complete.
var errNoTask = errors.New("no open task left")

func (l *load) nextTask(u *user) (form, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.tasks) == 0 {
		if err := l.refillTasks(u); err != nil {
			return form{}, err
		}
	}
	if len(u.tasks) == 0 {
		return form{}, errNoTask
	}
	f := u.tasks[0]
	u.tasks = u.tasks[1:]
	return f, nil
}

// prepareSupervisor reads the caseload dashboard's patient-list links.
func (l *load) prepareSupervisor(u *user) error {
	d, err := l.page(u, l.t()+"/caseload")
	if err != nil {
		return err
	}
	listRe := regexp.MustCompile(regexp.QuoteMeta(l.t()) + `/caseload/patients\?[^"]+`)
	u.lists = links(d, listRe)
	if len(u.lists) == 0 {
		return fmt.Errorf("%s's caseload dashboard links to no patient list", u.email)
	}
	return nil
}

// prepare signs everyone in and reads what the mix links to.
func (l *load) prepare(coordinators, supervisors int, password string) error {
	intakeUser, err := l.signIn("coord1@"+l.tenant+".test", password)
	if err != nil {
		return err
	}
	intakePage, err := l.page(intakeUser, l.t()+"/patients/new")
	if err != nil {
		return err
	}
	if l.intake.action, l.intake.values, err = readForm(intakePage, l.t()+"/patients"); err != nil {
		return err
	}
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	add := func(email string, supervisor bool) {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			u, err := l.signIn(email, password)
			if err == nil && supervisor {
				err = l.prepareSupervisor(u)
			} else if err == nil {
				err = l.prepareCoordinator(u)
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", email, err))
			} else if supervisor {
				l.supers = append(l.supers, u)
			} else {
				l.coords = append(l.coords, u)
			}
		})
	}
	for i := 1; i <= coordinators; i++ {
		add(fmt.Sprintf("coord%d@%s.test", i, l.tenant), false)
	}
	for range supervisors {
		add("supervisor@"+l.tenant+".test", true)
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	// The same order every run, and every coordinator some assessment and
	// care plan to open (a coordinator may open any chart of the tenant).
	slices.SortFunc(l.coords, func(a, b *user) int { return strings.Compare(a.email, b.email) })
	if err := share(l.coords, "an assessment", func(u *user) *[]string { return &u.assessments }); err != nil {
		return err
	}
	if err := share(l.coords, "a care plan", func(u *user) *[]string { return &u.plans }); err != nil {
		// No plan anywhere yet (the scale seed makes none): the care plan
		// page of a patient without one, where a plan is started.
		for _, u := range l.coords {
			for _, c := range u.charts {
				u.plans = append(u.plans, c+"/care-plan")
			}
		}
	}
	return nil
}

// share gives the coordinators who found none of a kind of link everyone
// else's.
func share(users []*user, what string, field func(*user) *[]string) error {
	var all []string
	for _, u := range users {
		all = append(all, *field(u)...)
	}
	if len(all) == 0 {
		return fmt.Errorf("no chart read while preparing links to %s", what)
	}
	for _, u := range users {
		if len(*field(u)) == 0 {
			*field(u) = all
		}
	}
	return nil
}
