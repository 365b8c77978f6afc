package server

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"carecoord/internal/demo"
)

func TestCrossOrigin_UnsafeRequestsFromAnotherSiteAreRefused(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	creds := url.Values{"email": {"coord1@northside.test"}, "password": {demo.Password}}
	tests := []struct {
		name    string
		headers []string
	}{
		{"fetch metadata says cross-site", []string{"Sec-Fetch-Site", "cross-site"}},
		{"origin of another site", []string{"Sec-Fetch-Site", "", "Origin", "https://evil.example"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := app.client()
			res := c.post("/login", creds, tt.headers...)
			if res.status != http.StatusForbidden {
				t.Fatalf("cross-origin sign-in: status %d, want 403", res.status)
			}
			mustContain(t, "refusal page", res.body, "came from another site")
			if c.sessionCookie() != "" {
				t.Error("a refused request started a session")
			}
			signed := app.signedIn("coord1@northside.test")
			if res := signed.post("/logout", nil, tt.headers...); res.status != http.StatusForbidden {
				t.Errorf("cross-origin sign-out: status %d, want 403", res.status)
			}
			if res := signed.get("/t/northside/worklist"); res.status != http.StatusOK {
				t.Errorf("after a refused cross-origin sign-out the session no longer works: %d", res.status)
			}
		})
	}
}

func TestSecurityHeaders_AreOnEveryResponse(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn("coord1@northside.test")
	for _, path := range []string{"/login", "/t/northside/worklist", "/no-such-page", "/static/app.css"} {
		res := c.get(path)
		csp := res.header.Get("Content-Security-Policy")
		mustContain(t, path+" CSP", csp, "script-src 'self'", "frame-ancestors 'none'", "default-src 'self'")
		mustNotContain(t, path+" CSP", csp, "unsafe-inline")
		if res.header.Get("X-Content-Type-Options") != "nosniff" || res.header.Get("Referrer-Policy") == "" {
			t.Errorf("%s: headers %v", path, res.header)
		}
	}
}

func TestSecurityHeaders_HSTSOnlyWithSecureCookies(t *testing.T) {
	t.Parallel()
	const want = "max-age=63072000; includeSubDomains"
	secure := newTestApp(t, func(o *Options) { o.SecureCookies = true })
	for _, path := range []string{"/login", "/static/app.css", "/no-such-page"} {
		if got := secure.client().get(path).header.Get("Strict-Transport-Security"); got != want {
			t.Errorf("secure cookies, %s: Strict-Transport-Security = %q, want %q", path, got, want)
		}
	}
	plain := newTestApp(t)
	if got := plain.client().get("/login").header.Get("Strict-Transport-Security"); got != "" {
		t.Errorf("without secure cookies (plain HTTP) Strict-Transport-Security = %q, want none", got)
	}
}

func TestStatic_DirectoriesAreNotListed(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.client()
	for _, path := range []string{"/static/", "/static", "/static/./", "/static/nothing/"} {
		res := c.get(path)
		if res.status != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, res.status)
		}
		mustNotContain(t, path, res.body, `href="app.css"`, `href="favicon.svg"`) // a listing links each file by its bare name
	}
	if res := c.get("/static/app.css"); res.status != http.StatusOK {
		t.Errorf("GET /static/app.css: status %d, want 200", res.status)
	}
}

func TestPages_HaveNoInlineScript(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	for _, email := range []string{"coord1@northside.test", "admin@northside.test", "platform@demo.test"} {
		page := followToPage(t, app.signedIn(email), "/")
		mustNotContain(t, page.path, page.body, "<script", " onclick=", " style=")
	}
}

func TestBodyLimit_OversizedFormIsRefused(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	big := url.Values{"email": {"a@b.c"}, "password": {strings.Repeat("x", maxBodyBytes+1)}}
	res := app.client().post("/login", big)
	if res.status != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d, want 413", res.status)
	}
	if n := app.queryInt("select count(*) from auth_events"); n != 0 {
		t.Errorf("an oversized sign-in was processed: %d events", n)
	}
}

func TestRecoverPanics_ShowsThe500PageAndLogsTheStack(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	// The 500 is what this test is about: without the opt-in, the test
	// apps' wrapper fails any test that sees one.
	app.allowServerErrors()
	h := app.failOnServerErrors(app.server.recoverPanics(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("kaboom") })))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", rec.Code)
	}
	mustContain(t, "500 page", rec.Body.String(), "Something went wrong")
	mustNotContain(t, "500 page", rec.Body.String(), "kaboom")
	mustContain(t, "log", app.logs.String(), "kaboom", "goroutine")
}

func TestLogs_CarryRequestIDsAndNoQueryStrings(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn("coord1@northside.test")
	c.get("/t/northside/worklist?q=Jane+Doe+1984")
	logs := app.logs.String()
	mustContain(t, "log", logs, `"path":"/t/northside/worklist"`, `"request_id":"`)
	mustNotContain(t, "log", logs, "Jane", "demo-password", "coord1@northside.test")
}

func TestHealth_ProbesAnswer(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.client()
	if res := c.get("/healthz"); res.status != http.StatusOK {
		t.Errorf("/healthz: %d", res.status)
	}
	if res := c.get("/readyz"); res.status != http.StatusOK {
		t.Errorf("/readyz: %d", res.status)
	}
	app.allowServerErrors() // the probe's 503 is its answer
	app.db.Pool.Close()
	app.allowServerErrors() // the 503 of a lost database is the point
	if res := c.get("/readyz"); res.status != http.StatusServiceUnavailable {
		t.Errorf("/readyz without a database: %d, want 503", res.status)
	}
}

func TestSessions_ExpiredOnesAreSweptAway(t *testing.T) {
	t.Parallel()
	app := newTestApp(t, func(o *Options) { o.SessionCleanup = 20 * time.Millisecond })
	live := app.signedIn("coord1@northside.test")
	if _, err := app.db.Pool.Exec(t.Context(), "insert into sessions (token, data, expiry) values ('old', '\\x00', now() - interval '1 minute')"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for app.queryInt("select count(*) from sessions where token = 'old'") > 0 {
		if time.Now().After(deadline) {
			t.Fatal("the expired session was never deleted")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if res := live.get("/t/northside/worklist"); res.status != http.StatusOK {
		t.Errorf("the sweep ended a live session: %d", res.status)
	}
}
