package tasks_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"carecoord/internal/db"
	"carecoord/internal/db/dbtest"
	"carecoord/internal/tasks"

	"github.com/jackc/pgx/v5"
)

// bulkWorld is a tenant with a coordinator, a colleague, a patient of the
// coordinator's, an unassigned patient and an assessment of the first.
type bulkWorld struct {
	t                               *testing.T
	d                               dbtest.DB
	tenant, coord, colleague        string
	assigned, unassigned, screening string
}

func newBulkWorld(t *testing.T) bulkWorld {
	t.Helper()
	w := bulkWorld{t: t, d: dbtest.New(t, "")}
	ctx := context.Background()
	if err := w.d.Pool.QueryRow(ctx, "insert into tenants (slug, name) values ('north', 'North') returning id").Scan(&w.tenant); err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct {
		email string
		id    *string
	}{{"ann@x.test", &w.coord}, {"ben@x.test", &w.colleague}} {
		if err := w.d.Pool.QueryRow(ctx, "insert into users (email, name, password_hash) values ($1, $1, 'x') returning id", u.email).Scan(u.id); err != nil {
			t.Fatal(err)
		}
	}
	w.in(`insert into patients (tenant_id, given_name, family_name, date_of_birth, assigned_coordinator_id)
		values ($1, 'Pat', 'One', '1950-01-01', $2) returning id`, []any{w.tenant, w.coord}, &w.assigned)
	w.in(`insert into patients (tenant_id, given_name, family_name, date_of_birth)
		values ($1, 'Pat', 'Two', '1950-01-01') returning id`, []any{w.tenant}, &w.unassigned)
	w.in(`insert into assessments (tenant_id, patient_id, instrument_code, instrument_version, method)
		values ($1, $2, 'PHQ-9', '1', 'phone') returning id`, []any{w.tenant, w.assigned}, &w.screening)
	return w
}

// in runs sql in the tenant's transaction, scanning its row into dst.
func (w bulkWorld) in(sql string, args []any, dst ...any) {
	w.t.Helper()
	err := db.InTenant(context.Background(), w.d.Pool, w.tenant, func(tx pgx.Tx) error {
		if len(dst) == 0 {
			_, err := tx.Exec(context.Background(), sql, args...)
			return err
		}
		return tx.QueryRow(context.Background(), sql, args...).Scan(dst...)
	})
	if err != nil {
		w.t.Fatalf("%s: %v", sql, err)
	}
}

func TestCreateMany_FollowsCreatesRulesForEveryTask(t *testing.T) {
	t.Parallel()
	w := newBulkWorld(t)
	ctx := context.Background()
	due := time.Date(2026, 12, 4, 23, 59, 0, 0, time.UTC)
	var ids []string
	err := db.InTenant(ctx, w.d.Pool, w.tenant, func(tx pgx.Tx) (err error) {
		// The screening already raised its safety task.
		if _, _, err := tasks.Create(ctx, tx, w.tenant, tasks.NewTask{PatientID: w.assigned, Title: "Call today", DueAt: due,
			AssigneeID: w.coord, Priority: tasks.Urgent, Source: tasks.SafetyAlert, SourceID: w.screening}); err != nil {
			return err
		}
		ids, err = tasks.CreateMany(ctx, tx, w.tenant, []tasks.NewTask{
			{PatientID: w.assigned, Title: strings.Repeat("a", 250), DueAt: due, AssigneeID: w.colleague, ToCoordinator: true, Source: tasks.Manual},
			{PatientID: w.unassigned, Title: "Second", DueAt: due, AssigneeID: w.colleague, ToCoordinator: true, Source: tasks.Manual},
			{PatientID: w.assigned, Title: "Safety again", DueAt: due, Priority: tasks.Urgent, Source: tasks.SafetyAlert, SourceID: w.screening},
			{PatientID: w.unassigned, Title: "Third", DueAt: due, AssigneeID: w.colleague, Priority: tasks.Urgent, Source: tasks.FromContact},
		})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 4 || ids[0] == "" || ids[1] == "" || ids[2] != "" || ids[3] == "" {
		t.Fatalf("ids %q: want three new tasks, and none for the screening that has its safety task", ids)
	}
	type got struct {
		title, assignee, priority string
	}
	for i, want := range []got{
		{strings.Repeat("a", 199) + "…", w.coord, "normal"}, // the patient's coordinator; the title fitted
		{"Second", w.colleague, "normal"},                   // nobody's patient: the assignee given
		{},
		{"Third", w.colleague, "urgent"},
	} {
		if i == 2 {
			continue
		}
		var g got
		w.in("select title, assignee_id::text, priority from tasks where id = $1", []any{ids[i]}, &g.title, &g.assignee, &g.priority)
		if g != want {
			t.Errorf("task %d: %+v, want %+v", i, g, want)
		}
	}
}

func TestCompleteMany_CompletesOpenTasksWithTheirHistory(t *testing.T) {
	t.Parallel()
	w := newBulkWorld(t)
	ctx := context.Background()
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	var done, again int
	err := db.InTenant(ctx, w.d.Pool, w.tenant, func(tx pgx.Tx) error {
		ids, err := tasks.CreateMany(ctx, tx, w.tenant, []tasks.NewTask{
			{PatientID: w.assigned, Title: "One", DueAt: at, AssigneeID: w.coord, Source: tasks.FromContact},
			{PatientID: w.assigned, Title: "Two", DueAt: at, AssigneeID: w.coord, Source: tasks.FromContact},
		})
		if err != nil {
			return err
		}
		c := []tasks.Completion{{TaskID: ids[0], ActorID: w.coord, At: at, Note: "Called"}}
		if done, err = tasks.CompleteMany(ctx, tx, w.tenant, c); err != nil {
			return err
		}
		again, err = tasks.CompleteMany(ctx, tx, w.tenant, c)
		return err
	})
	if err != nil || done != 1 || again != 0 {
		t.Fatalf("completed %d, then %d again (err %v); want 1, then none", done, again, err)
	}
	var open, events int
	var completedAt, eventAt time.Time
	w.in(`select count(*) filter (where status = 'open'), max(completed_at),
	             (select count(*) from task_events where kind = 'completed'), (select max(at) from task_events)
	        from tasks`, nil, &open, &completedAt, &events, &eventAt)
	if open != 1 || events != 1 || !completedAt.Equal(at) || !eventAt.Equal(at) {
		t.Errorf("%d open, %d completion events, completed at %v, event at %v; want 1, 1, both at %v", open, events, completedAt, eventAt, at)
	}
}
