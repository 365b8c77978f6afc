package server

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"carecoord/internal/demo"
	"carecoord/internal/mail"
	"carecoord/internal/tenants"
)

// Tests for issue 9: tenants, users and roles, settings, audit log.

var shownLinkPattern = regexp.MustCompile(`value="([^"]+)" data-testid="shown-link-url"`)

// shownLinkPath reads the link shown once on page, as a path on the test
// server.
func shownLinkPath(t *testing.T, app *testApp, c *client, page string) string {
	t.Helper()
	body := c.get(page).body
	m := shownLinkPattern.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("%s shows no link:\n%s", page, body)
	}
	if !strings.HasPrefix(m[1], app.http.URL+"/") {
		t.Fatalf("link %q is not on the server %s", m[1], app.http.URL)
	}
	return strings.TrimPrefix(m[1], app.http.URL)
}

// invite has the admin of slug invite email with role and returns the
// invitation link's path.
func invite(t *testing.T, app *testApp, admin *client, slug, email, role string) string {
	t.Helper()
	res := admin.post("/t/"+slug+"/admin/invitations", url.Values{"email": {email}, "role": {role}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("invite %s: status %d\n%s", email, res.status, res.body)
	}
	return shownLinkPath(t, app, admin, res.location())
}

// newAccount accepts an invitation as a new person.
func newAccount(c *client, link, name, password string) response {
	return c.post(link, url.Values{"name": {name}, "new_password": {password}, "confirm_password": {password}})
}

const goodPassword = "harbour tide lantern 42"

func userCount(app *testApp, email string) int {
	return app.queryInt("select count(*) from users where email = $1", email)
}

func TestInvitation_NewPersonSetsNameAndPasswordAndIsSignedIn(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	admin := app.signedIn("admin@northside.test")
	link := invite(t, app, admin, "northside", "ana@northside.test", "coordinator")
	if !strings.HasPrefix(link, "/invitations/") {
		t.Fatalf("link %s", link)
	}
	ana := app.client()
	page := ana.get(link)
	mustContain(t, "invitation page", page.body, "Join Northside Health Partners", "Sam Patel invited", "ana@northside.test", "care coordinator", `data-testid="accept-new"`)

	res := newAccount(ana, link, "Ana Silva", goodPassword)
	if res.status != http.StatusSeeOther || res.location() != "/t/northside/" {
		t.Fatalf("accept: status %d to %s\n%s", res.status, res.location(), res.body)
	}
	landed := followToPage(t, ana, res.location())
	mustContain(t, "first page", landed.body, "Welcome to Northside Health Partners", `data-testid="worklist"`)
	if n := app.queryInt(`select count(*) from memberships m join users u on u.id = m.user_id
		where u.email = 'ana@northside.test' and u.name = 'Ana Silva' and m.role = 'coordinator' and m.active`); n != 1 {
		t.Errorf("Ana's memberships: %d, want 1 active coordinator", n)
	}
	if n := app.queryInt("select count(*) from auth_events where email = 'ana@northside.test' and action = 'sign_in'"); n != 1 {
		t.Errorf("sign-in events: %d, want 1", n)
	}
	var stored int
	if err := app.scanInTenant("northside", "select count(*) from audit_events where action = 'invitation.accepted'", nil, &stored); err != nil || stored != 1 {
		t.Errorf("invitation.accepted events: %d (%v), want 1", stored, err)
	}
}

func TestInvitation_WorksOnlyOnce(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	link := invite(t, app, app.signedIn("admin@northside.test"), "northside", "ana@northside.test", "coordinator")
	if res := newAccount(app.client(), link, "Ana Silva", goodPassword); res.status != http.StatusSeeOther {
		t.Fatalf("first use: status %d", res.status)
	}
	again := app.client()
	if res := again.get(link); res.status != http.StatusGone || !strings.Contains(res.body, "already used") {
		t.Errorf("second visit: status %d\n%s", res.status, res.body)
	}
	if res := newAccount(again, link, "Someone Else", "another good passphrase"); res.status != http.StatusGone {
		t.Errorf("second use: status %d", res.status)
	}
	if n := userCount(app, "ana@northside.test"); n != 1 {
		t.Errorf("accounts for the email: %d, want 1", n)
	}
}

func TestInvitation_TwoUsesAtOnceMakeOneAccount(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	link := invite(t, app, app.signedIn("admin@northside.test"), "northside", "ana@northside.test", "coordinator")
	var wg sync.WaitGroup
	statuses := make([]int, 4)
	for i := range statuses {
		wg.Go(func() { statuses[i] = newAccount(app.client(), link, "Ana Silva", goodPassword).status })
	}
	wg.Wait()
	ok := 0
	for _, s := range statuses {
		if s == http.StatusSeeOther {
			ok++
		}
	}
	if ok != 1 || userCount(app, "ana@northside.test") != 1 {
		t.Errorf("statuses %v: %d accepted, %d accounts; want one of each", statuses, ok, userCount(app, "ana@northside.test"))
	}
}

func TestInvitation_ExpiresAfterSevenDays(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	admin := app.signedIn("admin@northside.test")
	link := invite(t, app, admin, "northside", "ana@northside.test", "coordinator")
	days := app.queryInt("select round(extract(epoch from expires_at - created_at) / 86400)::int from invitations where email = 'ana@northside.test'")
	if days != 7 {
		t.Errorf("invitation valid for %d days, want 7", days)
	}
	if _, err := app.db.Pool.Exec(t.Context(), "update invitations set expires_at = now() - interval '1 second' where email = 'ana@northside.test'"); err != nil {
		t.Fatal(err)
	}
	c := app.client()
	if res := c.get(link); res.status != http.StatusGone || !strings.Contains(res.body, "expired") || !strings.Contains(res.body, "Sam Patel") {
		t.Errorf("expired link: status %d\n%s", res.status, res.body)
	}
	if res := newAccount(c, link, "Ana Silva", goodPassword); res.status != http.StatusGone {
		t.Errorf("accepting an expired invitation: status %d", res.status)
	}
	if n := userCount(app, "ana@northside.test"); n != 0 {
		t.Errorf("accounts made from an expired invitation: %d", n)
	}
	// The admin sees it as expired and can send a new link, which works.
	users := admin.get("/t/northside/admin/users").body
	mustContain(t, "users page", users, "ana@northside.test", "Expired")
	var id string
	if err := app.db.Pool.QueryRow(t.Context(), "select id from invitations where email = 'ana@northside.test'").Scan(&id); err != nil {
		t.Fatal(err)
	}
	res := admin.post("/t/northside/admin/invitations/"+id+"/renew", nil)
	fresh := shownLinkPath(t, app, admin, res.location())
	if fresh == link {
		t.Fatal("the new link is the old one")
	}
	if res := newAccount(app.client(), fresh, "Ana Silva", goodPassword); res.status != http.StatusSeeOther {
		t.Errorf("renewed invitation: status %d", res.status)
	}
	if res := app.client().get(link); res.status != http.StatusGone {
		t.Errorf("old link after renewal: status %d", res.status)
	}
}

func TestInvitation_UnknownOrWithdrawnLinksLeadNowhere(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	admin := app.signedIn("admin@northside.test")
	link := invite(t, app, admin, "northside", "ana@northside.test", "coordinator")
	if res := app.client().get("/invitations/not-a-real-token"); res.status != http.StatusNotFound {
		t.Errorf("unknown token: status %d", res.status)
	}
	var id string
	if err := app.db.Pool.QueryRow(t.Context(), "select id from invitations where email = 'ana@northside.test'").Scan(&id); err != nil {
		t.Fatal(err)
	}
	if res := admin.post("/t/northside/admin/invitations/"+id+"/revoke", nil); res.status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", res.status)
	}
	if res := app.client().get(link); res.status != http.StatusGone || !strings.Contains(res.body, "withdrawn") {
		t.Errorf("withdrawn link: status %d", res.status)
	}
	// Only a hash of the token is stored.
	token := strings.TrimPrefix(link, "/invitations/")
	if n := app.queryInt("select count(*) from invitations where encode(token_hash, 'escape') like '%' || $1 || '%' or encode(token_hash, 'hex') = $1", token); n != 0 {
		t.Error("the token is stored as it is")
	}
	mustNotContain(t, "request log", app.logs.String(), token)
}

func TestInvitation_NewPasswordMustBeLongUncommonAndTypedTwice(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	link := invite(t, app, app.signedIn("admin@northside.test"), "northside", "ana@northside.test", "coordinator")
	c := app.client()
	tests := []struct{ name, password, confirm, field, want string }{
		{"too short", "short pass", "short pass", "new_password", "at least 12"},
		{"common", "Password1234", "Password1234", "new_password", "most commonly used"},
		{"one character", "aaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaa", "new_password", "most commonly used"},
		{"the email", "ana@northside.test", "ana@northside.test", "new_password", "email address"},
		{"mistyped", goodPassword, goodPassword + "!", "confirm_password", "different"},
	}
	for _, tt := range tests {
		res := c.post(link, url.Values{"name": {"Ana Silva"}, "new_password": {tt.password}, "confirm_password": {tt.confirm}})
		if res.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d", tt.name, res.status)
		}
		mustContain(t, tt.name, res.body, `data-testid="error-`+tt.field+`"`, tt.want, `value="Ana Silva"`)
	}
	if n := userCount(app, "ana@northside.test"); n != 0 {
		t.Errorf("accounts made with a bad password: %d", n)
	}
}

func TestInvitation_SomeoneFromAnotherTenantGainsAMembershipNotAnAccount(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	link := invite(t, app, app.signedIn("admin@riverside.test"), "riverside", "coord1@northside.test", "supervisor")
	c := app.client()
	mustContain(t, "invitation page", c.get(link).body, `data-testid="accept-sign-in"`, "already have a CareCoord account")
	if res := c.post(link, url.Values{"password": {"wrong password"}}); res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "not the password") {
		t.Fatalf("wrong password: status %d", res.status)
	}
	res := c.post(link, url.Values{"password": {demo.Password}})
	if res.status != http.StatusSeeOther || res.location() != "/t/riverside/" {
		t.Fatalf("accept: status %d to %s", res.status, res.location())
	}
	if n := userCount(app, "coord1@northside.test"); n != 1 {
		t.Errorf("accounts: %d, want 1", n)
	}
	if n := app.queryInt(`select count(*) from memberships m join users u on u.id = m.user_id where u.email = 'coord1@northside.test' and m.active`); n != 2 {
		t.Errorf("memberships: %d, want 2", n)
	}
	mustContain(t, "riverside worklist", followToPage(t, c, "/t/riverside/").body, `data-testid="worklist"`)
	mustContain(t, "northside worklist", followToPage(t, c, "/t/northside/").body, `data-testid="worklist"`)
}

func TestInvitation_SignedInInviteeJoinsWithOneClickAndOthersAreTurnedAway(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	link := invite(t, app, app.signedIn("admin@riverside.test"), "riverside", "coord1@northside.test", "coordinator")
	other := app.signedIn("coord2@northside.test")
	mustContain(t, "someone else's invitation", other.get(link).body, "signed in as coord2@northside.test", "sign out first")
	if res := other.post(link, nil); res.status != http.StatusConflict {
		t.Errorf("someone else accepting: status %d", res.status)
	}
	maya := app.signedIn("coord1@northside.test")
	mustContain(t, "own invitation", maya.get(link).body, `data-testid="accept-confirm"`)
	if res := maya.post(link, nil); res.status != http.StatusSeeOther || res.location() != "/t/riverside/" {
		t.Fatalf("accept: status %d to %s", res.status, res.location())
	}
	if res := maya.get("/t/riverside/worklist"); res.status != http.StatusOK {
		t.Errorf("riverside after joining: status %d", res.status)
	}
}

func TestInvite_RefusesMembersPlatformAdminsAndBadInput(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	admin := app.signedIn("admin@northside.test")
	tests := []struct{ email, role, field, want string }{
		{"coord1@northside.test", "coordinator", "email", "already has access"},
		{"former@northside.test", "coordinator", "email", "was deactivated"},
		{"platform@demo.test", "coordinator", "email", "platform administrator"},
		{"not an email", "coordinator", "email", "like name@example.org"},
		{"new@northside.test", "owner", "role", "Choose the role"},
	}
	for _, tt := range tests {
		res := admin.post("/t/northside/admin/invitations", url.Values{"email": {tt.email}, "role": {tt.role}})
		if res.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d", tt.email, res.status)
		}
		mustContain(t, tt.email, res.body, `data-testid="error-`+tt.field+`"`, tt.want)
	}
	if n := app.queryInt("select count(*) from invitations where email not like 'newhire@%'"); n != 0 {
		t.Errorf("invitations made: %d", n)
	}
}

// fakeMailer records what would have been sent.
type fakeMailer struct {
	mu   sync.Mutex
	sent []mail.Message
}

func (f *fakeMailer) Send(_ context.Context, m mail.Message) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, m)
	return nil
}

func TestInvitation_IsEmailedWhenMailIsConfiguredAndNotShown(t *testing.T) {
	t.Parallel()
	mailer := &fakeMailer{}
	app := newTestApp(t, func(o *Options) { o.Mailer = mailer; o.BaseURL = "https://care.example.org" })
	admin := app.signedIn("admin@northside.test")
	res := admin.post("/t/northside/admin/invitations", url.Values{"email": {"ana@northside.test"}, "role": {"coordinator"}})
	page := admin.get(res.location()).body
	mustContain(t, "users page", page, `data-testid="shown-link"`, "Emailed to ana@northside.test")
	mustNotContain(t, "users page", page, `data-testid="shown-link-url"`)
	if len(mailer.sent) != 1 {
		t.Fatalf("sent %d emails, want 1", len(mailer.sent))
	}
	m := mailer.sent[0]
	link := regexp.MustCompile(`https://care\.example\.org(/invitations/\S+)`).FindStringSubmatch(m.Body)
	if m.To != "ana@northside.test" || !strings.Contains(m.Subject, "Northside Health Partners") || link == nil {
		t.Fatalf("email %+v", m)
	}
	if res := newAccount(app.client(), link[1], "Ana Silva", goodPassword); res.status != http.StatusSeeOther {
		t.Errorf("emailed link: status %d", res.status)
	}
}

// platformTenant finds the id of a tenant by slug for platform URLs.
func platformPath(app *testApp, slug, rest string) string {
	return "/platform/tenants/" + app.tenantID(slug) + rest
}

func TestSuspension_MembersCannotSignInOrUseTheirSessionsAndDataIsKept(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	maya := app.signedIn("coord1@northside.test")
	float := app.signedIn(demo.FloatEmail)
	var patientsBefore int
	if err := app.scanInTenant("northside", "select count(*) from patients", nil, &patientsBefore); err != nil {
		t.Fatal(err)
	}
	platform := app.signedIn("platform@demo.test")
	if res := platform.post(platformPath(app, "northside", "/status"), url.Values{"status": {"suspended"}}); res.status != http.StatusSeeOther {
		t.Fatalf("suspend: status %d", res.status)
	}
	// Maya's only organisation: her session ends on its next request.
	if res := maya.get("/t/northside/worklist"); res.status != http.StatusSeeOther || !strings.HasPrefix(res.location(), "/login") {
		t.Errorf("suspended member's session: status %d to %s", res.status, res.location())
	}
	res := app.client().post("/login", url.Values{"email": {"coord1@northside.test"}, "password": {demo.Password}})
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "not active in any organisation") {
		t.Errorf("suspended member signing in: status %d", res.status)
	}
	// A member of another tenant keeps working there, and only there.
	if res := float.get("/t/northside/worklist"); res.status != http.StatusNotFound {
		t.Errorf("float in the suspended tenant: status %d", res.status)
	}
	if res := float.get("/t/riverside/worklist"); res.status != http.StatusOK {
		t.Errorf("float in the other tenant: status %d", res.status)
	}
	mustContain(t, "platform list", platform.get("/platform/tenants").body, "Suspended")

	if res := platform.post(platformPath(app, "northside", "/status"), url.Values{"status": {"active"}}); res.status != http.StatusSeeOther {
		t.Fatalf("reactivate: status %d", res.status)
	}
	var patientsAfter int
	if err := app.scanInTenant("northside", "select count(*) from patients", nil, &patientsAfter); err != nil || patientsAfter != patientsBefore {
		t.Errorf("patients after suspension %d (%v), before %d", patientsAfter, err, patientsBefore)
	}
	mustContain(t, "worklist after reactivation", followToPage(t, app.signedIn("coord1@northside.test"), "/").body, `data-testid="worklist"`)
	var events int
	if err := app.scanInTenant("northside", "select count(*) from audit_events where action in ('tenant.suspended', 'tenant.reactivated')", nil, &events); err != nil || events != 2 {
		t.Errorf("suspension audit events: %d (%v), want 2", events, err)
	}
}

func TestDeactivation_EndsTheMembersSessionOnItsNextRequest(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	maya := app.signedIn("coord1@northside.test")
	admin := app.signedIn("admin@northside.test")
	id := memberID(t, app, "coord1@northside.test")
	page := admin.get("/t/northside/admin/users/" + id).body
	mustContain(t, "member page", page, "Maya Okafor", "Open caseload", "patients")
	if res := admin.post("/t/northside/admin/users/"+id+"/active", url.Values{"active": {"no"}}); res.status != http.StatusSeeOther {
		t.Fatalf("deactivate: status %d", res.status)
	}
	if res := maya.get("/t/northside/worklist"); res.status != http.StatusSeeOther || !strings.HasPrefix(res.location(), "/login") {
		t.Errorf("deactivated member's next request: status %d to %s", res.status, res.location())
	}
	if res := app.client().post("/login", url.Values{"email": {"coord1@northside.test"}, "password": {demo.Password}}); res.status != http.StatusUnprocessableEntity {
		t.Errorf("deactivated member signing in: status %d", res.status)
	}
	mustContain(t, "users page", admin.get("/t/northside/admin/users").body, "Deactivated")
	if res := admin.post("/t/northside/admin/users/"+id+"/active", url.Values{"active": {"yes"}}); res.status != http.StatusSeeOther {
		t.Fatalf("reactivate: status %d", res.status)
	}
	if res := app.signedIn("coord1@northside.test").get("/t/northside/worklist"); res.status != http.StatusOK {
		t.Errorf("reactivated member: status %d", res.status)
	}
}

func TestDeactivation_InOneTenantLeavesTheOtherWorking(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	float := app.signedIn(demo.FloatEmail)
	admin := app.signedIn("admin@northside.test")
	if res := admin.post("/t/northside/admin/users/"+memberID(t, app, demo.FloatEmail)+"/active", url.Values{"active": {"no"}}); res.status != http.StatusSeeOther {
		t.Fatalf("deactivate: status %d", res.status)
	}
	if res := float.get("/t/northside/worklist"); res.status != http.StatusNotFound {
		t.Errorf("the tenant that deactivated them: status %d, want 404", res.status)
	}
	if res := float.get("/t/riverside/worklist"); res.status != http.StatusOK {
		t.Errorf("the other tenant: status %d, want 200", res.status)
	}
}

func memberID(t *testing.T, app *testApp, email string) string {
	t.Helper()
	var id string
	if err := app.db.Pool.QueryRow(t.Context(), "select id from users where email = $1", email).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestRoleChange_TakesEffectOnTheNextRequest(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	maya := app.signedIn("coord1@northside.test")
	admin := app.signedIn("admin@northside.test")
	id := memberID(t, app, "coord1@northside.test")
	if res := admin.post("/t/northside/admin/users/"+id+"/role", url.Values{"role": {"tenant_admin"}}); res.status != http.StatusSeeOther {
		t.Fatalf("change role: status %d", res.status)
	}
	if res := maya.get("/t/northside/admin/users"); res.status != http.StatusOK {
		t.Errorf("new admin on the users page: status %d", res.status)
	}
	if res := maya.get("/t/northside/worklist"); res.status != http.StatusForbidden {
		t.Errorf("new admin on the worklist: status %d", res.status)
	}
	if res := admin.post("/t/northside/admin/users/"+id+"/role", url.Values{"role": {"chief"}}); res.status != http.StatusUnprocessableEntity {
		t.Errorf("unknown role: status %d", res.status)
	}
	var detail string
	if err := app.scanInTenant("northside", "select detail::text from audit_events where action = 'member.role_changed'", nil, &detail); err != nil ||
		!strings.Contains(detail, `"from": "coordinator"`) || !strings.Contains(detail, `"to": "tenant_admin"`) {
		t.Errorf("audit detail %s (%v)", detail, err)
	}
}

func TestLastAdmin_CannotDemoteOrDeactivateThemselves(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	admin := app.signedIn("admin@northside.test")
	self := "/t/northside/admin/users/" + memberID(t, app, "admin@northside.test")
	for _, step := range []struct {
		path string
		form url.Values
	}{
		{self + "/role", url.Values{"role": {"coordinator"}}},
		{self + "/active", url.Values{"active": {"no"}}},
	} {
		res := admin.post(step.path, step.form)
		if res.status != http.StatusConflict || !strings.Contains(res.body, "without one") {
			t.Errorf("%s: status %d", step.path, res.status)
		}
	}
	if res := admin.get("/t/northside/admin/users"); res.status != http.StatusOK {
		t.Fatalf("admin after refused changes: status %d", res.status)
	}
	// With a second administrator, stepping down is allowed.
	second := memberID(t, app, "supervisor@northside.test")
	if res := admin.post("/t/northside/admin/users/"+second+"/role", url.Values{"role": {"tenant_admin"}}); res.status != http.StatusSeeOther {
		t.Fatalf("second admin: status %d", res.status)
	}
	if res := admin.post(self+"/role", url.Values{"role": {"supervisor"}}); res.status != http.StatusSeeOther || res.location() != "/" {
		t.Errorf("stepping down: status %d to %s", res.status, res.location())
	}
}

func TestLastAdmin_TwoAdminsDemotingEachOtherAtOnceLeaveOne(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	sam := app.signedIn("admin@northside.test")
	samID, graceID := memberID(t, app, "admin@northside.test"), memberID(t, app, "supervisor@northside.test")
	if res := sam.post("/t/northside/admin/users/"+graceID+"/role", url.Values{"role": {"tenant_admin"}}); res.status != http.StatusSeeOther {
		t.Fatal(res.status)
	}
	grace := app.signedIn("supervisor@northside.test")
	var wg sync.WaitGroup
	wg.Go(func() { sam.post("/t/northside/admin/users/"+graceID+"/active", url.Values{"active": {"no"}}) })
	wg.Go(func() { grace.post("/t/northside/admin/users/"+samID+"/active", url.Values{"active": {"no"}}) })
	wg.Wait()
	if n := app.queryInt("select count(*) from memberships where tenant_id = $1 and role = 'tenant_admin' and active", app.tenantID("northside")); n != 1 {
		t.Errorf("active admins: %d, want 1", n)
	}
}

func TestPasswordReset_LinkWorksOnceForAnHourAndEndsSessions(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	maya := app.signedIn("coord1@northside.test")
	admin := app.signedIn("admin@northside.test")
	res := admin.post("/t/northside/admin/users/"+memberID(t, app, "coord1@northside.test")+"/reset-link", nil)
	if res.status != http.StatusSeeOther {
		t.Fatalf("reset link: status %d\n%s", res.status, res.body)
	}
	link := shownLinkPath(t, app, admin, res.location())
	if minutes := app.queryInt("select round(extract(epoch from expires_at - created_at) / 60)::int from password_resets"); minutes != 60 {
		t.Errorf("reset link valid for %d minutes, want 60", minutes)
	}
	c := app.client()
	mustContain(t, "reset page", c.get(link).body, "coord1@northside.test", `data-testid="password-reset"`)
	if res := c.post(link, url.Values{"new_password": {"short"}, "confirm_password": {"short"}}); res.status != http.StatusUnprocessableEntity {
		t.Errorf("short password: status %d", res.status)
	}
	res = c.post(link, url.Values{"new_password": {goodPassword}, "confirm_password": {goodPassword}})
	if res.status != http.StatusSeeOther || res.location() != "/login" {
		t.Fatalf("reset: status %d to %s", res.status, res.location())
	}
	if res := maya.get("/t/northside/worklist"); res.status != http.StatusSeeOther {
		t.Errorf("Maya's old session after the reset: status %d", res.status)
	}
	if res := app.client().post("/login", url.Values{"email": {"coord1@northside.test"}, "password": {goodPassword}}); res.status != http.StatusSeeOther {
		t.Errorf("sign in with the new password: status %d", res.status)
	}
	if res := c.get(link); res.status != http.StatusGone {
		t.Errorf("second use: status %d", res.status)
	}
	// An expired link is refused too.
	res = admin.post("/t/northside/admin/users/"+memberID(t, app, "coord2@northside.test")+"/reset-link", nil)
	late := shownLinkPath(t, app, admin, res.location())
	if _, err := app.db.Pool.Exec(t.Context(), "update password_resets set expires_at = now() - interval '1 second' where used_at is null"); err != nil {
		t.Fatal(err)
	}
	if res := app.client().post(late, url.Values{"new_password": {goodPassword}, "confirm_password": {goodPassword}}); res.status != http.StatusGone {
		t.Errorf("expired reset link: status %d", res.status)
	}
}

func TestPasswordReset_NotForSomeoneWhoAlsoWorksElsewhere(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	admin := app.signedIn("admin@northside.test")
	path := "/t/northside/admin/users/" + memberID(t, app, demo.FloatEmail)
	mustContain(t, "member page", admin.get(path).body, "also works for another organisation")
	if res := admin.post(path+"/reset-link", nil); res.status != http.StatusConflict {
		t.Errorf("reset link for a member of two tenants: status %d", res.status)
	}
	if n := app.queryInt("select count(*) from password_resets"); n != 0 {
		t.Errorf("reset links made: %d", n)
	}
}

func TestAccount_ChangingThePasswordNeedsTheCurrentOneAndEndsOtherSessions(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	here := app.signedIn("coord1@northside.test")
	elsewhere := app.signedIn("coord1@northside.test")
	page := here.get("/account").body
	mustContain(t, "account page", page, "Maya Okafor", "Northside Health Partners", "Signed in", `data-testid="change-password"`)
	res := here.post("/account/password", url.Values{"current_password": {"wrong"}, "new_password": {goodPassword}, "confirm_password": {goodPassword}})
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "not your current password") {
		t.Fatalf("wrong current password: status %d", res.status)
	}
	res = here.post("/account/password", url.Values{"current_password": {demo.Password}, "new_password": {goodPassword}, "confirm_password": {goodPassword}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("change: status %d\n%s", res.status, res.body)
	}
	if res := here.get("/t/northside/worklist"); res.status != http.StatusOK {
		t.Errorf("this session after the change: status %d", res.status)
	}
	if res := elsewhere.get("/t/northside/worklist"); res.status != http.StatusSeeOther {
		t.Errorf("the other session after the change: status %d", res.status)
	}
	mustContain(t, "account page", here.get("/account").body, "Password changed", "Sign-in failed")
	if res := app.client().post("/login", url.Values{"email": {"coord1@northside.test"}, "password": {goodPassword}}); res.status != http.StatusSeeOther {
		t.Errorf("sign in with the new password: status %d", res.status)
	}
}

func TestSettings_ValuesOutsideTheirBoundsAreRefusedAndNothingIsSaved(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	admin := app.signedIn("admin@northside.test")
	form := func(kv ...string) url.Values {
		v := url.Values{"name": {"Northside Health Partners"}, "cadence_high_days": {"7"}, "cadence_moderate_days": {"14"}, "cadence_low_days": {"30"},
			"first_contact_business_days": {"2"}, "referral_follow_up_business_days": {"5"}, "authorization_warning_days": {"14"},
			"depression_anxiety_reassess_days": {"90"}, "social_needs_reassess_months": {"12"}, "idle_timeout_minutes": {"30"},
			"risk_lace_high": {"10"}, "risk_phq9_high": {"15"}, "risk_social_domains": {"2"}, "risk_emergency_visits": {"2"},
			"risk_unreached_attempts": {"3"}, "time_zone": {"UTC"}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	tests := []struct{ name, field, value, want string }{
		{"idle too short", "idle_timeout_minutes", "4", "from 5 to 60"},
		{"idle too long", "idle_timeout_minutes", "61", "from 5 to 60"},
		{"not a number", "cadence_high_days", "weekly", "whole number"},
		{"zero days", "first_contact_business_days", "0", "from 1 to 10"},
		{"moderate more often than high", "cadence_moderate_days", "5", "more often than high-risk"},
		{"reassess too soon", "depression_anxiety_reassess_days", "7", "from 14 to 180"},
		{"no name", "name", " ", "Enter the organisation"},
		{"LACE threshold too low", "risk_lace_high", "6", "from 7 to 14"},
		{"LACE threshold too high", "risk_lace_high", "15", "from 7 to 14"},
		{"PHQ-9 threshold too low", "risk_phq9_high", "9", "from 10 to 20"},
		{"no social needs domain", "risk_social_domains", "0", "from 1 to 4"},
		{"six emergency visits", "risk_emergency_visits", "6", "from 1 to 5"},
		{"one attempt", "risk_unreached_attempts", "1", "from 2 to 6"},
		{"unknown time zone", "time_zone", "Mars/Olympus_Mons", "such as America/Los_Angeles"},
		{"no time zone", "time_zone", "", "such as America/Los_Angeles"},
	}
	for _, tt := range tests {
		res := admin.post("/t/northside/admin/settings", form(tt.field, tt.value))
		if res.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d", tt.name, res.status)
		}
		mustContain(t, tt.name, res.body, `data-testid="error-`+tt.field+`"`, tt.want)
	}
	// Test tenants are created on UTC (dbtest); nothing else may be stored.
	if raw := app.queryInt(`select count(*) from tenants where settings <> '{"time_zone": "UTC"}'::jsonb`); raw != 0 {
		t.Errorf("%d tenants have stored settings after refused changes", raw)
	}
	res := admin.post("/t/northside/admin/settings", form("cadence_high_days", "5", "idle_timeout_minutes", "15"))
	if res.status != http.StatusSeeOther {
		t.Fatalf("valid settings: status %d\n%s", res.status, res.body)
	}
	page := admin.get("/t/northside/admin/settings").body
	mustContain(t, "settings page", page, "Settings saved.", `name="cadence_high_days" type="number"`, `value="5"`, `value="15"`)
	var changes int
	if err := app.scanInTenant("northside", "select count(*) from audit_events where action = 'settings.changed'", nil, &changes); err != nil || changes != 2 {
		t.Errorf("settings.changed events: %d (%v), want 2", changes, err)
	}
}

func TestSettings_TheTenantsIdleTimeoutEndsIdleSessions(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); defer mu.Unlock(); now = now.Add(d) }
	app := newTestApp(t, func(o *Options) { o.Now = clock })
	if _, err := app.db.Pool.Exec(t.Context(), `update tenants set settings = '{"idle_timeout_minutes": 10}' where slug = 'northside'`); err != nil {
		t.Fatal(err)
	}
	maya := app.signedIn("coord1@northside.test")
	riverside := app.signedIn("coord1@riverside.test")
	for _, c := range []*client{maya, riverside} {
		followToPage(t, c, "/")
	}
	advance(9 * time.Minute)
	if res := maya.get("/t/northside/worklist"); res.status != http.StatusOK {
		t.Fatalf("after 9 idle minutes: status %d", res.status)
	}
	followToPage(t, riverside, "/")
	advance(11 * time.Minute)
	res := maya.get("/t/northside/worklist")
	if res.status != http.StatusSeeOther || !strings.HasPrefix(res.location(), "/login") {
		t.Fatalf("after 11 idle minutes in a 10-minute tenant: status %d to %s", res.status, res.location())
	}
	mustContain(t, "sign-in page", maya.get(res.location()).body, "signed out after 10 minutes without activity")
	// Riverside keeps the default of 30 minutes.
	if res := riverside.get("/t/riverside/worklist"); res.status != http.StatusOK {
		t.Errorf("riverside after 11 idle minutes: status %d", res.status)
	}
}

func TestSettings_ReassessmentIntervalMovesTheDueDateOnTheChart(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	if _, err := app.db.Pool.Exec(t.Context(), `update tenants set settings = '{"depression_anxiety_reassess_days": 30}' where slug = 'northside'`); err != nil {
		t.Fatal(err)
	}
	p := chartPatient(t, app)
	c := app.signedIn("coord1@northside.test")
	// A moderate PHQ-9 (10 points) is due again after the tenant's 30 days.
	asmComplete(t, app, c, p, 1, 1, 1, 1, 1, 1, 2, 2, 0)
	due := longDate(time.Now().AddDate(0, 0, 30))
	mustContain(t, "chart", c.get("/t/northside/patients/"+p).body, "PHQ-9 due "+due)
}

func TestClosures_AdminClosesADayAndOpensItAgain(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	admin := app.signedIn("admin@northside.test")
	tests := []struct{ name, day, reason, field, want string }{
		{"no reason", "2026-11-27", " ", "name", "Say why the organisation is closed"},
		{"no day", "", "Staff day", "day", "Choose a date."},
		{"not a date", "27/11/2026", "Staff day", "day", "Enter a real date"},
		{"year out of range", "0026-11-27", "Staff day", "day", "between 1900 and 2199"},
	}
	for _, tt := range tests {
		res := admin.post("/t/northside/admin/closures", url.Values{"day": {tt.day}, "name": {tt.reason}})
		if res.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d", tt.name, res.status)
		}
		mustContain(t, tt.name, res.body, `data-testid="error-`+tt.field+`"`, tt.want)
	}
	if n := app.queryInt("select count(*) from closure_days"); n != 0 {
		t.Errorf("%d closures after refused forms", n)
	}
	if res := admin.post("/t/northside/admin/closures", url.Values{"day": {"2026-11-27"}, "name": {"Day after Thanksgiving"}}); res.status != http.StatusSeeOther {
		t.Fatalf("close a day: status %d\n%s", res.status, res.body)
	}
	page := admin.get("/t/northside/admin/closures").body
	mustContain(t, "closures page", page, "Closed on 27 Nov 2026.", "Fri 27 Nov 2026", "Day after Thanksgiving", "Thanksgiving Day 26 Nov")
	res := admin.post("/t/northside/admin/closures", url.Values{"day": {"2026-11-27"}, "name": {"Again"}})
	if res.status != http.StatusUnprocessableEntity {
		t.Errorf("the same day twice: status %d", res.status)
	}
	mustContain(t, "the same day twice", res.body, "already closed", `value="Again"`)

	var id string
	if err := app.scanInTenant("northside", "select id::text from closure_days", nil, &id); err != nil {
		t.Fatal(err)
	}
	other := app.signedIn("admin@riverside.test")
	if res := other.post("/t/riverside/admin/closures/"+id+"/remove", url.Values{}); res.status != http.StatusNotFound {
		t.Errorf("another tenant removes the closure: status %d", res.status)
	}
	if res := admin.post("/t/northside/admin/closures/"+id+"/remove", url.Values{}); res.status != http.StatusSeeOther {
		t.Fatalf("open again: status %d", res.status)
	}
	mustContain(t, "after removing", admin.get("/t/northside/admin/closures").body, "Open again on 27 Nov 2026.", "No closure days")
	var events int
	if err := app.scanInTenant("northside", "select count(*) from audit_events where action in ('closure.added', 'closure.removed')", nil, &events); err != nil || events != 2 {
		t.Errorf("closure events: %d (%v), want 2", events, err)
	}
}

func TestSettings_TimeZoneIsSavedAndAudited(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	admin := app.signedIn("admin@northside.test")
	f := tenants.SettingsFormOf("Northside Health Partners", tenants.DefaultSettings())
	form := url.Values{"name": {f.Name}, "time_zone": {"America/Los_Angeles"}}
	for k, v := range f.Values {
		form.Set(k, v)
	}
	if res := admin.post("/t/northside/admin/settings", form); res.status != http.StatusSeeOther {
		t.Fatalf("save: status %d\n%s", res.status, res.body)
	}
	mustContain(t, "settings page", admin.get("/t/northside/admin/settings").body, `value="America/Los_Angeles"`)
	var zone string
	if err := app.scanInTenant("northside", "select current_setting('TimeZone')", nil, &zone); err != nil || zone != "America/Los_Angeles" {
		t.Errorf("the tenant's transaction runs on %q (%v)", zone, err)
	}
	var changed int
	if err := app.scanInTenant("northside", "select count(*) from audit_events where action = 'settings.changed' and detail->>'setting' = 'time_zone' and detail->>'to' = 'America/Los_Angeles'", nil, &changed); err != nil || changed != 1 {
		t.Errorf("time_zone settings.changed events: %d (%v)", changed, err)
	}
}
