package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"carecoord/internal/auth"
	"carecoord/internal/demo"
)

func TestSignIn_EachRoleLandsOnItsStartPageWithItsNavigation(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	tests := []struct {
		email   string
		start   string
		nav     []string
		notNav  []string
		heading string
	}{
		{"coord1@northside.test", "/t/northside/worklist", []string{`href="/t/northside/worklist"`}, []string{"/admin/users", "/platform/"}, "Good to see you, Maya"},
		{"supervisor@northside.test", "/t/northside/worklist", []string{`href="/t/northside/worklist"`}, []string{"/admin/users", "/platform/"}, "Good to see you, Grace"},
		{"admin@northside.test", "/t/northside/admin/users", []string{`href="/t/northside/admin/users"`}, []string{"/worklist", "/platform/"}, "Users"},
		{"platform@demo.test", "/platform/tenants", []string{`href="/platform/tenants"`}, []string{"/t/northside/"}, "Organisations"},
	}
	for _, tt := range tests {
		t.Run(tt.email, func(t *testing.T) {
			t.Parallel()
			c := app.signedIn(tt.email)
			page := followToPage(t, c, "/")
			if page.path != tt.start {
				t.Fatalf("start page = %s, want %s", page.path, tt.start)
			}
			mustContain(t, "start page", page.body, tt.nav...)
			mustContain(t, "start page", page.body, "<h1>"+tt.heading)
			mustNotContain(t, "navigation", page.body, tt.notNav...)
		})
	}
}

type landed struct {
	path string
	body string
}

// followToPage follows redirects from path to the page they end on.
func followToPage(t *testing.T, c *client, path string) landed {
	t.Helper()
	for range 5 {
		res := c.get(path)
		switch res.status {
		case http.StatusOK:
			return landed{path: path, body: res.body}
		case http.StatusSeeOther, http.StatusFound:
			path = res.location()
		default:
			t.Fatalf("GET %s: status %d", path, res.status)
		}
	}
	t.Fatalf("too many redirects, last %s", path)
	return landed{}
}

func TestSignIn_WrongPasswordAndUnknownEmailGetTheSameAnswer(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.client()
	wrong := c.post("/login", url.Values{"email": {"coord1@northside.test"}, "password": {"not-it"}})
	unknown := c.post("/login", url.Values{"email": {"nobody@northside.test"}, "password": {"not-it"}})
	if wrong.status != http.StatusUnprocessableEntity || unknown.status != wrong.status {
		t.Fatalf("statuses %d and %d, want both 422", wrong.status, unknown.status)
	}
	msg := "That email and password don&#39;t match an account."
	mustContain(t, "wrong password page", wrong.body, msg, `value="coord1@northside.test"`)
	mustContain(t, "unknown email page", unknown.body, msg, `value="nobody@northside.test"`)
	if c.sessionCookie() != "" && app.queryInt("select count(*) from sessions") > 0 {
		t.Error("a failed sign-in stored a session")
	}
	if n := app.queryInt("select count(*) from auth_events where action = 'sign_in_failed'"); n != 2 {
		t.Errorf("failed sign-ins recorded = %d, want 2", n)
	}
}

func TestSignIn_EmptyFieldsAreMarkedAndTypedEmailIsKept(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	res := app.client().post("/login", url.Values{"email": {"coord1@northside.test"}, "password": {""}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", res.status)
	}
	mustContain(t, "sign-in page", res.body, `data-testid="error-password"`, "Enter your password.", `value="coord1@northside.test"`)
	mustNotContain(t, "sign-in page", res.body, `data-testid="error-email"`)
}

func TestSignIn_FiveFailuresLockTheAccountAndAreAudited(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.client()
	for range auth.MaxFailedSignIns {
		c.post("/login", url.Values{"email": {"coord2@northside.test"}, "password": {"guess"}})
	}
	res := c.post("/login", url.Values{"email": {"coord2@northside.test"}, "password": {demo.Password}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("right password on a locked account: status %d, want 422", res.status)
	}
	mustContain(t, "sign-in page", res.body, "locked for 15 minutes")
	if got := c.get("/t/northside/worklist"); got.status != http.StatusSeeOther || !strings.HasPrefix(got.location(), "/login") {
		t.Errorf("locked account reached the worklist: %d %s", got.status, got.location())
	}
	if n := app.queryInt("select count(*) from auth_events where email = 'coord2@northside.test' and action = 'sign_in_locked'"); n != 2 {
		t.Errorf("locked attempts recorded = %d, want 2 (the fifth failure and the attempt after it)", n)
	}
	// Other accounts are not affected.
	app.signedIn("coord1@northside.test")
}

func TestSignIn_SuccessIsAuditedAndRenewsTheSessionToken(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.client()
	// A token fixed before sign-in, as an attacker would plant it.
	u, _ := url.Parse(app.http.URL)
	c.c.Jar.SetCookies(u, []*http.Cookie{{Name: "carecoord_session", Value: "planted-token-0123456789abcdefghijklmnopq"}})
	before := c.sessionCookie()
	c.signIn("coord1@northside.test")
	after := c.sessionCookie()
	if after == "" || after == before {
		t.Errorf("session token not renewed at sign-in: before %q after %q", before, after)
	}
	if n := app.queryInt("select count(*) from auth_events e join users u on u.id = e.user_id where u.email = 'coord1@northside.test' and e.action = 'sign_in'"); n != 1 {
		t.Errorf("successful sign-ins recorded = %d, want 1", n)
	}
}

func TestSignIn_GoesBackToThePageThatAskedForIt(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.client()
	res := c.get("/t/northside/worklist")
	if res.status != http.StatusSeeOther || res.location() != "/login?next=/t/northside/worklist" {
		t.Fatalf("signed-out request: %d %s", res.status, res.location())
	}
	login := c.get(res.location())
	mustContain(t, "sign-in page", login.body, `name="next" value="/t/northside/worklist"`)
	res = c.post("/login", url.Values{"email": {"coord1@northside.test"}, "password": {demo.Password}, "next": {"/t/northside/worklist"}})
	if res.location() != "/t/northside/worklist" {
		t.Errorf("after sign-in went to %q", res.location())
	}
}

func TestSignIn_NextCannotLeaveTheSite(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	for _, next := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example", "evil", "/\t/evil.example/x"} {
		res := app.client().post("/login", url.Values{"email": {"coord1@northside.test"}, "password": {demo.Password}, "next": {next}})
		if res.location() != "/" {
			t.Errorf("next=%q: redirected to %q, want /", next, res.location())
		}
	}
	// Signed in, the sign-in page sends people on at once.
	c := app.signedIn("coord1@northside.test")
	if res := c.get("/login?next=/%09/evil.example/x"); strings.Contains(res.location(), "evil") {
		t.Errorf("signed in: redirected to %q", res.location())
	}
}

func TestSafeNext_AcceptsOnlyAPathOnThisSite(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, next string
		ok         bool
	}{
		{"a page", "/t/northside/worklist", true},
		{"a page with a query", "/t/northside/patients?q=ann&status=active", true},
		{"a tilde", "/~x", true},
		{"empty", "", false},
		{"the root alone", "/", false},
		{"no slash", "t/northside", false},
		{"two slashes", "//evil.example/x", false},
		{"three slashes", "///evil.example/x", false},
		{"slash backslash", "/\\evil.example", false},
		{"backslash later", "/t\\..\\evil", false},
		{"tab", "/\t/evil.example/x", false},
		{"tab later", "/t/\tx", false},
		{"newline", "/\n/evil.example", false},
		{"carriage return", "/x\r\nSet-Cookie: a=b", false},
		{"NUL", "/\x00/evil.example", false},
		{"DEL", "/\x7f/evil.example", false},
		{"space", "/ /evil.example", false},
		{"no-break space", "/\u00a0/evil.example", false},
		{"ideographic space", "/\u3000x", false},
		{"next line", "/\u0085x", false},
		{"escaped slash first", "/%2F/evil.example", false},
		{"escaped tab first", "/%09/evil.example", false},
		{"invalid UTF-8", "/t/\xff", false},
		{"a scheme", "javascript:alert(1)", false},
		{"scheme-relative with a tab", "\t//evil.example", false},
	} {
		if got := safeNext(tc.next); (got != "") != tc.ok || (tc.ok && got != tc.next) {
			t.Errorf("%s: safeNext(%q) = %q, want ok=%v", tc.name, tc.next, got, tc.ok)
		}
	}
}

func TestLogout_EndsTheSessionForGood(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn("coord1@northside.test")
	stolen := c.sessionCookie()
	res := c.post("/logout", nil)
	if res.status != http.StatusSeeOther || res.location() != "/login" {
		t.Fatalf("logout: %d %s", res.status, res.location())
	}
	if c.sessionCookie() == stolen {
		t.Error("logout kept the session token")
	}
	if got := c.get("/t/northside/worklist"); got.status != http.StatusSeeOther {
		t.Errorf("after logout the worklist answered %d", got.status)
	}
	// The old token, replayed, is worthless.
	replay := app.client()
	req, _ := http.NewRequest(http.MethodGet, app.http.URL+"/t/northside/worklist", nil)
	req.AddCookie(&http.Cookie{Name: "carecoord_session", Value: stolen})
	if got := replay.do(req); got.status != http.StatusSeeOther {
		t.Errorf("replayed token after logout: status %d, want a redirect to sign in", got.status)
	}
	if got := c.get("/logout"); got.status != http.StatusMethodNotAllowed {
		t.Errorf("GET /logout: status %d, want 405", got.status)
	}
}

func TestSession_CookieIsHttpOnlyLaxAndSecureWhenConfigured(t *testing.T) {
	t.Parallel()
	for _, secure := range []bool{false, true} {
		app := newTestApp(t, func(o *Options) { o.SecureCookies = secure })
		res := app.client().post("/login", url.Values{"email": {"coord1@northside.test"}, "password": {demo.Password}})
		ck := res.header.Get("Set-Cookie")
		mustContain(t, "Set-Cookie", ck, "carecoord_session=", "HttpOnly", "SameSite=Lax")
		if strings.Contains(ck, "; Secure") != secure {
			t.Errorf("secure=%v: Set-Cookie %q", secure, ck)
		}
	}
	app := newTestApp(t)
	// The store keeps a session for the longest idle timeout a tenant may
	// set (TestSessions_GETsSaveTheSessionAtMostOnceAMinute checks it); the
	// session's own idle timeout (30 minutes unless its tenant set another)
	// is checked on each request, not by scs, which would save every time.
	if storeIdleTimeout.Minutes() != 60 || app.server.sessions.IdleTimeout != 0 || defaultIdleTimeout.Minutes() != 30 || app.server.sessions.Lifetime.Hours() != 12 {
		t.Errorf("store idle %v, scs idle %v, default idle %v, lifetime %v; want 60m, none, 30m and 12h", storeIdleTimeout, app.server.sessions.IdleTimeout, defaultIdleTimeout, app.server.sessions.Lifetime)
	}
}

func TestSession_EndsAtOnceWhenTheUserIsDisabled(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn("coord1@northside.test")
	if _, err := app.db.Pool.Exec(t.Context(), "update users set disabled = true where email = 'coord1@northside.test'"); err != nil {
		t.Fatal(err)
	}
	if res := c.get("/t/northside/worklist"); res.status != http.StatusSeeOther {
		t.Errorf("disabled user's session still works: status %d", res.status)
	}
}

func TestSession_EndsWhenTheUsersSessionsAreRevoked(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn("coord1@northside.test")
	if _, err := app.db.Pool.Exec(t.Context(), "update users set session_version = session_version + 1 where email = 'coord1@northside.test'"); err != nil {
		t.Fatal(err)
	}
	if res := c.get("/t/northside/worklist"); res.status != http.StatusSeeOther {
		t.Errorf("revoked session still works: status %d", res.status)
	}
}

func TestTenantPicker_AMemberOfSeveralTenantsChoosesAndSwitches(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn(demo.FloatEmail)
	page := followToPage(t, c, "/")
	if page.path != "/tenants" {
		t.Fatalf("start page = %s, want the picker", page.path)
	}
	mustContain(t, "picker", page.body, "Northside Health Partners", "Riverside Community Care", `href="/t/northside/"`, `href="/t/riverside/"`)
	for _, slug := range []string{"northside", "riverside"} {
		p := followToPage(t, c, "/t/"+slug+"/")
		mustContain(t, slug+" worklist", p.body, `data-testid="worklist"`, `href="/tenants"`)
	}
}
