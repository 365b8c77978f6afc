package server

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"carecoord/internal/db"
	"carecoord/internal/patients"

	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5"
)

// The demo tenants hold sixty patients each; the float coordinator carries
// none of them, so a list signed in as float shows exactly the test's own.
const floatEmail = "float@demo.test"

// listPatient is a patient the list tests put in a demo tenant.
type listPatient struct {
	given, family string
	// coordinator is a demo email; "" leaves the patient unassigned.
	coordinator string
	status      patients.Status
}

// addListPatients stores patients in the tenant through patients.Create,
// as intake does.
func (a *testApp) addListPatients(slug string, people ...listPatient) {
	a.t.Helper()
	ctx := context.Background()
	tenantID := a.tenantID(slug)
	err := db.InTenant(ctx, a.db.Pool, tenantID, func(tx pgx.Tx) error {
		for _, p := range people {
			np := patients.NewPatient{Details: patients.Details{
				DetailsForm: patients.DetailsForm{GivenName: p.given, FamilyName: p.family, Phone: "555-010-2000", PreferredLanguage: "English"},
				DOB:         time.Date(1948, 3, 21, 0, 0, 0, 0, time.UTC), Tier: patients.Moderate,
			}}
			if p.coordinator != "" {
				id := a.listUserID(p.coordinator)
				np.Coordinator = &id
			}
			id, err := patients.Create(ctx, tx, tenantID, "", np)
			if err != nil {
				return err
			}
			if p.status != "" {
				if _, err := tx.Exec(ctx, "update patients set status = $3 where tenant_id = $1 and id = $2", tenantID, id, p.status); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		a.t.Fatal(err)
	}
}

func (a *testApp) listUserID(email string) string {
	a.t.Helper()
	var id string
	if err := a.db.Pool.QueryRow(context.Background(), "select id from users where email = $1", email).Scan(&id); err != nil {
		a.t.Fatal(err)
	}
	return id
}

func patientRows(body string) int { return strings.Count(body, `data-testid="patient-row"`) }

var nextPageLink = regexp.MustCompile(`href="([^"]*)" rel="next"`)

func TestPatientList_CoordinatorFindsAPatientByAMisspelledName(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.addListPatients("riverside",
		listPatient{given: "Margaret", family: "Quillfeather", coordinator: floatEmail},
		listPatient{given: "Walter", family: "Brightwater", coordinator: floatEmail},
	)
	c := app.signedIn(floatEmail)
	res := c.get("/t/riverside/patients?q=" + url.QueryEscape("Margret Quilfeather"))
	if res.status != http.StatusOK {
		t.Fatalf("status %d", res.status)
	}
	mustContain(t, "search results", res.body, `data-testid="patient-list"`, "Quillfeather, Margaret", `value="Margret Quilfeather"`)
	mustNotContain(t, "search results", res.body, "Brightwater")
	if n := patientRows(res.body); n != 1 {
		t.Errorf("%d rows, want 1", n)
	}
	// Names are health information: the request log has the path only.
	mustNotContain(t, "log", app.logs.String(), "Margret", "Quil")
}

func TestPatientList_ShowsMyCaseloadUnlessAskedForMore(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.addListPatients("riverside",
		listPatient{given: "Mine", family: "Active", coordinator: floatEmail, status: patients.Active},
		listPatient{given: "Mine", family: "Held", coordinator: floatEmail, status: patients.OnHold},
		listPatient{given: "Priyas", family: "Zweistein", coordinator: "coord2@riverside.test"},
	)
	c := app.signedIn(floatEmail)
	tests := []struct {
		query string
		want  []string
		not   []string
	}{
		{"", []string{"Active, Mine", "Held, Mine", "Your caseload"}, []string{"Zweistein"}},
		{"?coordinator=all&q=Zweistein", []string{"Zweistein, Priyas", "Everyone&#39;s patients"}, nil},
		{"?coordinator=" + app.listUserID("coord2@riverside.test") + "&q=Zweistein", []string{"Zweistein, Priyas", "Caseload of Priya Natarajan"}, nil},
		{"?status=on_hold", []string{"Held, Mine"}, []string{"Active, Mine"}},
		{"?status=active&risk=high", []string{"No patients match"}, []string{"Mine"}},
	}
	for _, tt := range tests {
		res := c.get("/t/riverside/patients" + tt.query)
		if res.status != http.StatusOK {
			t.Errorf("%q: status %d", tt.query, res.status)
		}
		mustContain(t, tt.query, res.body, tt.want...)
		mustNotContain(t, tt.query, res.body, tt.not...)
	}
}

func TestPatientList_NeverShowsAnotherTenantsPatients(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.addListPatients("northside", listPatient{given: "Margaret", family: "Quillfeather", coordinator: "coord1@northside.test"})
	app.addListPatients("riverside", listPatient{given: "Rosa", family: "Delgado", coordinator: floatEmail})
	c := app.signedIn(floatEmail)
	northCoord := app.listUserID("coord1@northside.test")
	for _, q := range []string{
		"?coordinator=all",
		"?coordinator=all&q=Margaret+Quillfeather",
		"?coordinator=" + northCoord,
		"?coordinator=" + northCoord + "&q=Quillfeather",
	} {
		res := c.get("/t/riverside/patients" + q)
		if res.status != http.StatusOK {
			t.Errorf("%s: status %d", q, res.status)
		}
		mustNotContain(t, q, res.body, "Quillfeather, Margaret", "Maya Okafor")
	}
	res := c.get("/t/riverside/patients?coordinator=" + northCoord)
	mustContain(t, "northside coordinator", res.body, `data-testid="error-coordinator"`, "Delgado, Rosa")
}

func TestPatientList_BadFilterValuesGetAMessageNotAnError(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.addListPatients("riverside", listPatient{given: "Rosa", family: "Delgado", coordinator: floatEmail})
	c := app.signedIn(floatEmail)
	tests := []struct{ query, testid string }{
		{"status=asleep", "error-status"},
		{"risk=extreme", "error-risk"},
		{"coordinator=not-a-uuid", "error-coordinator"},
		{"coordinator=00000000-0000-4000-8000-000000000001", "error-coordinator"},
		{"q=1948-02-30", "error-q"},
		{"q=x", "error-q"},
		{"after=not-a-cursor", "form-problem"},
		{"after=AAAAAAAAAAAAAAAAAAAAAA", "form-problem"},
	}
	for _, tt := range tests {
		res := c.get("/t/riverside/patients?" + tt.query)
		if res.status != http.StatusOK {
			t.Errorf("%s: status %d, want 200", tt.query, res.status)
		}
		mustContain(t, tt.query, res.body, `data-testid="`+tt.testid+`"`, "Delgado, Rosa")
	}
}

func TestPatientList_NextPageKeepsTheFiltersAndShowsTheRest(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	var people []listPatient
	for i := range 30 {
		people = append(people, listPatient{given: "Pat", family: fmt.Sprintf("Active%02d", i), coordinator: floatEmail, status: patients.Active})
	}
	people = append(people, listPatient{given: "Pat", family: "Held", coordinator: floatEmail, status: patients.OnHold})
	app.addListPatients("riverside", people...)
	c := app.signedIn(floatEmail)

	first := c.get("/t/riverside/patients?status=active")
	m := nextPageLink.FindStringSubmatch(first.body)
	if patientRows(first.body) != 25 || m == nil {
		t.Fatalf("first page: %d rows, next link %v", patientRows(first.body), m)
	}
	next := html.UnescapeString(m[1])
	if !strings.Contains(next, "status=active") || !strings.Contains(next, "after=") {
		t.Errorf("next link %q does not carry the filter and the cursor", next)
	}
	second := c.get(next)
	if n := patientRows(second.body); n != 5 {
		t.Errorf("second page: %d rows, want 5", n)
	}
	mustContain(t, "second page", second.body, "Active29, Pat", "First page")
	mustNotContain(t, "second page", second.body, "Active00, Pat", "Held, Pat", `rel="next"`)
	for i := range 30 {
		name := fmt.Sprintf("Active%02d, Pat", i)
		if strings.Contains(first.body, name) == strings.Contains(second.body, name) {
			t.Errorf("%s is on both pages or neither", name)
		}
	}
}

func TestPatientList_EmptyListsOfferNewPatient(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn(floatEmail)
	tests := []struct {
		query string
		want  []string
	}{
		{"", []string{"No patients in your caseload yet"}},
		{"?q=Zebedee", []string{"No patients match", `href="/t/northside/patients?coordinator=all&amp;q=Zebedee"`}},
	}
	for _, tt := range tests {
		res := c.get("/t/northside/patients" + tt.query)
		if res.status != http.StatusOK {
			t.Fatalf("%q: status %d", tt.query, res.status)
		}
		mustContain(t, tt.query, res.body, append(tt.want, `data-testid="patient-list-empty"`, `href="/t/northside/patients/new"`)...)
		mustNotContain(t, tt.query, res.body, `data-testid="patient-list"`)
	}
}

func TestJourney_CoordinatorFindsAPatientAgainByAMisspelledName(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.addListPatients("riverside", listPatient{given: "Margaret", family: "Quillfeather", coordinator: "coord2@riverside.test"})
	ctx := browser(t)
	var first, scope string
	err := chromedp.Do(ctx,
		signInInBrowser(app, "coord1@riverside.test"),
		chromedp.Navigate(app.http.URL+"/t/riverside/patients"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=patient-list]`)),
		screenshot("patient-list"),
		chromedp.SendKeys(chromedp.CSS(`input[name=q]`), "Margret Quilfeather"),
		chromedp.SetValue(chromedp.CSS(`select[name=coordinator]`), "all"),
		chromedp.Click(chromedp.CSS(`[data-testid=patient-filters] button[type=submit]`)),
		// The list is on the page before the search too; the Clear link
		// appears only on the results, so waiting for it cannot match the
		// page that is going away.
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=patient-filters] a.button`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=patient-row]`)),
		text(`[data-testid=patient-row]`, &first),
		text(`[data-testid=patient-list-scope]`, &scope),
		screenshot("patient-search"),
		chromedp.Navigate(app.http.URL+"/t/riverside/patients?status=bogus&q=1948-02-30"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=error-status]`)),
		screenshot("patient-list-bad-filters"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(first, "Quillfeather, Margaret") || !strings.Contains(first, "Priya Natarajan") {
		t.Errorf("first row = %q, want Margaret Quillfeather, Priya Natarajan's patient", first)
	}
	if scope != "Everyone's patients" {
		t.Errorf("scope = %q", scope)
	}
}
