package contacts_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"carecoord/internal/calendar"
	"carecoord/internal/careplans"
	"carecoord/internal/contacts"
	"carecoord/internal/db"
	"carecoord/internal/patients"
	"carecoord/internal/tasks"

	"github.com/jackc/pgx/v5"
)

// call logs a phone contact with the patient at the given time and outcome.
func (f fixture) call(at time.Time, outcome string) contacts.Logged {
	f.t.Helper()
	return f.log(contacts.NewContact{OccurredAt: at, Method: "phone", Direction: "outbound", Party: "patient",
		Outcome: outcome, Summary: "Call about the week ahead."}, f.coord)
}

func (f fixture) log(c contacts.NewContact, author string) contacts.Logged {
	f.t.Helper()
	l, err := f.svc.LogValid(context.Background(), f.actor(author), f.patient, c)
	if err != nil {
		f.t.Fatal(err)
	}
	return l
}

func (f fixture) reach() contacts.Reach {
	f.t.Helper()
	var r contacts.Reach
	f.in(f.tenant, func(tx pgx.Tx) (err error) {
		r, err = contacts.ReachOf(context.Background(), tx, f.tenant, f.patient)
		return err
	})
	return r
}

func TestContactForm_ValidationMessagesSitBesideTheirFields(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 10, 14, 0, 0, 0, time.UTC)
	members := []patients.Member{{ID: "m1", MemberForm: patients.MemberForm{Kind: "caregiver", Name: "Rosa Quist", Relationship: "Daughter"}}}
	goals := []careplans.GoalChoice{{ID: "g1", Label: "Has enough food each week"}}
	ch := contacts.Choices{Members: members, Goals: goals, Assignees: map[string]bool{"u1": true}}
	valid := url.Values{"occurred_at": {"2026-03-10T13:30"}, "method": {"phone"}, "direction": {"outbound"},
		"with": {"patient"}, "outcome": {"reached"}, "summary": {"Talked about food."}}
	tests := []struct {
		name   string
		change func(v url.Values)
		field  string
		msg    string
	}{
		{"time in the future", func(v url.Values) { v.Set("occurred_at", "2026-03-10T16:00") }, "occurred_at", "future"},
		{"time not a time", func(v url.Values) { v.Set("occurred_at", "yesterday") }, "occurred_at", "real date and time"},
		{"too long ago", func(v url.Values) { v.Set("occurred_at", "2025-11-01T10:00") }, "occurred_at", "90 days"},
		{"no outcome", func(v url.Values) { v.Del("outcome") }, "outcome", "how the contact went"},
		{"unknown method", func(v url.Values) { v.Set("method", "pigeon") }, "method", "how the contact happened"},
		{"someone else without a name", func(v url.Values) { v.Set("with", "other") }, "other_name", "name of the person"},
		{"a member of another patient", func(v url.Values) { v.Set("with", "member:m9") }, "with", "not on the patient's care team"},
		{"minutes not a number", func(v url.Values) { v.Set("minutes", "ten") }, "minutes", "whole number"},
		{"minutes too many", func(v url.Values) { v.Set("minutes", "900") }, "minutes", "between 0 and 600"},
		{"reached without a summary", func(v url.Values) { v.Del("summary") }, "summary", "short summary"},
		{"follow-up without a title", func(v url.Values) { v.Set("follow_up_due", "2026-03-12"); v.Set("follow_up_assignee", "u1") }, "follow_up_title", "what needs to be done"},
		{"follow-up due in the past", func(v url.Values) {
			v.Set("follow_up_title", "Call back")
			v.Set("follow_up_due", "2026-03-09")
			v.Set("follow_up_assignee", "u1")
		}, "follow_up_due", "in the past"},
		{"follow-up for a stranger", func(v url.Values) {
			v.Set("follow_up_title", "Call back")
			v.Set("follow_up_due", "2026-03-12")
			v.Set("follow_up_assignee", "u9")
		}, "follow_up_assignee", "who will do it"},
		{"a goal that is not open", func(v url.Values) { v.Add("goal", "g9") }, "goals", "no longer open"},
		{"a progress note on a goal not ticked", func(v url.Values) { v.Set("goal_note.g1", "Went to the pantry") }, "goal_note.g1", "Tick the goal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := url.Values{}
			for k, vs := range valid {
				v[k] = append([]string(nil), vs...)
			}
			tt.change(v)
			errs := patients.Errors{}
			contacts.ParseContactForm(v).Validate(now, time.UTC, ch, errs)
			if !strings.Contains(errs[tt.field], tt.msg) {
				t.Errorf("errors %v, want %q on %s", errs, tt.msg, tt.field)
			}
		})
	}
	t.Run("a valid form with a member, a goal note and a follow-up", func(t *testing.T) {
		t.Parallel()
		v := url.Values{"occurred_at": {"2026-03-10T13:30"}, "method": {"home_visit"}, "direction": {"outbound"},
			"with": {"member:m1"}, "outcome": {"reached"}, "summary": {"Visit."}, "minutes": {"45"}, "goal": {"g1"},
			"goal_note.g1": {"Went to the pantry twice."}, "follow_up_title": {"Call the pantry"}, "follow_up_due": {"2026-03-10"}, "follow_up_assignee": {"u1"}}
		errs := patients.Errors{}
		c := contacts.ParseContactForm(v).Validate(now, time.UTC, ch, errs)
		if len(errs) > 0 {
			t.Fatalf("errors: %v", errs)
		}
		if c.Party != "care_team" || c.MemberID != "m1" || c.PartyName != "Rosa Quist" || c.PartyRole != "Daughter" || *c.Minutes != 45 ||
			len(c.Goals) != 1 || c.Goals[0].Note != "Went to the pantry twice." || c.FollowUp == nil || c.FollowUp.AssigneeID != "u1" ||
			!c.FollowUp.DueAt.Equal(calendar.EndOfDay(now)) {
			t.Errorf("contact: %+v follow-up %+v", c, c.FollowUp)
		}
	})
	t.Run("an unsuccessful call needs no summary", func(t *testing.T) {
		t.Parallel()
		v := url.Values{"occurred_at": {"2026-03-10T13:30"}, "method": {"phone"}, "direction": {"outbound"}, "with": {"patient"}, "outcome": {"no_answer"}}
		errs := patients.Errors{}
		contacts.ParseContactForm(v).Validate(now, time.UTC, ch, errs)
		if len(errs) > 0 {
			t.Errorf("errors: %v", errs)
		}
	})
}

func TestReach_ThreeUnsuccessfulAttemptsInARowFlagUntilAContactSucceeds(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	base := time.Now().Add(-10 * 24 * time.Hour)
	at := func(days int) time.Time { return base.Add(time.Duration(days) * 24 * time.Hour) }

	f.call(at(0), "reached")
	f.call(at(1), "no_answer")
	l := f.call(at(2), "left_message")
	if l.Reach.Unreachable() || l.Reach.UnreachedAttempts != 2 {
		t.Fatalf("after two misses: %+v", l.Reach)
	}
	// A letter expects no reply, and a call with the daughter does not reach
	// the patient: neither counts either way.
	f.log(contacts.NewContact{OccurredAt: at(3), Method: "letter", Direction: "outbound", Party: "patient", Outcome: "sent"}, f.coord)
	f.log(contacts.NewContact{OccurredAt: at(3), Method: "phone", Direction: "outbound", Party: "other", PartyName: "Rosa", Outcome: "reached", Summary: "Spoke with Rosa."}, f.coord)
	if r := f.reach(); r.UnreachedAttempts != 2 || !r.LastReached.Equal(at(0).Truncate(time.Microsecond)) {
		t.Fatalf("after a letter and a call with someone else: %+v", r)
	}
	l = f.call(at(4), "wrong_number")
	if !l.Reach.Unreachable() || l.Before.Unreachable() || l.Reach.UnreachedAttempts != 3 {
		t.Fatalf("after the third miss in a row: before %+v after %+v", l.Before, l.Reach)
	}
	// A success logged late, from before the misses, does not end the run.
	f.call(at(1).Add(-time.Hour), "reached")
	if r := f.reach(); !r.Unreachable() {
		t.Fatalf("after a late-logged earlier success: %+v", r)
	}
	l = f.call(at(5), "declined")
	if l.Reach.Unreachable() || l.Reach.UnreachedAttempts != 0 || !l.Before.Unreachable() {
		t.Fatalf("after reaching the patient (who declined to talk): before %+v after %+v", l.Before, l.Reach)
	}
}

func TestCorrection_AuthorWithin24HoursKeepsTheOriginal(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	when := time.Now().Add(-2 * time.Hour)
	l := f.call(when, "no_answer")
	fixed := contacts.ContactForm{OccurredAt: when.Format("2006-01-02T15:04"), Method: "phone", Direction: "outbound", With: "patient",
		Outcome: "reached", Summary: "Reached her after all; talked about transport.", Reason: "Picked the wrong outcome", Version: 1}

	// A colleague may not correct it.
	_, err := f.svc.CorrectContact(ctx, f.actor(f.colleague), f.patient, l.ID, fixed)
	if !errors.Is(err, contacts.ErrCorrectionClosed) {
		t.Fatalf("colleague's correction: %v, want ErrCorrectionClosed", err)
	}
	// The author may, from the version they read.
	corrected, err := f.svc.CorrectContact(ctx, f.actor(f.coord), f.patient, l.ID, fixed)
	if err != nil {
		t.Fatal(err)
	}
	if corrected.Reach.LastReached == nil || corrected.Reach.UnreachedAttempts != 0 {
		t.Errorf("reach after correcting a miss into a success: %+v", corrected.Reach)
	}
	// A second correction from the old version is a conflict.
	_, err = f.svc.CorrectContact(ctx, f.actor(f.coord), f.patient, l.ID, fixed)
	if !errors.Is(err, db.ErrConflict) {
		t.Fatalf("stale correction: %v, want ErrConflict", err)
	}
	f.in(f.tenant, func(tx pgx.Tx) error {
		c, err := contacts.Get(ctx, tx, f.tenant, f.patient, l.ID)
		if err != nil {
			return err
		}
		revs, err := contacts.Revisions(ctx, tx, f.tenant, l.ID)
		if err != nil {
			return err
		}
		if c.Outcome != "reached" || c.Summary != fixed.Summary || c.Version != 2 || c.CorrectedAt == nil {
			t.Errorf("corrected contact: %+v", c)
		}
		if len(revs) != 1 || revs[0].Outcome != "no_answer" || revs[0].Summary != "Call about the week ahead." ||
			revs[0].Reason != "Picked the wrong outcome" || revs[0].CorrectedName != "Cora Coordinator" {
			t.Errorf("revisions: %+v", revs)
		}
		// 25 hours after logging, not even the author may correct it.
		_, err = tx.Exec(ctx, "update contacts set created_at = now() - interval '25 hours' where id = $1", l.ID)
		return err
	})
	fixed.Version = 2
	_, err = f.svc.CorrectContact(ctx, f.actor(f.coord), f.patient, l.ID, fixed)
	if !errors.Is(err, contacts.ErrCorrectionClosed) {
		t.Fatalf("correction after 25 hours: %v, want ErrCorrectionClosed", err)
	}
	// An addendum is always possible, and leaves the contact as it was.
	if err := f.svc.AddAddendum(ctx, f.actor(f.colleague), f.patient, l.ID, "Her daughter called back later."); err != nil {
		t.Fatal(err)
	}
	f.in(f.tenant, func(tx pgx.Tx) error {
		adds, err := contacts.Addenda(ctx, tx, f.tenant, l.ID)
		if err != nil || len(adds) != 1 || adds[0].AuthorName != "Colin Colleague" {
			t.Errorf("addenda: %v %+v", err, adds)
		}
		c, err := contacts.Get(ctx, tx, f.tenant, f.patient, l.ID)
		if err != nil || c.Summary != fixed.Summary || c.Version != 2 {
			t.Errorf("contact after an addendum: %v %+v", err, c)
		}
		return nil
	})
}

func TestCorrection_RevisionsAndAddendaCannotBeChangedByTheApp(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	for _, stmt := range []string{
		"update contact_revisions set summary = 'x'",
		"delete from contact_addenda",
		"delete from contacts",
		"update task_events set note = 'x'",
	} {
		err := db.InTenant(ctx, f.d.Pool, f.tenant, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, stmt)
			return err
		})
		if err == nil || !strings.Contains(err.Error(), "permission denied") {
			t.Errorf("%s: %v, want permission denied", stmt, err)
		}
	}
}

func TestDischarge_FollowUpDueInSevenDaysIsMetByASuccessfulContactWithThePatient(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	discharged := time.Now().AddDate(0, 0, -2)
	dischargeDay := time.Date(discharged.Year(), discharged.Month(), discharged.Day(), 0, 0, 0, 0, time.UTC)
	// A call that reached the patient before the discharge does not meet it.
	f.call(discharged.AddDate(0, 0, -3), "reached")
	rec, err := f.svc.RecordTransition(ctx, f.actor(f.coord), f.patient, contacts.TransitionForm{
		Kind: "discharge", Facility: "Mercy General", OccurredOn: dischargeDay.Format(calendar.DateLayout)})
	if err != nil {
		t.Fatal(err)
	}
	if rec.FollowUp == nil || rec.FollowUp.Status != tasks.Open || rec.FollowUp.Source != tasks.FromTransition ||
		rec.FollowUp.AssigneeName != "Cora Coordinator" || rec.FollowUp.Title != "Follow up after discharge from Mercy General" {
		t.Fatalf("follow-up: %+v", rec.FollowUp)
	}
	y, m, d := dischargeDay.AddDate(0, 0, 7).Date()
	if want := calendar.EndOfDay(time.Date(y, m, d, 0, 0, 0, 0, time.Local)); !rec.FollowUp.DueAt.Equal(want) {
		t.Errorf("due %v, want the end of the seventh day after the discharge, %v", rec.FollowUp.DueAt, want)
	}
	// An admission opens no task.
	r, err := f.svc.RecordTransition(ctx, f.actor(f.coord), f.patient, contacts.TransitionForm{
		Kind: "admission", Facility: "Mercy General", OccurredOn: dischargeDay.AddDate(0, 0, -5).Format(calendar.DateLayout)})
	if err != nil {
		t.Fatal(err)
	}
	if r.FollowUp != nil {
		t.Errorf("an admission opened %+v", r.FollowUp)
	}
	// A missed call and a call with the caregiver do not meet it.
	f.call(time.Now().Add(-3*time.Hour), "no_answer")
	l := f.log(contacts.NewContact{OccurredAt: time.Now().Add(-2 * time.Hour), Method: "phone", Direction: "outbound",
		Party: "other", PartyName: "Rosa", Outcome: "reached", Summary: "Rosa says she is home."}, f.coord)
	if len(l.Closed) != 0 {
		t.Fatalf("met by a call with someone else: %+v", l.Closed)
	}
	l = f.call(time.Now().Add(-time.Hour), "reached")
	if len(l.Closed) != 1 || l.Closed[0].Task.ID != rec.FollowUp.ID || l.Closed[0].Task.Status != tasks.Done ||
		!strings.Contains(l.Closed[0].Task.CompletionNote, "Met: the patient was reached on") {
		t.Fatalf("met by reaching the patient: %+v", l.Closed)
	}
	f.in(f.tenant, func(tx pgx.Tx) error {
		open, err := tasks.OpenForPatient(ctx, tx, f.tenant, f.patient)
		if err != nil || len(open) != 0 {
			t.Errorf("open tasks after the follow-up: %v %+v", err, open)
		}
		return nil
	})
}

func TestDischarge_RecordedAfterTheContactIsMetAtOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// Two days back, so that the call an hour ago is on a later day than
	// the discharge whatever the hour the test runs.
	f.call(time.Now().Add(-time.Hour), "reached")
	rec, err := f.svc.RecordTransition(context.Background(), f.actor(f.coord), f.patient, contacts.TransitionForm{
		Kind: "discharge", Facility: "St. Luke's", OccurredOn: time.Now().AddDate(0, 0, -2).Format(calendar.DateLayout)})
	if err != nil {
		t.Fatal(err)
	}
	if rec.FollowUp == nil || rec.FollowUp.Status != tasks.Done {
		t.Fatalf("follow-up of a discharge the patient was reached after: %+v", rec.FollowUp)
	}
}

func TestLog_FollowUpTaskAndGoalNotesAreSavedWithTheContact(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	goal := f.goal()
	due := calendar.EndOfDay(time.Now().AddDate(0, 0, 3))
	l := f.log(contacts.NewContact{OccurredAt: time.Now().Add(-time.Minute), Method: "home_visit", Direction: "outbound", Party: "patient",
		Outcome: "reached", Summary: "Visited.", Goals: []contacts.TouchedGoal{{GoalID: goal, Note: "Went to the pantry."}},
		FollowUp: &tasks.NewTask{Title: "Book the ride", DueAt: due, AssigneeID: f.colleague, Priority: tasks.Normal, Source: tasks.FromContact}}, f.coord)
	f.in(f.tenant, func(tx pgx.Tx) error {
		task, err := tasks.Get(ctx, tx, f.tenant, f.patient, l.FollowUpID)
		if err != nil || task.SourceContactID != l.ID || task.AssigneeName != "Colin Colleague" || !task.DueAt.Equal(due) {
			t.Errorf("follow-up: %v %+v", err, task)
		}
		touched, err := contacts.GoalsOf(ctx, tx, f.tenant, l.ID)
		if err != nil || len(touched) != 1 || touched[0].Label != "Has enough food each week" || touched[0].Note != "Went to the pantry." {
			t.Errorf("goals touched: %v %+v", err, touched)
		}
		return nil
	})
}

// goal gives the patient an open care plan with one goal and returns its id.
func (f fixture) goal() string {
	f.t.Helper()
	var goal string
	f.in(f.tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), `
			with n as (insert into needs (tenant_id, patient_id, domain) values ($1, $2, 'food') returning id),
			     p as (insert into care_plans (tenant_id, patient_id, title) values ($1, $2, 'Plan') returning id),
			     pn as (insert into care_plan_needs (tenant_id, plan_id, need_id, position) select $1, p.id, n.id, 1 from p, n returning id, plan_id)
			insert into goals (tenant_id, plan_id, plan_need_id, position, patient_words, target, target_date)
			select $1, pn.plan_id, pn.id, 1, 'Has enough food each week', 'Three meals a day', current_date + 60 from pn
			returning id`, f.tenant, f.patient).Scan(&goal)
	})
	return goal
}

func TestContacts_AnotherTenantCanNeitherSeeNorLogForThePatient(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	l := f.call(time.Now().Add(-time.Hour), "reached")
	f.in(f.other, func(tx pgx.Tx) error {
		if _, err := contacts.Get(ctx, tx, f.tenant, f.patient, l.ID); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("other tenant reading the contact: %v, want ErrNotFound", err)
		}
		if recent, err := contacts.Recent(ctx, tx, f.tenant, f.patient, 10); err != nil || len(recent) != 0 {
			t.Errorf("other tenant listing contacts: %v %+v", err, recent)
		}
		return nil
	})
	if err := f.svc.AddAddendum(ctx, f.actorIn(f.other, f.coord), f.patient, l.ID, "x"); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("other tenant adding an addendum: %v, want ErrNotFound", err)
	}
	_, err := f.svc.LogValid(ctx, f.actorIn(f.other, f.coord), f.patient, contacts.NewContact{OccurredAt: time.Now(), Method: "phone",
		Direction: "outbound", Party: "patient", Outcome: "reached", Summary: "x"})
	if !errors.Is(err, db.ErrNotFound) {
		t.Errorf("other tenant logging a contact for the patient: %v, want ErrNotFound", err)
	}
}

func TestCaseload_ReadsTheCoordinatorsPatientsWithTheirReach(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.in(f.tenant, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "update patients set assigned_coordinator_id = $2, status = 'active' where id = $1", f.patient, f.coord)
		return err
	})
	f.call(time.Now().Add(-time.Hour), "no_answer")
	f.in(f.tenant, func(tx pgx.Tx) error {
		list, err := contacts.Caseload(ctx, tx, f.tenant, f.coord)
		if err != nil || len(list) != 1 || list[0].Name != "Ada Quist" || list[0].UnreachedAttempts != 1 || list[0].LastAttempt == nil {
			t.Errorf("caseload: %v %+v", err, list)
		}
		other, err := contacts.Caseload(ctx, tx, f.tenant, f.colleague)
		if err != nil || len(other) != 0 {
			t.Errorf("colleague's caseload: %v %+v", err, other)
		}
		return nil
	})
}
