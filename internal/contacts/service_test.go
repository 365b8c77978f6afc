package contacts_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"carecoord/internal/contacts"
	"carecoord/internal/fail"

	"github.com/jackc/pgx/v5"
)

// count runs a count query in the fixture's first tenant.
func (f fixture) count(query string, args ...any) int {
	f.t.Helper()
	var n int
	f.in(f.tenant, func(tx pgx.Tx) error { return tx.QueryRow(context.Background(), query, args...).Scan(&n) })
	return n
}

func TestLogContact_WritesTheContactItsFollowUpTimelineAndAuditInOneGo(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a := f.actor(f.coord)
	form := contacts.ContactForm{OccurredAt: a.At.Add(-time.Minute).Format("2006-01-02T15:04"), Method: "phone", Direction: "outbound",
		With: "patient", Outcome: "reached", Summary: "Talked about the week.", Minutes: "12",
		FollowUpTitle: "Send the food bank list", FollowUpDue: a.At.Format("2006-01-02"), FollowUpAssignee: f.colleague}
	l, err := f.svc.LogContact(context.Background(), a, f.patient, form)
	if err != nil {
		t.Fatal(err)
	}
	if l.ID == "" || l.FollowUpID == "" {
		t.Fatalf("logged: %+v", l)
	}
	for action, want := range map[string]int{"contact.logged": 1, "task.created": 1} {
		if n := f.count("select count(*) from audit_events where patient_id = $1 and action = $2 and actor_id = $3", f.patient, action, f.coord); n != want {
			t.Errorf("%s audit events: %d, want %d", action, n, want)
		}
	}
	for _, line := range []string{"Phone call with the patient: reached (12 min)", "Follow-up task: Send the food bank list, due " + a.At.Format("2 Jan 2006")} {
		if n := f.count("select count(*) from patient_events where patient_id = $1 and summary = $2", f.patient, line); n != 1 {
			t.Errorf("timeline lines %q: %d, want 1", line, n)
		}
	}
}

func TestLogContact_InvalidFormSavesNothingAndSaysWhereItIsWrong(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a := f.actor(f.coord)
	_, err := f.svc.LogContact(context.Background(), a, f.patient, contacts.ContactForm{OccurredAt: a.At.Format("2006-01-02T15:04"),
		Method: "phone", Direction: "outbound", With: "patient", FollowUpTitle: "Call back", FollowUpDue: "2020-01-01", FollowUpAssignee: f.coord})
	e, ok := fail.As(err)
	if !ok || e.Kind != fail.KindInvalid || !strings.Contains(e.Fields["outcome"], "how the contact went") ||
		!strings.Contains(e.Fields["follow_up_due"], "in the past") {
		t.Fatalf("err = %v, want invalid outcome and follow-up due", err)
	}
	if n := f.count("select count(*) from contacts") + f.count("select count(*) from tasks") + f.count("select count(*) from patient_events where kind = 'contact'"); n != 0 {
		t.Errorf("%d rows written by an invalid contact", n)
	}
}

func TestCorrectContact_ClosedWindowIsForbiddenWithTheReason(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	l := f.call(time.Now().Add(-time.Hour), "reached")
	_, err := f.svc.CorrectionPage(context.Background(), f.actor(f.colleague), f.patient, l.ID)
	if e, ok := fail.As(err); !ok || e.Kind != fail.KindForbidden || !strings.Contains(e.Message, "Only the person who logged a contact") {
		t.Errorf("colleague opening the correction: %v, want forbidden with the reason", err)
	}
	if _, err := f.svc.CorrectionPage(context.Background(), f.actor(f.coord), f.patient, l.ID); err != nil {
		t.Errorf("author opening the correction: %v", err)
	}
}

func TestContactPage_ViewIsAudited(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	l := f.call(time.Now().Add(-time.Hour), "reached")
	pg, err := f.svc.ContactPage(context.Background(), f.actor(f.colleague), f.patient, l.ID)
	if err != nil || pg.PatientName != "Ada Quist" || pg.Contact.ID != l.ID || pg.CanCorrect {
		t.Fatalf("contact page for a colleague: %v %+v", err, pg)
	}
	if n := f.count("select count(*) from audit_events where action = 'contact.viewed' and entity_id = $1 and actor_id = $2", l.ID, f.colleague); n != 1 {
		t.Errorf("contact.viewed audit events: %d, want 1", n)
	}
}

func TestRecordTransition_InvalidFormIsRefusedBeforeAnythingIsRead(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, err := f.svc.RecordTransition(context.Background(), f.actor(f.coord), f.patient, contacts.TransitionForm{Kind: "admission", AdmittedOn: "2026-01-01"})
	if fields := fail.Fields(err); fields["facility"] == "" || fields["occurred_on"] == "" || !strings.Contains(fields["admitted_on"], "Only a discharge") {
		t.Errorf("err = %v, want messages on facility, occurred_on and admitted_on", err)
	}
}
