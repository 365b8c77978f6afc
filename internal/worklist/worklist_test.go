package worklist_test

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"carecoord/internal/assessments"
	"carecoord/internal/auth"
	"carecoord/internal/calendar"
	"carecoord/internal/db"
	"carecoord/internal/db/dbtest"
	"carecoord/internal/fail"
	"carecoord/internal/patients"
	"carecoord/internal/tasks"
	"carecoord/internal/tenants"
	"carecoord/internal/worklist"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// fixture is a tenant with a coordinator, a colleague and a supervisor,
// and one patient of the coordinator.
type fixture struct {
	t                            *testing.T
	d                            dbtest.DB
	svc                          *worklist.Service
	tenant, patient              string
	coord, colleague, supervisor string
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	ctx := context.Background()
	f := fixture{t: t, d: dbtest.New(t, "")}
	f.svc = worklist.NewService(f.d.Pool)
	if err := f.d.Pool.QueryRow(ctx, "insert into tenants (slug, name) values ('north', 'North') returning id").Scan(&f.tenant); err != nil {
		t.Fatal(err)
	}
	f.coord = f.user("coord@example.org", "Cora Coordinator", auth.Coordinator)
	f.colleague = f.user("col@example.org", "Colin Colleague", auth.Coordinator)
	f.supervisor = f.user("sup@example.org", "Sue Supervisor", auth.Supervisor)
	v := url.Values{"given_name": {"Ada"}, "family_name": {"Quist"}, "date_of_birth": {"1950-05-06"}, "phone": {"555-010-2000"}}
	np, errs := patients.ParseIntake(v).Validate(time.Now(), nil)
	if len(errs) > 0 {
		t.Fatalf("test patient: %v", errs)
	}
	f.in(func(tx pgx.Tx) (err error) {
		f.patient, err = patients.Create(ctx, tx, f.tenant, "", np)
		return err
	})
	f.exec("update patients set assigned_coordinator_id = $2, status = 'active', referral_date = current_date - 10 where id = $1", f.patient, f.coord)
	return f
}

func (f fixture) user(email, name string, role auth.Role) string {
	f.t.Helper()
	var id string
	ctx := context.Background()
	if err := f.d.Pool.QueryRow(ctx, "insert into users (email, name, password_hash) values ($1, $2, 'x') returning id", email, name).Scan(&id); err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.d.Pool.Exec(ctx, "insert into memberships (tenant_id, user_id, role) values ($1, $2, $3)", f.tenant, id, role); err != nil {
		f.t.Fatal(err)
	}
	return id
}

func (f fixture) actor(user string, role auth.Role) tenants.Actor {
	return tenants.Actor{TenantID: f.tenant, UserID: user, Role: role, Settings: tenants.DefaultSettings(), At: time.Now()}
}

func (f fixture) in(fn func(tx pgx.Tx) error) {
	f.t.Helper()
	if err := db.InTenant(context.Background(), f.d.Pool, f.tenant, fn); err != nil {
		f.t.Fatal(err)
	}
}

func (f fixture) exec(sql string, args ...any) {
	f.t.Helper()
	f.in(func(tx pgx.Tx) error {
		_, err := tx.Exec(context.Background(), sql, args...)
		return err
	})
}

func (f fixture) count(sql string, args ...any) int {
	f.t.Helper()
	var n int
	f.in(func(tx pgx.Tx) error { return tx.QueryRow(context.Background(), sql, args...).Scan(&n) })
	return n
}

// task creates an open task of the patient for the coordinator.
func (f fixture) task(t tasks.NewTask) string {
	f.t.Helper()
	t.PatientID = f.patient
	if t.AssigneeID == "" {
		t.AssigneeID = f.coord
	}
	var id string
	f.in(func(tx pgx.Tx) (err error) {
		id, _, err = tasks.Create(context.Background(), tx, f.tenant, t)
		return err
	})
	return id
}

// safetyTask is the urgent task of a PHQ-9's safety alert, due today.
func (f fixture) safetyTask() string {
	f.t.Helper()
	var asm string
	f.in(func(tx pgx.Tx) (err error) {
		asm, err = assessments.Start(context.Background(), tx, f.tenant, f.patient, "", "PHQ-9", "phone")
		return err
	})
	return f.task(tasks.NewTask{Title: "Safety follow-up after PHQ-9", DueAt: calendar.EndOfDay(time.Now()), Priority: tasks.Urgent,
		Source: tasks.SafetyAlert, SourceID: asm})
}

func TestCompleteTask_OfAnInterventionMarksTheInterventionDone(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	var intervention string
	f.in(func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `
			with n as (insert into needs (tenant_id, patient_id, domain) values ($1, $2, 'food') returning id),
			     p as (insert into care_plans (tenant_id, patient_id, title) values ($1, $2, 'Plan') returning id),
			     pn as (insert into care_plan_needs (tenant_id, plan_id, need_id, position) select $1, p.id, n.id, 1 from p, n returning id, plan_id),
			     g as (insert into goals (tenant_id, plan_id, plan_need_id, position, patient_words, target, target_date)
			           select $1, pn.plan_id, pn.id, 1, 'Has enough food each week', 'Three meals a day', current_date + 60 from pn
			           returning id, plan_id)
			insert into interventions (tenant_id, plan_id, goal_id, position, action, responsible_kind, responsible_user_id, due_date)
			select $1, g.plan_id, g.id, 1, 'Apply for SNAP', 'coordinator', $3, current_date + 7 from g
			returning id`, f.tenant, f.patient, f.coord).Scan(&intervention)
	})
	f.in(func(tx pgx.Tx) error {
		return tasks.SyncInterventions(ctx, tx, f.tenant, time.UTC, []tasks.Intervention{{InterventionID: intervention, PatientID: f.patient,
			AssigneeID: f.coord, Title: "Apply for SNAP", Due: calendar.DateOf(time.Now().AddDate(0, 0, 7)), Open: true}})
	})
	var id string
	f.in(func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "select id from tasks where source_intervention_id = $1", intervention).Scan(&id)
	})

	done, err := f.svc.CompleteTask(ctx, f.actor(f.coord, auth.Coordinator), f.patient, id, tasks.ActionForm{Version: 1, Note: "Application sent"})
	if err != nil || done.Title != "Apply for SNAP" {
		t.Fatalf("complete: %v %+v", err, done)
	}
	if n := f.count("select count(*) from interventions where id = $1 and status = 'done'", intervention); n != 1 {
		t.Errorf("the intervention is not done")
	}
	if n := f.count("select count(*) from audit_events where action = 'task.completed' and entity_id = $1 and actor_id = $2", id, f.coord); n != 1 {
		t.Errorf("task.completed audit events: %d, want 1", n)
	}
	if n := f.count("select count(*) from patient_events where patient_id = $1 and summary = 'Done: Apply for SNAP — Application sent'", f.patient); n != 1 {
		t.Errorf("timeline lines of the completion: %d, want 1", n)
	}
}

func TestTaskActions_ProblemsConflictsAndClosedTasksChangeNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	a := f.actor(f.coord, auth.Coordinator)
	id := f.safetyTask()

	_, err := f.svc.CompleteTask(ctx, a, f.patient, id, tasks.ActionForm{Version: 1})
	if e, ok := fail.As(err); !ok || e.Kind != fail.KindInvalid || !strings.Contains(e.Fields["note"], "safety alert") ||
		e.Message != "Some answers need another look. Nothing was changed yet." {
		t.Fatalf("safety alert completed without a note: %v", err)
	}
	_, err = f.svc.RescheduleTask(ctx, a, f.patient, id, tasks.ActionForm{Version: 1, Due: time.Now().Format("2006-01-02")})
	if fields := fail.Fields(err); !strings.Contains(fields["reason"], "Say why") {
		t.Fatalf("reschedule without a reason: %v", err)
	}
	tomorrow := time.Now().AddDate(0, 0, 1)
	if _, err := f.svc.RescheduleTask(ctx, a, f.patient, id, tasks.ActionForm{Version: 1, Due: tomorrow.Format("2006-01-02"), Reason: "Calling tomorrow"}); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.CompleteTask(ctx, a, f.patient, id, tasks.ActionForm{Version: 1, Note: "Spoke with her"})
	if !errors.Is(err, worklist.ErrTaskChanged) || !errors.Is(err, db.ErrConflict) {
		t.Fatalf("stale completion: %v, want ErrTaskChanged", err)
	}
	_, err = f.svc.HandOverTask(ctx, a, f.patient, id, tasks.ActionForm{Version: 2, Assignee: f.coord})
	if fields := fail.Fields(err); !strings.Contains(fields["assignee"], "already theirs") {
		t.Fatalf("hand-over to the assignee: %v", err)
	}
	if _, err := f.svc.CompleteTask(ctx, a, f.patient, id, tasks.ActionForm{Version: 2, Note: "Spoke with her"}); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.HandOverTask(ctx, a, f.patient, id, tasks.ActionForm{Version: 3, Assignee: f.colleague})
	if !errors.Is(err, worklist.ErrTaskClosed) || fail.KindOf(err) != fail.KindConflict {
		t.Fatalf("handing over a done task: %v, want ErrTaskClosed", err)
	}
	want := []string{"Rescheduled: Safety follow-up after PHQ-9 to " + calendar.EndOfDay(tomorrow).Format("2 Jan 2006") + " — Calling tomorrow",
		"Done: Safety follow-up after PHQ-9 — Spoke with her"}
	for _, line := range want {
		if n := f.count("select count(*) from patient_events where patient_id = $1 and summary = $2", f.patient, line); n != 1 {
			t.Errorf("timeline lines %q: %d, want 1", line, n)
		}
	}
	if n := f.count("select count(*) from audit_events where entity_id = $1", id); n != 2 {
		t.Errorf("audit events of the task: %d, want 2 (reschedule and completion)", n)
	}
}

func TestWorklist_SplitsTheDayAndShowsTeamAlertsOnlyToSupervisors(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	safety := f.safetyTask()
	late := f.task(tasks.NewTask{Title: "Call the pharmacy", DueAt: calendar.EndOfDay(time.Now().AddDate(0, 0, -2)), Source: tasks.Manual})
	f.task(tasks.NewTask{Title: "Next week", DueAt: calendar.EndOfDay(time.Now().AddDate(0, 0, 7)), Source: tasks.Manual})

	w, err := f.svc.Worklist(ctx, f.actor(f.coord, auth.Coordinator))
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Overdue) != 1 || w.Overdue[0].ID != late || len(w.DueToday) != 1 || w.DueToday[0].ID != safety || w.ShowTeam || len(w.Team) != 0 {
		t.Errorf("coordinator's worklist: overdue %+v, due today %+v, team %v %+v", w.Overdue, w.DueToday, w.ShowTeam, w.Team)
	}
	// Never reached since the referral ten days ago: due for contact.
	if len(w.Contacts.DueForContact) != 1 || w.Contacts.DueForContact[0].ID != f.patient {
		t.Errorf("contact work: %+v", w.Contacts)
	}
	sup, err := f.svc.Worklist(ctx, f.actor(f.supervisor, auth.Supervisor))
	if err != nil || !sup.ShowTeam || len(sup.Team) != 1 || sup.Team[0].ID != safety || len(sup.Overdue)+len(sup.DueToday) != 0 {
		t.Errorf("supervisor's worklist: %v %+v", err, sup)
	}
}

// A team in Los Angeles at 18:30 on Monday 23 November 2026 (02:30 UTC on
// Tuesday): "today" is Los Angeles's Monday. A task due by the end of
// Monday is due today, not overdue; one due by the end of Tuesday is not on
// today's list yet, though it is Tuesday in UTC; Sunday's is overdue. The
// tenant's transaction casts moments to Los Angeles's dates too.
func TestWorklist_TodayIsTheTeamsDayWestOfUTC(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.exec(`update tenants set settings = '{"time_zone": "America/Los_Angeles"}' where id = $1`, f.tenant)
	la, _ := calendar.Zone("America/Los_Angeles")
	s := tenants.DefaultSettings()
	s.TimeZone = "America/Los_Angeles"
	now := time.Date(2026, 11, 24, 2, 30, 0, 0, time.UTC)
	a := tenants.Actor{TenantID: f.tenant, UserID: f.coord, Role: auth.Coordinator, Settings: s, At: now.In(s.Location())}
	endOf := func(day int) time.Time { return calendar.EndOfDay(time.Date(2026, 11, day, 12, 0, 0, 0, la)) }
	monday := f.task(tasks.NewTask{Title: "Call back about the ride", DueAt: endOf(23), Source: tasks.Manual})
	f.task(tasks.NewTask{Title: "Send the food bank form", DueAt: endOf(24), Source: tasks.Manual})
	sunday := f.task(tasks.NewTask{Title: "Check the pharmacy", DueAt: endOf(22), Source: tasks.Manual})

	w, err := f.svc.Worklist(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC); !w.Today.Equal(want) {
		t.Errorf("today %s, want Monday 23 Nov", w.Today.Format(calendar.WeekdayDay))
	}
	if len(w.DueToday) != 1 || w.DueToday[0].ID != monday {
		t.Errorf("due today: %v, want only Monday's task", titles(w.DueToday))
	}
	if len(w.Overdue) != 1 || w.Overdue[0].ID != sunday {
		t.Errorf("overdue: %v, want only Sunday's task", titles(w.Overdue))
	}
	if d := f.count(`select extract(day from $1::timestamptz::date)::int`, now); d != 23 {
		t.Errorf("the tenant's transaction dates 02:30 UTC on the 24th as the %dth, want the 23rd", d)
	}
}

func titles(list []tasks.Task) []string {
	var out []string
	for _, t := range list {
		out = append(out, t.Title)
	}
	return out
}

// A caseload of thousands must not make a worklist of thousands: each
// section shows its Shown most urgent, counts the rest, and names in the
// audit log only the patients shown. A safety alert is never cut, however
// many other tasks are overdue.
func TestWorklist_EachSectionShowsItsMostUrgentAndCountsTheRest(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	others := worklist.Shown + 5
	for i := range others {
		f.task(tasks.NewTask{Title: "Overdue " + strconv.Itoa(i), DueAt: calendar.EndOfDay(time.Now().AddDate(0, 0, -2-i)), Source: tasks.Manual})
	}
	f.exec(`update tasks set due_at = now() - interval '1 hour' where title = 'Overdue 0'`)
	safety := f.safetyTask()
	f.exec(`update tasks set due_at = now() - interval '3 days' where id = $1`, safety)
	f.exec(`insert into patients (tenant_id, given_name, family_name, date_of_birth, status, assigned_coordinator_id, referral_date)
		select $1, 'Pat', 'Number ' || n, date '1960-01-01', 'active', $2, current_date - 30 from generate_series(1, $3::int) n`,
		f.tenant, f.coord, others)

	w, err := f.svc.Worklist(ctx, f.actor(f.coord, auth.Coordinator))
	if err != nil {
		t.Fatal(err)
	}
	if w.Totals.Overdue != others+1 || len(w.Overdue) != worklist.Shown+1 || !slices.ContainsFunc(w.Overdue, func(t tasks.Task) bool { return t.ID == safety }) {
		t.Errorf("overdue: %d shown of %d, safety alert shown: %v", len(w.Overdue), w.Totals.Overdue,
			slices.ContainsFunc(w.Overdue, func(t tasks.Task) bool { return t.ID == safety }))
	}
	if w.Totals.DueForContact != others+1 || len(w.Contacts.DueForContact) != worklist.Shown {
		t.Errorf("due for contact: %d shown of %d", len(w.Contacts.DueForContact), w.Totals.DueForContact)
	}
	// One event per patient listed; the tasks are all f.patient's.
	named := f.count(`select count(distinct patient_id) from audit_events where action = 'patient.listed'`)
	if named == 0 || named > worklist.Shown+1 {
		t.Errorf("the audit event names %d patients, more than the worklist shows", named)
	}
}
