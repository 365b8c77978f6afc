package tasks

import (
	"context"
	"strings"
	"time"

	"carecoord/internal/db"

	"github.com/jackc/pgx/v5"
)

// Loaders (the scale tenant) make tens of thousands of tasks at once:
// these do what Create and Complete do, for many tasks in one statement.

// columnOf is the column that names the record a task of source s is
// about, as Create writes it.
func columnOf(s Source) string {
	if c, ok := sourceColumn[s]; ok {
		return c
	}
	return "source_contact_id"
}

// CreateMany stores open tasks as Create does (titles fitted, normal
// priority unless said, the patient's coordinator for ToCoordinator, and
// at most one task per record for the sources that raise one), in one
// statement. It returns the new tasks' ids in the order of ts, "" for a
// task not created because its record already had one.
func CreateMany(ctx context.Context, q db.DBTX, tenantID string, ts []NewTask) ([]string, error) {
	return createMany(ctx, q, tenantID, ts, nil)
}

// CreateManyDone stores tasks that were done already, as CreateMany and
// then CompleteMany leave them (done, with their completion in the task's
// history), writing each task once: for loaders of a year of history,
// where most tasks are long done. done[i] is the completion of ts[i]
// (its TaskID is not read), or nil for a task still open.
func CreateManyDone(ctx context.Context, q db.DBTX, tenantID string, ts []NewTask, done []*Completion) ([]string, error) {
	return createMany(ctx, q, tenantID, ts, done)
}

func createMany(ctx context.Context, q db.DBTX, tenantID string, ts []NewTask, completions []*Completion) ([]string, error) {
	n := len(ts)
	doneAt, doneBy, doneNote := make([]*time.Time, n), make([]string, n), make([]string, n)
	for i, c := range completions {
		if c != nil {
			doneAt[i], doneBy[i], doneNote[i] = &c.At, c.ActorID, c.Note
		}
	}
	patient, title, assignee, toCoordinator := make([]string, n), make([]string, n), make([]string, n), make([]bool, n)
	due, priority, source, sourceID := make([]time.Time, n), make([]string, n), make([]string, n), make([]string, n)
	for i, t := range ts {
		patient[i], title[i], due[i], assignee[i], toCoordinator[i] = t.PatientID, Title(t.Title), t.DueAt, t.AssigneeID, t.ToCoordinator
		priority[i], source[i], sourceID[i] = string(t.Priority), string(t.Source), t.SourceID
		if t.Priority == "" {
			priority[i] = string(Normal)
		}
	}
	// Each row names its record in the column of its source (see Create);
	// the other source columns stay null.
	cols, vals, done := "", "", map[string]bool{}
	for _, s := range Sources.Values() {
		c := columnOf(s)
		if done[c] {
			continue
		}
		done[c] = true
		var of []string
		for _, o := range Sources.Values() {
			if columnOf(o) == c {
				of = append(of, "'"+string(o)+"'")
			}
		}
		cols += ", " + c
		vals += ", case when x.source in (" + strings.Join(of, ", ") + ") then nullif(x.source_id, '')::uuid end"
	}
	rows, _ := q.Query(ctx, `
		with x as materialized (
		    select gen_random_uuid() as id, x.*
		      from unnest($2::uuid[], $3::text[], $4::timestamptz[], $5::text[], $6::bool[], $7::text[], $8::text[], $9::text[],
		                  $10::timestamptz[], $11::text[], $12::text[])
		           with ordinality as x (patient_id, title, due_at, assignee_id, to_coordinator, priority, source, source_id,
		                                 done_at, done_by, done_note, n)),
		ins as (
		    insert into tasks (tenant_id, id, patient_id, title, due_at, assignee_id, priority, source`+cols+`,
		                       status, completed_at, completed_by, completion_note, version)
		    select $1, x.id, x.patient_id, x.title, x.due_at,
		           case when x.to_coordinator
		                then coalesce((select p.assigned_coordinator_id from patients p where p.tenant_id = $1 and p.id = x.patient_id),
		                              nullif(x.assignee_id, '')::uuid)
		                else nullif(x.assignee_id, '')::uuid end,
		           x.priority, x.source`+vals+`,
		           case when x.done_at is null then 'open' else 'done' end, x.done_at, nullif(x.done_by, '')::uuid,
		           coalesce(x.done_note, ''), case when x.done_at is null then 1 else 2 end
		      from x
		     order by x.n
		    on conflict do nothing
		    returning id, completed_at),
		-- A task created done has its completion in its history, as
		-- CompleteMany writes it.
		ev as (
		    insert into task_events (tenant_id, task_id, kind, note, actor_id, at)
		    select $1, x.id, 'completed', x.done_note, nullif(x.done_by, '')::uuid, x.done_at
		      from ins join x on x.id = ins.id
		     where ins.completed_at is not null)
		select coalesce(ins.id::text, '') from x left join ins on ins.id = x.id order by x.n`,
		tenantID, patient, title, due, assignee, toCoordinator, priority, source, sourceID, doneAt, doneBy, doneNote)
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// Completion is an open task done: by whom, when, with what note.
type Completion struct {
	TaskID, ActorID string
	At              time.Time
	Note            string
}

// CompleteMany marks open tasks done as Complete does, each with its
// history line dated when it was done, in one statement; a task no longer
// open is left as it is. The tasks are found by key (the ids are an index
// condition too), whatever the planner guesses of a tenant it has no
// statistics for yet. It returns how many were completed.
func CompleteMany(ctx context.Context, q db.DBTX, tenantID string, cs []Completion) (int, error) {
	ids, actors, at, notes := make([]string, len(cs)), make([]string, len(cs)), make([]time.Time, len(cs)), make([]string, len(cs))
	for i, c := range cs {
		ids[i], actors[i], at[i], notes[i] = c.TaskID, c.ActorID, c.At, c.Note
	}
	tag, err := q.Exec(ctx, `
		with x as (select * from unnest($2::uuid[], $3::text[], $4::timestamptz[], $5::text[]) as x (id, actor_id, at, note)),
		done as (
		    update tasks t set status = 'done', completed_at = x.at, completed_by = nullif(x.actor_id, '')::uuid,
		           completion_note = x.note, version = t.version + 1
		      from x
		     where t.tenant_id = $1 and t.id = any($2::uuid[]) and t.id = x.id and t.status = 'open'
		    returning t.id, x.actor_id, x.at, x.note)
		insert into task_events (tenant_id, task_id, kind, note, actor_id, at)
		select $1, id, 'completed', note, nullif(actor_id, '')::uuid, at from done`,
		tenantID, ids, actors, at, notes)
	return int(tag.RowsAffected()), err
}
