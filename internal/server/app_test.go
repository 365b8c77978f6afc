package server

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"carecoord/internal/db"
	"carecoord/internal/db/dbtest"
	"carecoord/internal/demo"
	"carecoord/internal/schedule"

	"github.com/go-chi/chi/v5/middleware"
	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) {
	dbtest.Main(m, dbtest.Seed{Name: "demo", Load: demo.Load})
}

// testApp is the real router and middleware on a loopback server, over a
// private copy of the demo database.
type testApp struct {
	t      *testing.T
	db     dbtest.DB
	server *Server
	http   *httptest.Server
	logs   *syncBuffer
	mfa    *authenticators
	// serverErrors: a 5xx answer is what the test expects (see
	// allowServerErrors); otherwise any 5xx fails the test.
	serverErrors atomic.Bool
}

// allowServerErrors lets the test's requests answer 5xx without failing
// it: for tests of what a visitor sees when something breaks (a database
// that does not answer, a panic). Every other test fails on any 5xx.
func (a *testApp) allowServerErrors() { a.serverErrors.Store(true) }

// failOnServerErrors fails the test for any 5xx answer of h, unless the
// test allowed them: a 5xx is never an acceptable answer to what a
// visitor sent.
func (a *testApp) failOnServerErrors(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		h.ServeHTTP(ww, r)
		if ww.Status() >= 500 && !a.serverErrors.Load() {
			a.t.Errorf("%s %s answered %d (a test expecting it calls app.allowServerErrors())", r.Method, r.URL.Path, ww.Status())
		}
	})
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newTestApp(t *testing.T, opts ...func(*Options)) *testApp {
	t.Helper()
	d := dbtest.New(t, "demo")
	logs := &syncBuffer{}
	// A page's deadline is production's business and the fault tests'
	// (they set it back); on a test machine busy with parallel tests a
	// sign-in can take longer than production's few seconds.
	o := Options{Pool: d.Pool, Log: slog.New(slog.NewJSONHandler(logs, nil)), RequestTimeout: time.Minute, MFAKey: testMFAKey}
	for _, f := range opts {
		f(&o)
	}
	s := New(o)
	app := &testApp{t: t, db: d, server: s, logs: logs}
	app.http = httptest.NewServer(app.failOnServerErrors(s.Handler()))
	t.Cleanup(func() {
		app.http.Close()
		s.Close()
	})
	app.mfa = &authenticators{secrets: map[string]string{}, steps: map[string]int64{}}
	return app
}

// runScheduledJobs runs every job of the background scheduler once, as a
// running server's scheduler would after time passed: tasks time has made
// due are raised by it, never by a page.
func (a *testApp) runScheduledJobs() {
	a.t.Helper()
	s := schedule.New(a.db.Pool, slog.New(slog.NewTextHandler(io.Discard, nil)), a.server.now, schedule.Jobs())
	if _, err := s.RunAll(context.Background()); err != nil {
		a.t.Fatal(err)
	}
}

// client is one browser: its own cookies, redirects not followed so that
// tests see each response as it is.
type client struct {
	app *testApp
	c   *http.Client
}

func (a *testApp) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{app: a, c: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// response is what a test inspects: status, headers, body text.
type response struct {
	status int
	header http.Header
	body   string
}

func (r response) location() string { return r.header.Get("Location") }

func (c *client) do(req *http.Request) response {
	c.app.t.Helper()
	res, err := c.c.Do(req)
	if err != nil {
		c.app.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: string(b)}
}

func (c *client) get(path string) response {
	c.app.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.app.http.URL+path, nil)
	return c.do(req)
}

// post sends a form the way a browser does from one of our own pages.
func (c *client) post(path string, form url.Values, headers ...string) response {
	c.app.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.app.http.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", c.app.http.URL)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return c.do(req)
}

// signIn signs in through the real sign-in form and fails the test if that
// does not work. When the account has a second step it is taken as a
// person would: setting up the authenticator app (the platform admin's
// first sign-in) or entering its code.
func (c *client) signIn(email string) {
	c.app.t.Helper()
	res := c.post("/login", url.Values{"email": {email}, "password": {demo.Password}})
	if res.status != http.StatusSeeOther {
		c.app.t.Fatalf("sign in as %s: status %d\n%s", email, res.status, res.body)
	}
	switch res.location() {
	case "/login/enrol":
		c.enrol(email, "/login/enrol")
	case "/login/code":
		res = c.post("/login/code", url.Values{"code": {c.app.mfa.code(c.app, email)}})
		if res.status != http.StatusSeeOther {
			c.app.t.Fatalf("code of %s: status %d\n%s", email, res.status, res.body)
		}
	}
}

// signedIn returns a new browser signed in as email.
func (a *testApp) signedIn(email string) *client {
	a.t.Helper()
	c := a.client()
	c.signIn(email)
	return c
}

func (c *client) sessionCookie() string {
	u, _ := url.Parse(c.app.http.URL)
	for _, ck := range c.c.Jar.Cookies(u) {
		if ck.Name == "carecoord_session" {
			return ck.Value
		}
	}
	return ""
}

// query runs one SQL statement as the app role, outside any tenant.
func (a *testApp) queryInt(sql string, args ...any) int {
	a.t.Helper()
	var n int
	if err := a.db.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		a.t.Fatal(err)
	}
	return n
}

func mustContain(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s does not contain %q", what, w)
		}
	}
}

func mustNotContain(t *testing.T, what, body string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(body, w) {
			t.Errorf("%s contains %q", what, w)
		}
	}
}

// tenantID looks up a demo tenant's id by slug.
func (a *testApp) tenantID(slug string) string {
	a.t.Helper()
	var id string
	if err := a.db.Pool.QueryRow(context.Background(), "select id from tenants where slug = $1", slug).Scan(&id); err != nil {
		a.t.Fatal(err)
	}
	return id
}

// scanInTenant runs one query inside tenant slug's transaction, as the app
// role and so under row-level security, and scans its single row into dest.
func (a *testApp) scanInTenant(slug, sql string, args []any, dest ...any) error {
	return db.InTenant(context.Background(), a.db.Pool, a.tenantID(slug), func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), sql, args...).Scan(dest...)
	})
}
