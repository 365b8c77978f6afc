package server

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"carecoord/internal/db"
)

// Faults between the app and PostgreSQL (issue 21): a real TCP proxy in
// the pool's path that can stop forwarding, or cut every connection, while
// the real router answers real browsers.

// proxyMode is what the proxy does with the traffic.
type proxyMode int

const (
	forward proxyMode = iota
	// stall accepts connections and keeps them open but forwards nothing:
	// a database that stops answering.
	stall
	// refuse cuts every connection and each new one at once.
	refuse
)

// faultProxy forwards TCP to target until told otherwise.
type faultProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	mode   proxyMode
	links  map[*link]bool
}

// link is one client connection and its connection to the database.
type link struct {
	client, server net.Conn
	once           sync.Once
}

func (l *link) close() {
	l.once.Do(func() {
		_ = l.client.Close()
		_ = l.server.Close()
	})
}

func newFaultProxy(t *testing.T, target string) *faultProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{ln: ln, target: target, links: map[*link]bool{}}
	go p.accept()
	t.Cleanup(func() {
		_ = ln.Close()
		p.cut()
	})
	return p
}

func (p *faultProxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.serve(c)
	}
}

func (p *faultProxy) serve(c net.Conn) {
	if p.current() == refuse {
		_ = c.Close()
		return
	}
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		_ = c.Close()
		return
	}
	l := &link{client: c, server: s}
	p.mu.Lock()
	p.links[l] = true
	p.mu.Unlock()
	go p.pipe(l, s, c)
	p.pipe(l, c, s)
	p.mu.Lock()
	delete(p.links, l)
	p.mu.Unlock()
}

// pipe copies src to dst until either end closes; while the proxy stalls,
// what src sends is swallowed.
func (p *faultProxy) pipe(l *link, dst, src net.Conn) {
	defer l.close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && p.current() == forward {
			if _, err := dst.Write(buf[:n]); err != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (p *faultProxy) current() proxyMode {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.mode
}

func (p *faultProxy) set(m proxyMode) {
	p.mu.Lock()
	p.mode = m
	p.mu.Unlock()
	if m == refuse {
		p.cut()
	}
}

// cut closes every connection open now.
func (p *faultProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for l := range p.links {
		l.close()
	}
}

// newFaultyApp is the test app whose pool (sessions, users, every page)
// reaches PostgreSQL through a fault proxy, with production's limits.
func newFaultyApp(t *testing.T) (*testApp, *faultProxy) {
	t.Helper()
	var proxy *faultProxy
	app := newTestApp(t, func(o *Options) {
		cfg := o.Pool.Config()
		proxy = newFaultProxy(t, net.JoinHostPort(cfg.ConnConfig.Host, strconv.Itoa(int(cfg.ConnConfig.Port))))
		u, err := url.Parse(cfg.ConnString())
		if err != nil {
			t.Fatal(err)
		}
		u.Host = proxy.ln.Addr().String()
		pool, err := db.OpenLimited(context.Background(), u.String(), db.Limits{
			ConnectTimeout: 2 * time.Second, StatementTimeout: 3 * time.Second,
			LockTimeout: 2 * time.Second, IdleInTransactionTimeout: 10 * time.Second,
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pool.Close)
		o.Pool = pool
		o.RequestTimeout = defaultRequestTimeout
	})
	app.allowServerErrors() // the 503s are what these tests are about
	return app, proxy
}

// staff are the demo users the fault tests keep signed in, each on a page
// that reads the database.
var staff = []struct{ email, page string }{
	{"coord1@northside.test", "/t/northside/worklist"},
	{"coord2@northside.test", "/t/northside/patients"},
	{"supervisor@northside.test", "/t/northside/caseload"},
	{"admin@northside.test", "/t/northside/admin/users"},
}

// timed is one page's answer and how long it took.
type timed struct {
	res  response
	took time.Duration
}

// signInStaff signs every staff member in and checks their page works.
func signInStaff(t *testing.T, app *testApp) []*client {
	t.Helper()
	clients := make([]*client, len(staff))
	for i, s := range staff {
		clients[i] = app.signedIn(s.email)
		if res := clients[i].get(s.page); res.status != http.StatusOK {
			t.Fatalf("%s %s before the fault: status %d", s.email, s.page, res.status)
		}
	}
	return clients
}

// getAll has every staff member ask for their page at once.
func getAll(clients []*client) []timed {
	out := make([]timed, len(clients))
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Go(func() {
			start := time.Now()
			out[i] = timed{c.get(staff[i].page), time.Since(start)}
		})
	}
	wg.Wait()
	return out
}

// mustBeCalm503 checks that a page answered the unavailable page in time.
func mustBeCalm503(t *testing.T, who string, got timed) {
	t.Helper()
	if got.res.status != http.StatusServiceUnavailable || got.took > 5*time.Second {
		t.Errorf("%s: status %d after %s, want 503 within 5s", who, got.res.status, got.took)
	}
	if got.res.header.Get("Retry-After") == "" {
		t.Errorf("%s: the 503 has no Retry-After", who)
	}
	mustContain(t, who, got.res.body, "can&#39;t reach its database just now", "try again in a moment")
	mustNotContain(t, who, got.res.body, "Something went wrong")
}

// waitForRecovery asks for every page until all answer 200 as the same
// signed-in users, and returns how long that took after the fault ended.
func waitForRecovery(t *testing.T, clients []*client, cookies []string) time.Duration {
	t.Helper()
	start := time.Now()
	for i, c := range clients {
		for {
			res := c.get(staff[i].page)
			if res.status == http.StatusOK {
				break
			}
			if res.status != http.StatusServiceUnavailable || time.Since(start) > 10*time.Second {
				t.Fatalf("%s after the fault: status %d (location %q) after %s, want 200", staff[i].email, res.status, res.location(), time.Since(start))
			}
			time.Sleep(50 * time.Millisecond)
		}
		if got := c.sessionCookie(); got != cookies[i] {
			t.Errorf("%s: the session changed during the fault (signed out and in again?)", staff[i].email)
		}
	}
	return time.Since(start)
}

func cookiesOf(clients []*client) []string {
	out := make([]string, len(clients))
	for i, c := range clients {
		out[i] = c.sessionCookie()
	}
	return out
}

func TestFaults_StalledDatabaseAnswers503WithinFiveSecondsAndNobodyIsSignedOut(t *testing.T) {
	t.Parallel()
	app, proxy := newFaultyApp(t)
	clients := signInStaff(t, app)
	cookies := cookiesOf(clients)

	proxy.set(stall)
	var slowest time.Duration
	for i, got := range getAll(clients) {
		mustBeCalm503(t, staff[i].email+" "+staff[i].page+" while stalled", got)
		slowest = max(slowest, got.took)
	}
	proxy.set(forward)
	recovered := waitForRecovery(t, clients, cookies)
	t.Logf("stalled database: slowest 503 after %s; all %d pages 200 again %s after it answered", slowest, len(staff), recovered)
}

func TestFaults_CutConnectionsAnswer503AtOnceAndNobodyIsSignedOut(t *testing.T) {
	t.Parallel()
	app, proxy := newFaultyApp(t)
	clients := signInStaff(t, app)
	cookies := cookiesOf(clients)

	proxy.set(refuse)
	var slowest time.Duration
	for i, got := range getAll(clients) {
		mustBeCalm503(t, staff[i].email+" "+staff[i].page+" while cut off", got)
		slowest = max(slowest, got.took)
	}
	proxy.set(forward)
	recovered := waitForRecovery(t, clients, cookies)
	t.Logf("connections refused: slowest 503 after %s; all pages 200 again %s after the database was reachable", slowest, recovered)
}

func TestFaults_ConnectionsCutEverySecondSignNobodyOut(t *testing.T) {
	t.Parallel()
	app, proxy := newFaultyApp(t)
	clients := signInStaff(t, app)
	cookies := cookiesOf(clients)

	stop := make(chan struct{})
	var cuts sync.WaitGroup
	cuts.Go(func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				proxy.cut()
			}
		}
	})
	statuses := map[int]int{}
	var slowest time.Duration
	for deadline := time.Now().Add(6 * time.Second); time.Now().Before(deadline); {
		for i, got := range getAll(clients) {
			statuses[got.res.status]++
			slowest = max(slowest, got.took)
			if got.res.status != http.StatusOK {
				mustBeCalm503(t, staff[i].email+" while connections are cut", got)
			}
		}
	}
	close(stop)
	cuts.Wait()
	recovered := waitForRecovery(t, clients, cookies)
	t.Logf("connections cut every second for 6s: answers by status %v, slowest %s; all 200 again %s after", statuses, slowest, recovered)
	if strings.Contains(app.logs.String(), `"level":"ERROR"`) {
		t.Errorf("a cut connection was logged as an internal error:\n%s", app.logs.String())
	}
}
