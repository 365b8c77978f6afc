package careplans

import (
	"carecoord/internal/calendar"
	"context"
	"encoding/json"
	"time"

	"carecoord/internal/db"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// Snapshot is a whole plan as it stood after one saved change. Revisions
// keep it as JSON, so the field names below are a stored format: add
// fields freely, never rename them.
type Snapshot struct {
	Title         string         `json:"title"`
	Status        PlanStatus     `json:"status"`
	ReviewDue     string         `json:"review_due"`
	Participants  string         `json:"participants"`
	PatientAgreed Agreement      `json:"patient_agreed"`
	Needs         []SnapshotNeed `json:"needs"`
}

// SnapshotNeed is a need as kept in a snapshot.
type SnapshotNeed struct {
	ID       string         `json:"id"`
	Label    string         `json:"label"`
	Priority Priority       `json:"priority"`
	Goals    []SnapshotGoal `json:"goals"`
}

// SnapshotGoal is a goal as kept in a snapshot.
type SnapshotGoal struct {
	ID            string                 `json:"id"`
	PatientWords  string                 `json:"patient_words"`
	Target        string                 `json:"target"`
	TargetDate    string                 `json:"target_date"`
	Priority      Priority               `json:"priority"`
	Status        GoalStatus             `json:"status"`
	Interventions []SnapshotIntervention `json:"interventions"`
}

// SnapshotIntervention is an intervention as kept in a snapshot.
type SnapshotIntervention struct {
	ID          string             `json:"id"`
	Action      string             `json:"action"`
	Responsible string             `json:"responsible"`
	DueDate     string             `json:"due_date"`
	Status      InterventionStatus `json:"status"`
}

// SnapshotOf captures the plan's working copy.
func SnapshotOf(p Plan) Snapshot {
	s := Snapshot{Title: p.Title, Status: p.Status, ReviewDue: FormDate(p.ReviewDue), Participants: p.Participants,
		PatientAgreed: p.PatientAgreed, Needs: []SnapshotNeed{}}
	for _, n := range p.Needs {
		sn := SnapshotNeed{ID: n.ID, Label: n.Label(), Priority: n.Priority, Goals: []SnapshotGoal{}}
		for _, g := range n.Goals {
			sg := SnapshotGoal{ID: g.ID, PatientWords: g.PatientWords, Target: g.Target,
				TargetDate: g.TargetDate.Format(calendar.DateLayout), Priority: g.Priority, Status: g.Status,
				Interventions: []SnapshotIntervention{}}
			for _, i := range g.Interventions {
				sg.Interventions = append(sg.Interventions, SnapshotIntervention{ID: i.ID, Action: i.Action,
					Responsible: i.Responsible, DueDate: FormDate(i.DueDate), Status: i.Status})
			}
			sn.Goals = append(sn.Goals, sg)
		}
		s.Needs = append(s.Needs, sn)
	}
	return s
}

// revision is what record writes besides the snapshot.
type revision struct {
	kind    string
	summary string
	comment string
}

// record keeps the plan as it stands now as its next revision, made by a
// at a.At. Callers hold the plan's row lock (see begin), so numbers never
// collide. An actor without a UserID is CareCoord acting on someone's
// behalf.
func record(ctx context.Context, q db.DBTX, ref Ref, a tenants.Actor, r revision) error {
	p, err := Load(ctx, q, ref)
	if err != nil {
		return err
	}
	snap, err := json.Marshal(SnapshotOf(p))
	if err != nil {
		return err
	}
	_, err = q.Exec(ctx, `
		insert into care_plan_revisions (tenant_id, plan_id, number, kind, summary, comment, snapshot, actor_id, created_at)
		values ($1, $2, coalesce((select max(number) + 1 from care_plan_revisions where tenant_id = $1 and plan_id = $2), 1),
		        $3, $4, $5, $6, nullif($7, '')::uuid, $8)`,
		ref.TenantID, ref.PlanID, r.kind, cut(r.summary, 500), r.comment, snap, a.UserID, a.At)
	return err
}

// Revision is one saved change in a plan's history.
type Revision struct {
	Number    int
	Kind      string
	Summary   string
	Comment   string
	ActorName string
	CreatedAt time.Time
	Snapshot  Snapshot
}

// Approval reports whether the revision is an approved version.
func (r Revision) Approval() bool { return r.Kind == "approved" }

// History lists a plan's revisions, newest first, without snapshots.
func History(ctx context.Context, q db.DBTX, ref Ref) ([]Revision, error) {
	rows, _ := q.Query(ctx, `
		select r.number, r.kind, r.summary, r.comment, coalesce(u.name, '') as actor_name, r.created_at
		  from care_plan_revisions r
		  join care_plans c on c.tenant_id = r.tenant_id and c.id = r.plan_id
		  left join users u on u.id = r.actor_id
		 where r.tenant_id = $1 and c.patient_id = $2 and r.plan_id = $3
		 order by r.number desc`, ref.TenantID, ref.PatientID, ref.PlanID)
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Revision, error) {
		var r Revision
		err := row.Scan(&r.Number, &r.Kind, &r.Summary, &r.Comment, &r.ActorName, &r.CreatedAt)
		return r, err
	})
}

// RevisionAt reads one revision with its snapshot.
func RevisionAt(ctx context.Context, q db.DBTX, ref Ref, number int) (Revision, error) {
	return oneRevision(ctx, q, ref, `and r.number = $4`, number)
}

// LastApproved reads the newest approved revision: the version in force
// for an active plan. A plan never approved has none (db.ErrNotFound).
func LastApproved(ctx context.Context, q db.DBTX, ref Ref) (Revision, error) {
	return oneRevision(ctx, q, ref, `and r.kind = 'approved' order by r.number desc limit 1`)
}

// LastApprovedOf reads the version in force of each of the tenant's plans
// with the given ids, by plan id, in one statement; plans never approved
// are left out.
func LastApprovedOf(ctx context.Context, q db.DBTX, tenantID string, ids []string) (map[string]Revision, error) {
	out := map[string]Revision{}
	b := &pgx.Batch{}
	queueLastApprovedOf(b, tenantID, ids, out)
	return out, db.Send(ctx, q, b)
}

// queueLastApprovedOf is LastApprovedOf queued into b, filling out.
func queueLastApprovedOf(b *pgx.Batch, tenantID string, ids []string, out map[string]Revision) {
	b.Queue(`
		select distinct on (r.plan_id) r.plan_id, r.number, r.kind, r.summary, r.comment, coalesce(u.name, ''), r.created_at, r.snapshot
		  from care_plan_revisions r
		  left join users u on u.id = r.actor_id
		 where r.tenant_id = $1 and r.plan_id = any($2::uuid[]) and r.kind = 'approved'
		 order by r.plan_id, r.number desc`, tenantID, ids).Query(func(rows pgx.Rows) error {
		var planID string
		var r Revision
		var raw []byte
		_, err := pgx.ForEachRow(rows, []any{&planID, &r.Number, &r.Kind, &r.Summary, &r.Comment, &r.ActorName, &r.CreatedAt, &raw}, func() error {
			rev := r
			if err := json.Unmarshal(raw, &rev.Snapshot); err != nil {
				return err
			}
			out[planID] = rev
			return nil
		})
		return err
	})
}

func oneRevision(ctx context.Context, q db.DBTX, ref Ref, cond string, args ...any) (Revision, error) {
	var r Revision
	var raw []byte
	err := q.QueryRow(ctx, `
		select r.number, r.kind, r.summary, r.comment, coalesce(u.name, ''), r.created_at, r.snapshot
		  from care_plan_revisions r
		  join care_plans c on c.tenant_id = r.tenant_id and c.id = r.plan_id
		  left join users u on u.id = r.actor_id
		 where r.tenant_id = $1 and c.patient_id = $2 and r.plan_id = $3 `+cond,
		append([]any{ref.TenantID, ref.PatientID, ref.PlanID}, args...)...).
		Scan(&r.Number, &r.Kind, &r.Summary, &r.Comment, &r.ActorName, &r.CreatedAt, &raw)
	if err != nil {
		return Revision{}, db.NotFound(err)
	}
	return r, json.Unmarshal(raw, &r.Snapshot)
}
