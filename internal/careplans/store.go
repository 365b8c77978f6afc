package careplans

import (
	"context"
	"slices"
	"time"

	"carecoord/internal/db"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// Ref names one plan of one patient in one tenant; every store function
// takes it so that a plan id from another patient's URL finds nothing.
type Ref struct {
	TenantID, PatientID, PlanID string
}

// Load reads a plan's working copy with its needs, goals, interventions
// and progress notes.
func Load(ctx context.Context, q db.DBTX, ref Ref) (Plan, error) {
	plans, err := LoadPlans(ctx, q, ref.TenantID, []string{ref.PlanID})
	if err != nil {
		return Plan{}, err
	}
	p, ok := plans[ref.PlanID]
	if !ok || p.PatientID != ref.PatientID {
		return Plan{}, db.ErrNotFound
	}
	return p, nil
}

// LoadPlans reads the working copies of the tenant's plans with the given
// ids, by id, in one statement per table whatever their number (the
// approval queue shows every waiting plan), all in one round trip; ids not
// found are left out.
func LoadPlans(ctx context.Context, q db.DBTX, tenantID string, ids []string) (map[string]Plan, error) {
	plans := map[string]Plan{}
	b := &pgx.Batch{}
	QueuePlans(b, tenantID, ids, plans)
	return plans, db.Send(ctx, q, b)
}

// QueuePlans queues into b the reads of the tenant's plans with the given
// ids; once b is read, plans holds them by id, each whole.
func QueuePlans(b *pgx.Batch, tenantID string, ids []string, plans map[string]Plan) {
	var (
		needs         = map[string][]PlanNeed{}
		goals         []goalRow
		interventions = map[string][]Intervention{}
	)
	queueHeaders(b, tenantID, ids, plans)
	queueNeeds(b, tenantID, ids, needs)
	goalsQuery(tenantID, ids).QueueAll(b, &goals)
	queueInterventions(b, tenantID, ids, interventions)
	// The notes are read last: their rows complete the plans.
	b.Queue(notesSQL, tenantID, ids).Query(func(rows pgx.Rows) error {
		notes, err := pgx.CollectRows(rows, pgx.RowToStructByName[ProgressNote])
		if err != nil {
			return err
		}
		byGoal := map[string][]ProgressNote{}
		for _, n := range notes {
			byGoal[n.GoalID] = append(byGoal[n.GoalID], n)
		}
		assemble(plans, needs, goals, interventions, byGoal)
		return nil
	})
}

// assemble puts each plan's needs in it, each need's goals in it, and
// each goal's interventions and notes in it.
func assemble(plans map[string]Plan, needs map[string][]PlanNeed, goals []goalRow,
	interventions map[string][]Intervention, notes map[string][]ProgressNote) {
	byNeed := map[string][]Goal{}
	for _, g := range goals {
		g.goal.Interventions = interventions[g.goal.ID]
		g.goal.Notes = notes[g.goal.ID]
		byNeed[g.needID] = append(byNeed[g.needID], g.goal)
	}
	for id, p := range plans {
		p.Needs = needs[id]
		for i := range p.Needs {
			p.Needs[i].Goals = byNeed[p.Needs[i].ID]
		}
		plans[id] = p
	}
}

func queueHeaders(b *pgx.Batch, tenantID string, ids []string, out map[string]Plan) {
	b.Queue(`
		select c.id, c.patient_id, c.title, c.status, c.stage, c.review_due, c.participants, c.patient_agreed,
		       c.returned_comment, coalesce(c.submitted_by::text, ''), coalesce(su.name, ''), c.submitted_at,
		       coalesce(au.name, ''), c.approved_at, c.closed_reason, c.created_at, c.updated_at, c.version
		  from care_plans c
		  left join users su on su.id = c.submitted_by
		  left join users au on au.id = c.approved_by
		 where c.tenant_id = $1 and c.id = any($2::uuid[])`, tenantID, ids).Query(func(rows pgx.Rows) error {
		var p Plan
		_, err := pgx.ForEachRow(rows, []any{&p.ID, &p.PatientID, &p.Title, &p.Status, &p.Stage, &p.ReviewDue, &p.Participants,
			&p.PatientAgreed, &p.ReturnedComment, &p.SubmittedByID, &p.SubmittedBy, &p.SubmittedAt,
			&p.ApprovedBy, &p.ApprovedAt, &p.ClosedReason, &p.CreatedAt, &p.UpdatedAt, &p.Version}, func() error {
			out[p.ID] = p
			p = Plan{}
			return nil
		})
		return err
	})
}

// queueNeeds reads the plans' needs by plan, in plan order.
func queueNeeds(b *pgx.Batch, tenantID string, ids []string, out map[string][]PlanNeed) {
	b.Queue(`
		select pn.plan_id, pn.id, n.id, n.domain, n.description, n.priority, pn.in_force
		  from care_plan_needs pn
		  join needs n on n.tenant_id = pn.tenant_id and n.id = pn.need_id
		 where pn.tenant_id = $1 and pn.plan_id = any($2::uuid[])
		 order by pn.plan_id, pn.position, pn.id`, tenantID, ids).Query(func(rows pgx.Rows) error {
		var planID string
		var n PlanNeed
		_, err := pgx.ForEachRow(rows, []any{&planID, &n.ID, &n.NeedID, &n.Domain, &n.Description, &n.Priority, &n.InForce}, func() error {
			out[planID] = append(out[planID], n)
			return nil
		})
		return err
	})
}

// goalRow is a goal with the plan need it serves.
type goalRow struct {
	needID string
	goal   Goal
}

// goalsQuery reads the plans' goals, in plan order.
func goalsQuery(tenantID string, ids []string) db.Query[goalRow] {
	return db.Query[goalRow]{SQL: `
		select plan_need_id, id, patient_words, target, target_date, priority, status, in_force
		  from goals
		 where tenant_id = $1 and plan_id = any($2::uuid[])
		 order by plan_id, position, id`, Args: []any{tenantID, ids}, Scan: func(r pgx.CollectableRow) (goalRow, error) {
		var g goalRow
		err := r.Scan(&g.needID, &g.goal.ID, &g.goal.PatientWords, &g.goal.Target, &g.goal.TargetDate,
			&g.goal.Priority, &g.goal.Status, &g.goal.InForce)
		return g, err
	}}
}

// queueInterventions reads the plans' interventions by goal, in order.
func queueInterventions(b *pgx.Batch, tenantID string, ids []string, out map[string][]Intervention) {
	b.Queue(`
		select i.goal_id, i.id, i.action, i.responsible_kind, coalesce(i.responsible_user_id::text, ''),
		       coalesce(i.responsible_member_id::text, ''),
		       case i.responsible_kind when 'coordinator' then u.name when 'care_team' then m.name
		            when 'patient' then 'The patient' else 'Caregiver' end,
		       i.due_date, i.status, i.in_force
		  from interventions i
		  left join users u on u.id = i.responsible_user_id
		  left join care_team_members m on m.tenant_id = i.tenant_id and m.id = i.responsible_member_id
		 where i.tenant_id = $1 and i.plan_id = any($2::uuid[])
		 order by i.position, i.id`, tenantID, ids).Query(func(rows pgx.Rows) error {
		var goalID string
		var i Intervention
		_, err := pgx.ForEachRow(rows, []any{&goalID, &i.ID, &i.Action, &i.ResponsibleKind, &i.ResponsibleUserID,
			&i.ResponsibleMemberID, &i.Responsible, &i.DueDate, &i.Status, &i.InForce}, func() error {
			out[goalID] = append(out[goalID], i)
			i.DueDate = nil
			return nil
		})
		return err
	})
}

// notesSQL reads the progress notes of the plans' goals, newest first.
const notesSQL = `
		select n.id, n.goal_id, n.note, coalesce(u.name, '') as author_name, n.created_at
		  from goal_progress_notes n
		  join goals g on g.tenant_id = n.tenant_id and g.id = n.goal_id
		  left join users u on u.id = n.author_id
		 where n.tenant_id = $1 and g.plan_id = any($2::uuid[])
		 order by n.created_at desc, n.id`

// Summary is one of a patient's plans in a list.
type Summary struct {
	ID         string
	Title      string
	Status     PlanStatus
	Stage      Stage
	CreatedAt  time.Time
	ApprovedAt *time.Time
	UpdatedAt  time.Time
}

// PlansForPatient returns every plan of the patient, open one first.
func PlansForPatient(ctx context.Context, q db.DBTX, tenantID, patientID string) ([]Summary, error) {
	rows, _ := q.Query(ctx, `
		select id, title, status, stage, created_at, approved_at, updated_at
		  from care_plans
		 where tenant_id = $1 and patient_id = $2
		 order by status in ('draft', 'active') desc, created_at desc, id`, tenantID, patientID)
	return pgx.CollectRows(rows, pgx.RowToStructByName[Summary])
}

// OpenPlanID returns the id of the patient's draft or active plan.
func OpenPlanID(ctx context.Context, q db.DBTX, tenantID, patientID string) (string, error) {
	return OpenPlanQuery(tenantID, patientID).One(ctx, q)
}

// create starts a draft plan for the patient addressing the given open
// needs of theirs, in that order, and records its first revision.
func create(ctx context.Context, q db.DBTX, a tenants.Actor, patientID, title string, needIDs []string) (Ref, error) {
	ref := Ref{TenantID: a.TenantID, PatientID: patientID}
	err := q.QueryRow(ctx, `
		insert into care_plans (tenant_id, patient_id, title, created_by, created_at, updated_at)
		values ($1, $2, $3, nullif($4, '')::uuid, $5, $5) returning id`, a.TenantID, patientID, title, a.UserID, a.At).Scan(&ref.PlanID)
	if db.IsUniqueViolation(err, "care_plans_one_open_key") {
		return ref, ErrOpenPlanExists
	}
	if err != nil {
		return ref, err
	}
	for _, needID := range needIDs {
		if err := linkNeed(ctx, q, ref, needID, a.At); err != nil {
			return ref, err
		}
	}
	return ref, record(ctx, q, ref, a, revision{kind: "created", summary: "Started the plan"})
}

// linkNeed adds one of the patient's open needs at the end of the plan and
// marks it as being addressed.
func linkNeed(ctx context.Context, q db.DBTX, ref Ref, needID string, at time.Time) error {
	tag, err := q.Exec(ctx, `
		insert into care_plan_needs (tenant_id, plan_id, need_id, position)
		select n.tenant_id, $2, n.id,
		       coalesce((select max(position) + 1 from care_plan_needs where tenant_id = $1 and plan_id = $2), 0)
		  from needs n
		 where n.tenant_id = $1 and n.id = $3 and n.patient_id = $4 and n.status in ('identified', 'addressing')
		on conflict (tenant_id, plan_id, need_id) do nothing`, ref.TenantID, ref.PlanID, needID, ref.PatientID)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return db.ErrNotFound
	}
	_, err = q.Exec(ctx, `update needs set status = 'addressing', updated_at = $3, version = version + 1
		where tenant_id = $1 and id = $2 and status = 'identified'`, ref.TenantID, needID, at)
	return err
}

// begin claims the plan for one change at a.At: it checks the version the
// person saw and that the working copy may be edited, and moves the
// version on, which also locks the row until the transaction ends. A stale
// version is ErrPlanChanged, so that the second of two editors never
// overwrites the first.
func begin(ctx context.Context, q db.DBTX, ref Ref, a tenants.Actor, version int, stages ...Stage) (Plan, error) {
	p, err := loadHeaderForUpdate(ctx, q, ref)
	if err != nil {
		return Plan{}, err
	}
	if p.Version != version {
		return Plan{}, ErrPlanChanged
	}
	if !p.Status.Open() || !slices.Contains(stages, p.Stage) {
		return Plan{}, ErrNotEditable
	}
	_, err = q.Exec(ctx, `update care_plans set version = version + 1, updated_at = $3
		where tenant_id = $1 and id = $2`, ref.TenantID, ref.PlanID, a.At)
	p.Version++
	return p, err
}

func loadHeaderForUpdate(ctx context.Context, q db.DBTX, ref Ref) (Plan, error) {
	var p Plan
	err := q.QueryRow(ctx, `
		select id, patient_id, status, stage, coalesce(submitted_by::text, ''), version
		  from care_plans
		 where tenant_id = $1 and patient_id = $2 and id = $3
		   for update`, ref.TenantID, ref.PatientID, ref.PlanID).
		Scan(&p.ID, &p.PatientID, &p.Status, &p.Stage, &p.SubmittedByID, &p.Version)
	return p, db.NotFound(err)
}

// edit applies one change to the working copy and records it as a
// revision; summary says what changed, for the history.
func edit(ctx context.Context, q db.DBTX, ref Ref, a tenants.Actor, version int, summary string, change func() error) error {
	if _, err := begin(ctx, q, ref, a, version, Editing); err != nil {
		return err
	}
	if err := change(); err != nil {
		return err
	}
	return record(ctx, q, ref, a, revision{kind: "edited", summary: summary})
}

// exactlyOne turns "no row changed" into not found.
func exactlyOne(err error, rows int64) error {
	if err == nil && rows == 0 {
		return db.ErrNotFound
	}
	return err
}

// cut fits text into n characters, marking what was left off.
func cut(text string, n int) string {
	if r := []rune(text); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return text
}
