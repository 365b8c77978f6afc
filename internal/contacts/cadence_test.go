package contacts_test

import (
	"testing"
	"time"

	"carecoord/internal/contacts"
	"carecoord/internal/patients"
	"carecoord/internal/tenants"

	"github.com/google/go-cmp/cmp"
)

func day(s string) time.Time {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestCadence_NextDueByTierAndForNewReferrals(t *testing.T) {
	t.Parallel()
	c := contacts.CadenceOf(tenants.DefaultSettings())
	loc := time.UTC
	reached := time.Date(2026, 3, 2, 15, 30, 0, 0, loc) // a Monday afternoon
	tests := []struct {
		name      string
		state     contacts.ContactState
		want      string
		wantFirst bool
	}{
		{"high risk: a week after the last contact", contacts.ContactState{Tier: patients.High, LastReached: &reached}, "2026-03-09", false},
		{"moderate risk: 14 days", contacts.ContactState{Tier: patients.Moderate, LastReached: &reached}, "2026-03-16", false},
		{"low risk: 30 days", contacts.ContactState{Tier: patients.Low, LastReached: &reached}, "2026-04-01", false},
		{"never reached, referred on a Friday: first contact by Tuesday",
			contacts.ContactState{Tier: patients.High, Referred: day("2026-03-06")}, "2026-03-10", true},
		{"never reached, referred on a Wednesday: first contact by Friday",
			contacts.ContactState{Tier: patients.Low, Referred: day("2026-03-04")}, "2026-03-06", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, first := c.NextDue(tt.state, loc)
			if !got.Equal(day(tt.want)) || first != tt.wantFirst {
				t.Errorf("NextDue = %s first %v, want %s first %v", got.Format("Mon 2006-01-02"), first, tt.want, tt.wantFirst)
			}
		})
	}
}

func TestCadence_TenantSettingsChangeTheDates(t *testing.T) {
	t.Parallel()
	s := tenants.DefaultSettings()
	s.CadenceHighDays, s.FirstContactBusinessDays = 3, 5
	c := contacts.CadenceOf(s)
	reached := day("2026-03-02")
	if got, _ := c.NextDue(contacts.ContactState{Tier: patients.High, LastReached: &reached}, time.UTC); !got.Equal(day("2026-03-05")) {
		t.Errorf("high risk every 3 days: due %s", got)
	}
	if got, _ := c.NextDue(contacts.ContactState{Referred: day("2026-03-02")}, time.UTC); !got.Equal(day("2026-03-09")) {
		t.Errorf("first contact within 5 business days of a Monday: due %s", got)
	}
}

func TestCadence_SortCaseloadPutsEachPatientInOneSectionMostUrgentFirst(t *testing.T) {
	t.Parallel()
	c := contacts.CadenceOf(tenants.DefaultSettings())
	today := day("2026-03-16")
	at := func(s string) *time.Time { d := day(s).Add(10 * time.Hour); return &d }
	p := func(name string, st patients.Status, tier patients.RiskTier, referred string, last *time.Time, misses int) contacts.CaseloadPatient {
		return contacts.CaseloadPatient{ID: name, Name: name, Status: st, Tier: tier, Referred: day(referred),
			Reach: contacts.Reach{LastReached: last, UnreachedAttempts: misses}}
	}
	list := []contacts.CaseloadPatient{
		p("due-moderate", patients.Active, patients.Moderate, "2025-01-01", at("2026-03-01"), 0),
		p("not-yet-due", patients.Active, patients.High, "2025-01-01", at("2026-03-12"), 0),
		p("due-high-longer", patients.Active, patients.High, "2025-01-01", at("2026-03-05"), 1),
		p("unreachable", patients.Active, patients.High, "2025-01-01", at("2026-01-05"), 3),
		p("unreachable-on-hold", patients.OnHold, patients.Low, "2025-01-01", nil, 4),
		p("on-hold", patients.OnHold, patients.Low, "2025-01-01", at("2025-06-01"), 0),
		p("new-referral-late", patients.Referred, patients.Moderate, "2026-03-06", nil, 1),
		p("new-referral", patients.Referred, patients.High, "2026-03-13", nil, 0),
		p("referred-reached", patients.Referred, patients.High, "2026-03-02", at("2026-03-03"), 0),
		p("active-never-reached", patients.Active, patients.Low, "2026-03-02", nil, 0),
	}
	w := c.SortCaseload(list, today, time.UTC)
	names := func(xs []contacts.ContactDue) []string {
		var out []string
		for _, x := range xs {
			out = append(out, x.Name+" "+x.Due.Format("01-02"))
		}
		return out
	}
	var unreachable []string
	for _, u := range w.Unreachable {
		unreachable = append(unreachable, u.Name)
	}
	if diff := cmp.Diff([]string{"unreachable-on-hold", "unreachable"}, unreachable); diff != "" {
		t.Errorf("unreachable (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"new-referral-late 03-10", "new-referral 03-17"}, names(w.NewReferrals)); diff != "" {
		t.Errorf("new referrals (-want +got):\n%s", diff)
	}
	// due-moderate's 14 days land on Sunday 15 March: due on Monday 16, the next open day.
	want := []string{"active-never-reached 03-04", "referred-reached 03-10", "due-high-longer 03-12", "due-moderate 03-16"}
	if diff := cmp.Diff(want, names(w.DueForContact)); diff != "" {
		t.Errorf("due for contact (-want +got):\n%s", diff)
	}
}
