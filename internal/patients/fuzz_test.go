package patients

import (
	"net/url"
	"testing"
	"time"
)

// FuzzForms feeds any posted form to every form of the patient record:
// whatever arrives, reading and checking it never panics, and what passes
// the intake's checks is a patient the rules allow.
func FuzzForms(f *testing.F) {
	f.Add("given_name=Ann&family_name=Lee&date_of_birth=1970-01-31&sex=female&phone=555-0100&coverage.0.payer=Medicaid&team.0.kind=family&consent.treatment.given_on=2025-01-10")
	f.Add("given_name=%00&family_name=%FF&date_of_birth=0001-01-01&coverage.99999999999.payer=x&team.-1.kind=y")
	f.Add("date_of_birth=9999-12-31&consent.treatment.given_on=1899-12-31&status=discharged&reason=x&version=-1")
	today := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, raw string) {
		v, _ := url.ParseQuery(raw)
		np, errs := ParseIntake(v).Validate(today, map[string]bool{"c": true})
		if len(errs) == 0 && (np.DOB.After(today) || np.DOB.Before(today.AddDate(-120, 0, 0))) {
			t.Errorf("intake accepted a birth on %v", np.DOB)
		}
		ParseDetails(v).Validate(today, map[string]bool{}, Errors{})
		ParseCoverage(v, "coverage.0.").Validate("coverage.0.", Errors{})
		ParseMember(v, "team.0.").Validate("team.0.", Errors{})
		ParseConsent(v, "consent.treatment.").Validate("consent.treatment.", today, Errors{})
		ParseStatusForm(v).Validate(Errors{})
	})
}

// FuzzSearch feeds any query string to the patient list's filter bar: it
// never panics, and a value it keeps is one it can use.
func FuzzSearch(f *testing.F) {
	f.Add("q=Margret+Quilfeather&coordinator=everyone&status=active&risk=high&after=0a1b2c3d-0000-4000-8000-000000000001")
	f.Add("q=%00%FF&after=not-a-cursor&coordinator=%27")
	f.Add("q=MRN-12345")
	f.Fuzz(func(t *testing.T, raw string) {
		v, _ := url.ParseQuery(raw)
		_, applied, errs := ParseListForm(v).Validate("me", map[string]bool{"c": true})
		if applied.Coordinator != "" && applied.Coordinator != EveryCoordinator && applied.Coordinator != "c" && errs == nil {
			t.Errorf("kept coordinator %q", applied.Coordinator)
		}
	})
}
