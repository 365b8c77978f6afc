package referrals_test

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"carecoord/internal/assessments"
	"carecoord/internal/calendar"
	"carecoord/internal/careplans"
	"carecoord/internal/patients"
	"carecoord/internal/referrals"

	"github.com/google/go-cmp/cmp"
)

func TestLifecycle_OnlyTheseStepsFollowEachStatus(t *testing.T) {
	t.Parallel()
	all := []referrals.Status{referrals.Draft, referrals.Sent, referrals.Accepted, referrals.InProgress, referrals.Completed,
		referrals.Declined, referrals.NoResponse, referrals.Cancelled}
	want := map[referrals.Status][]referrals.Status{
		referrals.Draft:      {referrals.Sent, referrals.Cancelled},
		referrals.Sent:       {referrals.Accepted, referrals.Completed, referrals.Declined, referrals.NoResponse, referrals.Cancelled},
		referrals.Accepted:   {referrals.InProgress, referrals.Completed, referrals.Cancelled},
		referrals.InProgress: {referrals.Completed, referrals.Cancelled},
	}
	for _, from := range all {
		var got []referrals.Status
		for _, to := range all {
			if from.CanMove(to) {
				got = append(got, to)
			}
		}
		if diff := cmp.Diff(want[from], got); diff != "" {
			t.Errorf("steps from %s (-want +got):\n%s", from, diff)
		}
		if from.Open() != (len(want[from]) > 0) {
			t.Errorf("%s: Open() = %v, but it has %d next steps", from, from.Open(), len(want[from]))
		}
	}
	if got := referrals.Draft.Next(); len(got) != 1 || got[0] != referrals.Cancelled {
		t.Errorf("a draft's status form offers %v; sending has its own step with the consent check", got)
	}
}

func TestStep_EndingsNeedAnOutcomeOrAReason(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		from referrals.Status
		step referrals.Step
		want []string
	}{
		{"accepted", referrals.Sent, referrals.Step{To: referrals.Accepted}, nil},
		{"completed with an outcome", referrals.Accepted, referrals.Step{To: referrals.Completed, Outcome: referrals.Met}, nil},
		{"completed without an outcome", referrals.Accepted, referrals.Step{To: referrals.Completed}, []string{"outcome"}},
		{"unknown outcome", referrals.Accepted, referrals.Step{To: referrals.Completed, Outcome: "great"}, []string{"outcome"}},
		{"declined without a reason", referrals.Sent, referrals.Step{To: referrals.Declined}, []string{"note"}},
		{"no response with a reason", referrals.Sent, referrals.Step{To: referrals.NoResponse, Note: "Three calls"}, nil},
		{"sent is not a step here", referrals.Draft, referrals.Step{To: referrals.Sent}, []string{"status"}},
		{"back from completed", referrals.Completed, referrals.Step{To: referrals.InProgress}, []string{"status"}},
		{"unknown status", referrals.Sent, referrals.Step{To: "lost"}, []string{"status"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			errs := referrals.Errors{}
			tt.step.Validate(tt.from, errs)
			var got []string
			for k := range errs {
				got = append(got, k)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("fields with errors (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckSharing_NeedsConsentInForceAndTheProvidersAgreement(t *testing.T) {
	t.Parallel()
	day := time.Date(2026, 5, 10, 0, 0, 0, 0, time.UTC)
	date := func(s string) *time.Time {
		d, _ := time.Parse("2006-01-02", s)
		return &d
	}
	given := patients.Consent{Kind: "information_sharing", GivenOn: *date("2026-01-05"), GivenBy: "the patient"}
	expired := patients.Consent{Kind: "information_sharing", GivenOn: *date("2025-01-05"), GivenBy: "the patient", ExpiresOn: date("2026-01-04")}
	revoked := patients.Consent{Kind: "information_sharing", GivenOn: *date("2026-01-05"), GivenBy: "the patient", RevokedOn: date("2026-04-01")}
	treatment := patients.Consent{Kind: "treatment", GivenOn: *date("2026-01-05"), GivenBy: "the patient"}
	agreed := &patients.Member{ID: "m1", MemberForm: patients.MemberForm{Name: "Dr. Rao", ConsentToShare: true}}
	notAgreed := &patients.Member{ID: "m2", MemberForm: patients.MemberForm{Name: "Dr. Vogel"}}
	tests := []struct {
		name     string
		consents []patients.Consent
		member   *patients.Member
		allowed  bool
		reason   string
	}{
		{"nothing recorded", nil, nil, false, "No consent to share information is recorded for Ana."},
		{"only consent to treatment", []patients.Consent{treatment}, nil, false, "No consent to share information is recorded for Ana."},
		{"expired", []patients.Consent{expired}, nil, false, "Ana's consent to share information expired on 4 Jan 2026."},
		{"revoked", []patients.Consent{revoked}, nil, false, "Ana revoked their consent to share information on 1 Apr 2026."},
		{"revoked, then given again", []patients.Consent{revoked, given}, nil, true, ""},
		{"given, to a resource", []patients.Consent{given}, nil, true, ""},
		{"given, provider agreed", []patients.Consent{given}, agreed, true, ""},
		{"given, provider not agreed", []patients.Consent{given}, notAgreed, false, "Ana has not agreed to share information with Dr. Vogel."},
		{"provider agreed, no consent", nil, agreed, false, "No consent to share information is recorded for Ana."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := referrals.CheckSharing(tt.consents, tt.member, "Ana", day)
			if got.Allowed != tt.allowed || got.Reason != tt.reason {
				t.Errorf("got allowed=%v reason=%q, want allowed=%v reason=%q", got.Allowed, got.Reason, tt.allowed, tt.reason)
			}
			if got.Allowed && !strings.Contains(got.Basis, "given 5 Jan 2026 by the patient") {
				t.Errorf("basis %q does not name the consent relied on", got.Basis)
			}
			if !got.Allowed && got.Fix == "" {
				t.Error("a refusal must say what to record")
			}
		})
	}
}

func TestFollowUpDay_CountsBusinessDays(t *testing.T) {
	t.Parallel()
	tests := []struct {
		sent string
		days int
		want string
	}{
		{"2026-03-02", 5, "2026-03-09"}, // Monday to Monday
		{"2026-03-06", 1, "2026-03-09"}, // Friday to Monday
		{"2026-03-06", 5, "2026-03-13"}, // Friday to Friday
		{"2026-03-07", 5, "2026-03-13"}, // sent on Saturday: counts from Monday
		{"2026-03-08", 1, "2026-03-09"}, // Sunday to Monday
		{"2026-03-04", 10, "2026-03-18"},
		{"2026-11-25", 1, "2026-11-27"}, // Wednesday before Thanksgiving: Friday
		{"2026-11-25", 5, "2026-12-03"},
		{"2026-07-02", 1, "2026-07-06"}, // Thursday: Friday 3 July is the observed Independence Day
	}
	for _, tt := range tests {
		sent, _ := time.ParseInLocation("2006-01-02 15:04", tt.sent+" 16:30", time.Local)
		if got := referrals.FollowUpDay(calendar.Calendar{}, sent, tt.days).Format("2006-01-02"); got != tt.want {
			t.Errorf("sent %s (%s) + %d business days = %s, want %s", tt.sent, sent.Weekday(), tt.days, got, tt.want)
		}
	}
}

func TestWriteCalendar_IsValidICalendar(t *testing.T) {
	t.Parallel()
	berlin, _ := time.LoadLocation("Europe/Berlin")
	start := time.Date(2026, 7, 1, 10, 30, 0, 0, berlin)
	long := strings.Repeat("Ärztezentrum am Fluss, ", 6)
	events := []referrals.CalendarEvent{{
		UID: "4f1c@carecoord", Start: start, End: start.Add(45 * time.Minute),
		Summary:     "Follow-up; bring letters, list\\notes",
		Location:    long,
		Description: "Transport is arranged.\nAn interpreter is needed.",
	}}
	var b bytes.Buffer
	stamp := time.Date(2026, 6, 20, 8, 0, 0, 0, time.UTC)
	if err := referrals.WriteCalendar(&b, "Appointments", events, stamp); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.HasSuffix(out, "END:VCALENDAR\r\n") || strings.Contains(strings.ReplaceAll(out, "\r\n", ""), "\n") {
		t.Fatalf("every line must end in CRLF:\n%q", out)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n")
	for _, l := range lines {
		if len(l) > 75 {
			t.Errorf("line of %d octets: %q", len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Errorf("folding split a character: %q", l)
		}
	}
	// Unfolding (RFC 5545 3.1) gives back whole content lines.
	unfolded := strings.ReplaceAll(strings.TrimSuffix(out, "\r\n"), "\r\n ", "")
	props := map[string]string{}
	for _, l := range strings.Split(unfolded, "\r\n") {
		k, v, _ := strings.Cut(l, ":")
		props[k] = v
	}
	want := map[string]string{
		"VERSION":     "2.0",
		"UID":         "4f1c@carecoord",
		"DTSTAMP":     "20260620T080000Z",
		"DTSTART":     "20260701T083000Z",
		"DTEND":       "20260701T091500Z",
		"SUMMARY":     `Follow-up\; bring letters\, list\\notes`,
		"LOCATION":    strings.Repeat(`Ärztezentrum am Fluss\, `, 6),
		"DESCRIPTION": `Transport is arranged.\nAn interpreter is needed.`,
	}
	for k, v := range want {
		if props[k] != v {
			t.Errorf("%s = %q, want %q", k, props[k], v)
		}
	}
	if !strings.Contains(out, "BEGIN:VEVENT\r\n") || !strings.Contains(out, "END:VEVENT\r\n") || !strings.Contains(out, "PRODID:") {
		t.Errorf("missing calendar structure:\n%s", out)
	}
}

func TestStartingFilter_OpensOnTheNeedAndThePatientsLanguage(t *testing.T) {
	t.Parallel()
	food := careplans.Need{Domain: assessments.NeedFood}
	spoken := []string{"English", "Somali", "Spanish"}
	tests := []struct {
		name         string
		need         *careplans.Need
		language     string
		wantDomain   string
		wantLanguage string
	}{
		{"the need's domain and a language a resource speaks", &food, "spanish", "food", "Spanish"},
		{"a language nobody speaks is no filter", &food, "Tagalog", "food", ""},
		{"English is no filter", &food, "English", "food", ""},
		{"no need, no domain", nil, "Somali", "", "Somali"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := referrals.StartingFilter(referrals.Filter{}, tt.need, tt.language, spoken)
			var domain, language string
			if f.Domain != nil {
				domain = string(*f.Domain)
			}
			if f.Language != nil {
				language = *f.Language
			}
			if domain != tt.wantDomain || language != tt.wantLanguage {
				t.Errorf("got domain %q language %q, want %q %q", domain, language, tt.wantDomain, tt.wantLanguage)
			}
		})
	}
}

func TestMarksAt_PreparationsBeforeHowItWentAfter(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 5, 10, 14, 0, 0, 0, time.UTC)
	a := referrals.Appointment{StartsAt: start, Minutes: 30, Status: referrals.Scheduled, TransportNeeded: true}
	tests := []struct {
		name string
		appt referrals.Appointment
		now  time.Time
		want []referrals.Mark
	}{
		{"before", a, start.Add(-time.Hour), []referrals.Mark{referrals.MarkReminded, referrals.MarkTransport, referrals.MarkCancelled}},
		{"once begun", a, start, []referrals.Mark{referrals.MarkKept, referrals.MarkMissed, referrals.MarkCancelled}},
		{"recorded", referrals.Appointment{StartsAt: start, Status: referrals.Kept}, start.Add(time.Hour), nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, tt.appt.MarksAt(tt.now)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}
