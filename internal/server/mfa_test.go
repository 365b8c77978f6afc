package server

import (
	"bytes"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"carecoord/internal/demo"
	"carecoord/internal/tenants"

	"github.com/go-chi/chi/v5"
)

// Tests for issue 21's multi-factor sign-in: enrolment, the code after the
// password, its throttling and replay guard, recovery codes, the tenant's
// and the platform's requirement, and the admin's reset.

// enrolFromAccount signs email in (no second step yet) and sets up an
// authenticator app from the account page; it returns the recovery codes.
func enrolFromAccount(t *testing.T, app *testApp, email string) []string {
	t.Helper()
	c := app.signedIn(email)
	if res := c.post("/account/mfa/begin", nil); res.status != http.StatusSeeOther || res.location() != "/account/mfa" {
		t.Fatalf("begin enrolment: %d %s", res.status, res.location())
	}
	codes := c.enrol(email, "/account/mfa")
	if len(codes) != 10 {
		t.Fatalf("%d recovery codes shown, want 10", len(codes))
	}
	mustContain(t, "account page", c.get("/account").body, "On since", "10 unused recovery codes")
	return codes
}

// passwordOnly posts email's password on a fresh browser and expects to be
// sent to the second step at want.
func passwordOnly(t *testing.T, app *testApp, email, want string) *client {
	t.Helper()
	c := app.client()
	res := c.post("/login", url.Values{"email": {email}, "password": {demo.Password}, "next": {"/t/northside/patients"}})
	if res.status != http.StatusSeeOther || res.location() != want {
		t.Fatalf("password of %s: %d to %q, want %q", email, res.status, res.location(), want)
	}
	return c
}

func (a *testApp) authEvents(email, action string) int {
	a.t.Helper()
	return a.queryInt("select count(*) from auth_events where email = $1 and action = $2", email, action)
}

func TestMFA_EnrolledCoordinatorSignsInWithTheCode(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	const email = "coord1@northside.test"
	enrolFromAccount(t, app, email)

	c := passwordOnly(t, app, email, "/login/code")
	if res := c.get("/t/northside/worklist"); res.status != http.StatusSeeOther || !strings.HasPrefix(res.location(), "/login") {
		t.Fatalf("worklist before the code: %d %s", res.status, res.location())
	}
	mustContain(t, "code page", c.get("/login/code").body, "Enter your code", `autocomplete="one-time-code"`)
	res := c.post("/login/code", url.Values{"code": {app.mfa.code(app, email)}})
	if res.status != http.StatusSeeOther || res.location() != "/t/northside/patients" {
		t.Fatalf("right code: %d to %q\n%s", res.status, res.location(), res.body)
	}
	if res := c.get("/t/northside/worklist"); res.status != http.StatusOK {
		t.Errorf("worklist after the code: %d", res.status)
	}
	if n := app.authEvents(email, "mfa_enrolled"); n != 1 {
		t.Errorf("mfa_enrolled events: %d", n)
	}
	if n := app.authEvents(email, "mfa_verified"); n != 1 {
		t.Errorf("mfa_verified events: %d", n)
	}
	// The stored secret is sealed: the key shown on the page is not in it.
	var stored []byte
	if err := app.db.Pool.QueryRow(t.Context(), "select secret from user_totp where user_id = $1", memberID(t, app, email)).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if secret := app.mfa.secrets[email]; bytes.Contains(stored, []byte(secret)) || stored[0] != 1 {
		t.Errorf("the secret is stored unsealed: %q", stored)
	}
}

func TestMFA_WrongCodesAreRefusedAndLockTheAccount(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	const email = "coord1@northside.test"
	enrolFromAccount(t, app, email)

	// Three wrong codes, then the password again: the right password
	// must not clear the count of wrong codes.
	c := passwordOnly(t, app, email, "/login/code")
	for range 3 {
		res := c.post("/login/code", url.Values{"code": {"000000"}})
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("wrong code: status %d", res.status)
		}
		mustContain(t, "code page", res.body, "That code didn&#39;t work", `aria-invalid="true"`)
	}
	c = passwordOnly(t, app, email, "/login/code")
	c.post("/login/code", url.Values{"code": {"000000"}})
	res := c.post("/login/code", url.Values{"code": {"not-a-recovery-code"}})
	mustContain(t, "fifth wrong code", res.body, "locked for 15 minutes")
	// Locked: even the right code is not checked.
	res = c.post("/login/code", url.Values{"code": {app.mfa.code(app, email)}})
	if res.status == http.StatusSeeOther {
		t.Fatal("the right code signed a locked account in")
	}
	mustContain(t, "locked", res.body, "locked for 15 minutes")
	if res := app.client().post("/login", url.Values{"email": {email}, "password": {demo.Password}}); res.status == http.StatusSeeOther {
		t.Error("the password was accepted on a locked account")
	}
	if n := app.authEvents(email, "mfa_failed"); n != 5 {
		t.Errorf("mfa_failed events: %d, want 5", n)
	}
}

func TestMFA_ACodeIsGoodOnce(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	const email = "coord1@northside.test"
	enrolFromAccount(t, app, email)

	code := app.mfa.code(app, email)
	if res := passwordOnly(t, app, email, "/login/code").post("/login/code", url.Values{"code": {code}}); res.status != http.StatusSeeOther {
		t.Fatalf("first use: %d", res.status)
	}
	res := passwordOnly(t, app, email, "/login/code").post("/login/code", url.Values{"code": {code}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("replayed code: status %d, want 422", res.status)
	}
	mustContain(t, "replayed code", res.body, "That code didn&#39;t work")
}

func TestMFA_RecoveryCodeWorksOnce(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	const email = "coord1@northside.test"
	codes := enrolFromAccount(t, app, email)

	// Typed in capitals with a space instead of the dash: still the code.
	typed := strings.ToUpper(strings.Replace(codes[3], "-", " ", 1))
	res := passwordOnly(t, app, email, "/login/code").post("/login/code", url.Values{"code": {typed}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("recovery code: status %d\n%s", res.status, res.body)
	}
	if res := passwordOnly(t, app, email, "/login/code").post("/login/code", url.Values{"code": {codes[3]}}); res.status != http.StatusUnprocessableEntity {
		t.Errorf("recovery code used twice: status %d", res.status)
	}
	if n := app.authEvents(email, "mfa_recovery_used"); n != 1 {
		t.Errorf("mfa_recovery_used events: %d", n)
	}
	if n := app.queryInt("select count(*) from recovery_codes where used_at is null"); n != 9 {
		t.Errorf("%d unused recovery codes, want 9", n)
	}
}

func TestMFA_TenantRequirementSendsMembersToEnrolment(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	admin := app.signedIn("admin@northside.test")
	f := tenants.SettingsFormOf("Northside Health Partners", tenants.DefaultSettings())
	form := url.Values{"name": {f.Name}, "require_mfa": {"on"}, "time_zone": {f.TimeZone}}
	for k, v := range f.Values {
		form.Set(k, v)
	}
	if res := admin.post("/t/northside/admin/settings", form); res.status != http.StatusSeeOther {
		t.Fatalf("require MFA: %d\n%s", res.status, res.body)
	}
	mustContain(t, "settings page", admin.get("/t/northside/admin/settings").body, `name="require_mfa" checked`)
	var changed int
	if err := app.scanInTenant("northside", "select count(*) from audit_events where action = 'settings.changed' and detail->>'setting' = 'require_mfa'", nil, &changed); err != nil || changed != 1 {
		t.Errorf("require_mfa settings.changed events: %d (%v)", changed, err)
	}

	c := passwordOnly(t, app, "coord1@northside.test", "/login/enrol")
	if res := c.get("/t/northside/worklist"); res.status != http.StatusSeeOther || !strings.HasPrefix(res.location(), "/login") {
		t.Fatalf("worklist before enrolment: %d %s", res.status, res.location())
	}
	page := c.get("/login/enrol")
	mustContain(t, "enrolment page", page.body, `src="data:image/png;base64,`, `data-testid="mfa-secret"`)
	codes := c.enrol("coord1@northside.test", "/login/enrol")
	if len(codes) != 10 {
		t.Fatalf("%d recovery codes", len(codes))
	}
	if res := c.get("/t/northside/worklist"); res.status != http.StatusOK {
		t.Errorf("worklist after enrolment: %d", res.status)
	}
	// Another tenant's members are not affected.
	passwordOnly(t, app, "coord1@riverside.test", "/t/northside/patients")
}

func TestMFA_PlatformAdminMustEnrolAtFirstSignIn(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := passwordOnly(t, app, demo.PlatformAdminEmail, "/login/enrol")
	if res := c.get("/platform/tenants"); res.status != http.StatusSeeOther || !strings.HasPrefix(res.location(), "/login") {
		t.Fatalf("platform page before enrolment: %d %s", res.status, res.location())
	}
	c.enrol(demo.PlatformAdminEmail, "/login/enrol")
	if res := c.get("/platform/tenants"); res.status != http.StatusOK {
		t.Errorf("platform page after enrolment: %d", res.status)
	}
	// From now on the code is asked for.
	passwordOnly(t, app, demo.PlatformAdminEmail, "/login/code")
}

func TestMFA_AdminResetMakesTheMemberEnrolAgain(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	const email = "coord1@northside.test"
	enrolFromAccount(t, app, email)
	maya := app.signedIn(email)
	id := memberID(t, app, email)

	admin := app.signedIn("admin@northside.test")
	mustContain(t, "member page", admin.get("/t/northside/admin/users/"+id).body, "Reset two-step sign-in")
	// Another organisation's admin cannot.
	if res := app.signedIn("admin@riverside.test").post("/t/riverside/admin/users/"+id+"/mfa-reset", nil); res.status != http.StatusNotFound {
		t.Errorf("riverside admin's reset: %d, want 404", res.status)
	}
	res := admin.post("/t/northside/admin/users/"+id+"/mfa-reset", nil)
	if res.status != http.StatusSeeOther {
		t.Fatalf("reset: %d\n%s", res.status, res.body)
	}
	mustContain(t, "member page", admin.get(res.location()).body, "Two-step sign-in was reset", "No authenticator app is set up")
	if res := maya.get("/t/northside/worklist"); res.status != http.StatusSeeOther {
		t.Errorf("Maya's session lasted the reset: %d", res.status)
	}
	var events int
	if err := app.scanInTenant("northside", "select count(*) from audit_events where action = 'member.mfa_reset' and entity_id = $1", []any{id}, &events); err != nil || events != 1 {
		t.Errorf("member.mfa_reset events: %d (%v)", events, err)
	}
	if n := app.authEvents(email, "mfa_reset"); n != 1 {
		t.Errorf("mfa_reset auth events: %d", n)
	}
	// Northside does not require it: she signs in with her password alone
	// and may set up a new app.
	passwordOnly(t, app, email, "/t/northside/patients")
}

// idParam is a parameter of a route.
var idParam = regexp.MustCompile(`\{[^}]+\}`)

// TestMFA_PasswordAloneReachesNoPage walks the whole route table with a
// session whose code is still due: every page sends it to sign in.
func TestMFA_PasswordAloneReachesNoPage(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	enrolFromAccount(t, app, "coord1@northside.test")
	c := passwordOnly(t, app, "coord1@northside.test", "/login/code")
	checked := 0
	err := chi.Walk(app.server.Handler().(chi.Routes), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if strings.HasPrefix(route, "/login") || strings.HasPrefix(route, "/static") || strings.Contains(route, "{token}") ||
			route == "/healthz" || route == "/readyz" {
			return nil
		}
		path := strings.ReplaceAll(route, "{tenant}", "northside")
		path = idParam.ReplaceAllString(path, "00000000-0000-4000-8000-000000000001")
		var res response
		if method == http.MethodGet {
			res = c.get(path)
		} else {
			res = c.post(path, url.Values{"name": {"x"}})
		}
		if res.status != http.StatusSeeOther || !strings.HasPrefix(res.location(), "/login") {
			t.Errorf("%s %s with the code due: %d %s", method, path, res.status, res.location())
		}
		checked++
		return nil
	})
	if err != nil || checked < 50 {
		t.Fatalf("walked %d routes: %v", checked, err)
	}
	// The second step itself still waits for the code.
	if res := c.get("/login/code"); res.status != http.StatusOK {
		t.Errorf("code page: %d", res.status)
	}
}
