package contacts_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"carecoord/internal/calendar"
	"carecoord/internal/caseload"
	"carecoord/internal/contacts"
	"carecoord/internal/patients"
	"carecoord/internal/tasks"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
)

// step is one thing that happens to a case's patient, on a day counted
// from the case's first discharge (day 0).
type step struct {
	kind     string // "discharge", "admission", "care_facility", "contact", "exclude"
	day      int
	admitted *int   // a discharge's admission day
	method   string // a contact's method, party and outcome
	party    string
	outcome  string
	reason   string // an exclusion's reason
}

func discharge(day int) step { return step{kind: "discharge", day: day} }
func reached(day int, method string) step {
	return step{kind: "contact", day: day, method: method, party: "patient", outcome: "reached"}
}
func contact(day int, method, party, outcome string) step {
	return step{kind: "contact", day: day, method: method, party: party, outcome: outcome}
}

// followUpCases are hand-worked cases of the 7-day follow-up after
// discharge (contacts.FollowUpOutcome, after HEDIS FUH 7-day and TRC):
// want is the state of each discharge the case records, in order. Each
// case's first discharge is ago days before today, on its own day.
var followUpCases = []struct {
	name  string
	ago   int
	steps []step
	want  []contacts.FollowUpState
}{
	{"a contact on the discharge day does not count", 30,
		[]step{discharge(0), reached(0, "phone")}, []contacts.FollowUpState{contacts.FollowUpMissed}},
	{"reached by phone on day 1 meets it", 40,
		[]step{discharge(0), reached(1, "phone")}, []contacts.FollowUpState{contacts.FollowUpMet}},
	{"reached in person on day 7 meets it", 50,
		[]step{discharge(0), reached(7, "in_person")}, []contacts.FollowUpState{contacts.FollowUpMet}},
	{"reached on day 8 is late", 60,
		[]step{discharge(0), reached(8, "phone")}, []contacts.FollowUpState{contacts.FollowUpLate}},
	{"reached but declined does not count", 70,
		[]step{discharge(0), contact(2, "phone", "patient", "declined")}, []contacts.FollowUpState{contacts.FollowUpMissed}},
	{"a letter marked reached does not count", 80,
		[]step{discharge(0), contact(2, "letter", "patient", "reached")}, []contacts.FollowUpState{contacts.FollowUpMissed}},
	{"a voicemail does not count", 90,
		[]step{discharge(0), contact(2, "phone", "patient", "left_message")}, []contacts.FollowUpState{contacts.FollowUpMissed}},
	{"a call with the caregiver does not count", 100,
		[]step{discharge(0), contact(2, "phone", "other", "reached")}, []contacts.FollowUpState{contacts.FollowUpMissed}},
	{"reached by video on day 3 meets it", 110,
		[]step{discharge(0), reached(3, "video")}, []contacts.FollowUpState{contacts.FollowUpMet}},
	{"an engagement logged before the discharge was recorded meets it at once", 120,
		[]step{reached(2, "home_visit"), discharge(0)}, []contacts.FollowUpState{contacts.FollowUpMet}},
	{"a readmission on day 3 excludes the discharge", 130,
		[]step{discharge(0), {kind: "admission", day: 3}}, []contacts.FollowUpState{contacts.FollowUpExcluded}},
	{"a readmission on day 8 excludes nothing", 140,
		[]step{discharge(0), {kind: "admission", day: 8}}, []contacts.FollowUpState{contacts.FollowUpMissed}},
	{"two discharges close together: the second excludes the first and is met", 150,
		[]step{discharge(0), {kind: "discharge", day: 4, admitted: ptr(2)}, reached(5, "phone")},
		[]contacts.FollowUpState{contacts.FollowUpExcluded, contacts.FollowUpMet}},
	{"a move to a care facility on day 0 is a transfer", 160,
		[]step{discharge(0), {kind: "care_facility", day: 0}}, []contacts.FollowUpState{contacts.FollowUpExcluded}},
	{"a transfer recorded on the discharge excludes it", 165,
		[]step{discharge(0), {kind: "exclude", day: 6, reason: "transferred"}}, []contacts.FollowUpState{contacts.FollowUpExcluded}},
	{"a death after day 7 excludes a missed discharge", 170,
		[]step{discharge(0), {kind: "exclude", day: 12, reason: "died"}}, []contacts.FollowUpState{contacts.FollowUpExcluded}},
	{"hospice from the discharge day excludes it", 180,
		[]step{discharge(0), {kind: "exclude", day: 0, reason: "hospice"}}, []contacts.FollowUpState{contacts.FollowUpExcluded}},
	{"within the 7 days and not reached yet is pending", 3,
		[]step{discharge(0), reached(0, "phone")}, []contacts.FollowUpState{contacts.FollowUpPending}},
}

func ptr[T any](v T) *T { return &v }

// TestFollowUp_TaskAndMeasureAgreeOnEveryHandWorkedCase records each
// case through the use cases, then checks, for every discharge, the state
// its task closed in (or stayed open in), the state the rule gives, and
// the measure over that discharge's day alone, against the hand-worked
// state; and the measure over all the cases against a hand count.
func TestFollowUp_TaskAndMeasureAgreeOnEveryHandWorkedCase(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	today := calendar.DateOf(time.Now())
	for _, c := range followUpCases {
		patient := f.newPatient(c.name)
		base := today.AddDate(0, 0, -c.ago)
		ids := f.play(patient, base, c.steps)
		if len(ids) != len(c.want) {
			t.Fatalf("%s: %d discharges, want %d", c.name, len(ids), len(c.want))
		}
		for i, id := range ids {
			d := f.transition(patient, id)
			byTask := f.taskState(patient, id)
			byRule := f.ruleState(patient, d)
			n, of := f.dischargeMeasure(d.OccurredOn)
			wantIn, wantMet := contacts.FollowUp{State: c.want[i]}.Counts()
			got := fmt.Sprintf("task %s, rule %s, measure %d of %d", byTask, byRule, n, of)
			if want := fmt.Sprintf("task %s, rule %s, measure %d of %d", c.want[i], c.want[i], b2i(wantMet), b2i(wantIn)); got != want {
				t.Errorf("%s, discharge %d: %s; want %s", c.name, i+1, got, want)
			}
		}
	}
	// Over every case: met are days 1, 7, video, the earlier engagement and
	// the second of the close pair (5); late the day-8 one (1); missed the
	// discharge-day contact, declined, letter, voicemail, caregiver and the
	// day-8 readmission (6); the six exclusions and the pending one are out.
	n, of := f.dischargeMeasureOver(today.AddDate(0, 0, -200), today)
	if n != 5 || of != 12 {
		t.Errorf("all cases: %d of %d followed up, want 5 of 12", n, of)
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// newPatient adds a patient to the fixture's first tenant.
func (f fixture) newPatient(name string) string {
	f.t.Helper()
	v := url.Values{"given_name": {"Case"}, "family_name": {name}, "date_of_birth": {"1950-05-06"}, "phone": {"555-010-2001"}}
	np, errs := patients.ParseIntake(v).Validate(time.Now(), nil)
	if len(errs) > 0 {
		f.t.Fatalf("test patient: %v", errs)
	}
	var id string
	f.in(f.tenant, func(tx pgx.Tx) (err error) {
		id, err = patients.Create(context.Background(), tx, f.tenant, "", np)
		return err
	})
	return id
}

// play records the steps for patient, day 0 being base, and returns the
// ids of the discharges it recorded, in order.
func (f fixture) play(patient string, base time.Time, steps []step) []string {
	f.t.Helper()
	ctx, a := context.Background(), f.actor(f.coord)
	var discharges []string
	for _, s := range steps {
		on := base.AddDate(0, 0, s.day)
		var err error
		switch s.kind {
		case "contact":
			at := time.Date(on.Year(), on.Month(), on.Day(), 10, 0, 0, 0, time.Local)
			_, err = f.svc.LogValid(ctx, a, patient, contacts.NewContact{OccurredAt: at, Method: s.method, Direction: "outbound",
				Party: s.party, PartyName: "Rosa", Outcome: s.outcome, Summary: "After the hospital."})
		case "exclude":
			d := f.transition(patient, discharges[0])
			_, err = f.svc.ExcludeDischarge(ctx, a, patient, d.ID, contacts.ExclusionForm{
				Reason: s.reason, On: on.Format(calendar.DateLayout), Version: d.Version})
		default:
			tf := contacts.TransitionForm{Kind: s.kind, Facility: "Mercy General", OccurredOn: on.Format(calendar.DateLayout)}
			if s.admitted != nil {
				tf.AdmittedOn = base.AddDate(0, 0, *s.admitted).Format(calendar.DateLayout)
			}
			var rec contacts.Recorded
			if rec, err = f.svc.RecordTransition(ctx, a, patient, tf); s.kind == "discharge" {
				discharges = append(discharges, rec.ID)
			}
		}
		if err != nil {
			f.t.Fatalf("%+v: %v", s, err)
		}
	}
	return discharges
}

func (f fixture) transition(patient, id string) (d contacts.Transition) {
	f.t.Helper()
	f.in(f.tenant, func(tx pgx.Tx) (err error) {
		d, err = contacts.TransitionOf(context.Background(), tx, f.tenant, patient, id)
		return err
	})
	return d
}

// taskState reads where the discharge's follow-up task stands, as a state
// of the rule: open before or after its due time, done met or late (as its
// note says), or cancelled for an exclusion.
func (f fixture) taskState(patient, transition string) contacts.FollowUpState {
	f.t.Helper()
	var status, note string
	var due time.Time
	f.in(f.tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), `select status, completion_note, due_at from tasks
			 where tenant_id = $1 and patient_id = $2 and source = 'transition' and source_transition_id = $3`,
			f.tenant, patient, transition).Scan(&status, &note, &due)
	})
	switch {
	case status == string(tasks.Open) && due.Before(time.Now()):
		return contacts.FollowUpMissed
	case status == string(tasks.Open):
		return contacts.FollowUpPending
	case status == string(tasks.Done) && strings.HasPrefix(note, "Met:"):
		return contacts.FollowUpMet
	case status == string(tasks.Done) && strings.HasPrefix(note, "Late:"):
		return contacts.FollowUpLate
	case status == string(tasks.Cancelled) && strings.HasPrefix(note, "Cancelled: "):
		return contacts.FollowUpExcluded
	}
	return contacts.FollowUpState(status + ": " + note)
}

// ruleState is what contacts.FollowUpOutcome says of the discharge from
// the patient's contacts now.
func (f fixture) ruleState(patient string, d contacts.Transition) contacts.FollowUpState {
	f.t.Helper()
	var cs []contacts.FollowUpContact
	f.in(f.tenant, func(tx pgx.Tx) error {
		list, err := contacts.Recent(context.Background(), tx, f.tenant, patient, 100)
		for _, c := range list {
			cs = append(cs, contacts.FollowUpContact{At: c.OccurredAt, Method: c.Method, Party: c.Party, Outcome: c.Outcome})
		}
		return err
	})
	return contacts.FollowUpOutcome(contacts.Discharge{On: d.OccurredOn, ExcludedReason: d.ExcludedReason}, cs, time.Now(), time.Local).State
}

func (f fixture) dischargeMeasure(day time.Time) (n, of int) { return f.dischargeMeasureOver(day, day) }

// dischargeMeasureOver is the measure's numerator and denominator over the
// days from to until.
func (f fixture) dischargeMeasureOver(from, until time.Time) (n, of int) {
	f.t.Helper()
	f.in(f.tenant, func(tx pgx.Tx) error {
		ms, err := caseload.Measures(context.Background(), tx, f.tenant, caseload.Period{From: from, To: until}, map[string]int{"high": 7, "moderate": 14, "low": 30})
		for _, m := range ms {
			if m.Key == caseload.MeasureDischarge {
				n, of = m.Numerator, m.Denominator
			}
		}
		return err
	})
	return n, of
}

func TestFollowUpOutcome_CountsDaysOnTheTenantsCalendar(t *testing.T) {
	t.Parallel()
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	on := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	// 21 Nov 2026, 06:30 UTC is still the evening of the 20th in Los
	// Angeles: the discharge day there, day 1 in UTC.
	call := contacts.FollowUpContact{At: time.Date(2026, 11, 21, 6, 30, 0, 0, time.UTC), Method: "phone", Party: "patient", Outcome: "reached"}
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	got := []contacts.FollowUpState{
		contacts.FollowUpOutcome(contacts.Discharge{On: on}, []contacts.FollowUpContact{call}, now, time.UTC).State,
		contacts.FollowUpOutcome(contacts.Discharge{On: on}, []contacts.FollowUpContact{call}, now, la).State,
	}
	if diff := cmp.Diff([]contacts.FollowUpState{contacts.FollowUpMet, contacts.FollowUpMissed}, got); diff != "" {
		t.Errorf("UTC, Los Angeles (-want +got):\n%s", diff)
	}
}
