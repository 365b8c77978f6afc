package careplans

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"carecoord/internal/audit"
	"carecoord/internal/auth"
	"carecoord/internal/db"
	"carecoord/internal/forms"
	"carecoord/internal/patients"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// What the care plan pages read. Each read runs in one tenant transaction
// and records that the person saw the plan, where the page is a view of
// it.

// StartPage is what the care plan entry of a chart shows: the patient's
// open plan, or what a new one can start from.
type StartPage struct {
	// OpenPlanID is the patient's draft or active plan, "" when there is
	// none; the rest is read only then.
	OpenPlanID string
	Patient    patients.Patient
	// Needs are the patient's open needs, which a new plan addresses.
	Needs []Need
	Plans []Summary
}

// StartPage reads the patient's open plan or, when there is none, what a
// new plan can start from.
func (s *Service) StartPage(ctx context.Context, a tenants.Actor, patientID string) (StartPage, error) {
	var out StartPage
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		out.OpenPlanID, err = OpenPlanID(ctx, tx, a.TenantID, patientID)
		if !errors.Is(err, db.ErrNotFound) {
			return err
		}
		if out.Patient, err = patients.Get(ctx, tx, a.TenantID, patientID); err != nil {
			return err
		}
		if out.Needs, err = openNeeds(ctx, tx, a.TenantID, patientID, nil); err != nil {
			return err
		}
		out.Plans, err = PlansForPatient(ctx, tx, a.TenantID, patientID)
		return err
	})
	return out, err
}

// openNeeds lists the patient's open needs other than those on plan.
func openNeeds(ctx context.Context, q db.DBTX, tenantID, patientID string, plan *Plan) ([]Need, error) {
	all, err := ListForPatient(ctx, q, tenantID, patientID)
	if err != nil {
		return nil, err
	}
	on := map[string]bool{}
	if plan != nil {
		for _, n := range plan.Needs {
			on[n.NeedID] = true
		}
	}
	var out []Need
	for _, n := range all {
		if n.Status.Open() && !on[n.ID] {
			out = append(out, n)
		}
	}
	return out, nil
}

// PlanPage is the plan editor's content: the working copy and everything
// its forms offer.
type PlanPage struct {
	Plan    Plan
	Patient patients.Patient
	// ReturnedBy names the supervisor who returned the plan, when their
	// comment is shown; "" if unknown.
	ReturnedBy string
	// Review is set when the plan waits for approval and the reader
	// reviews caseloads.
	Review *Review
	// Responsible are who may carry out an intervention.
	Responsible forms.Choices[string]
	// OtherNeeds are the patient's open needs not on the plan.
	OtherNeeds []Need
	// Plans are all the patient's plans, this one included.
	Plans []Summary
}

// Review is what a supervisor weighs to approve a plan: what changed since
// the version in force.
type Review struct {
	// Since is the version in force the changes are measured from; nil
	// when nothing was approved yet.
	Since   *Revision
	Changes []Change
	// Own is set when the reader submitted the plan: someone else must
	// approve it.
	Own bool
}

// PlanPage reads the plan editor for a, as a view of the plan.
func (s *Service) PlanPage(ctx context.Context, a tenants.Actor, patientID, planID string) (PlanPage, error) {
	return s.planPage(ctx, a, refOf(a, patientID, planID), true)
}

// PlanAgain reads the plan editor to show a change that failed with the
// person's input kept: the same page, not a new view of it.
func (s *Service) PlanAgain(ctx context.Context, a tenants.Actor, patientID, planID string) (PlanPage, error) {
	return s.planPage(ctx, a, refOf(a, patientID, planID), false)
}

func (s *Service) planPage(ctx context.Context, a tenants.Actor, ref Ref, viewed bool) (PlanPage, error) {
	var out PlanPage
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		if out.Plan, err = Load(ctx, tx, ref); err != nil {
			return err
		}
		if out.Patient, err = patients.Get(ctx, tx, ref.TenantID, ref.PatientID); err != nil {
			return err
		}
		if out.Plan.ReturnedComment != "" && out.Plan.Stage == Editing {
			if out.ReturnedBy, err = lastReturnedBy(ctx, tx, ref); err != nil {
				return err
			}
		}
		if out.Plan.Stage == Submitted && a.Can(auth.Role.ReviewsCaseloads) {
			if out.Review, err = reviewOf(ctx, tx, a, ref, out.Plan); err != nil {
				return err
			}
		}
		if out.Responsible, err = Responsibles(ctx, tx, ref.TenantID, ref.PatientID); err != nil {
			return err
		}
		if out.OtherNeeds, err = openNeeds(ctx, tx, ref.TenantID, ref.PatientID, &out.Plan); err != nil {
			return err
		}
		if out.Plans, err = PlansForPatient(ctx, tx, ref.TenantID, ref.PatientID); err != nil || !viewed {
			return err
		}
		return a.AuditView(ctx, tx, audit.Event{Action: "care_plan.viewed", EntityType: "care_plan", EntityID: ref.PlanID, PatientID: ref.PatientID})
	})
	return out, err
}

// lastReturnedBy names the supervisor who last returned the plan.
func lastReturnedBy(ctx context.Context, q db.DBTX, ref Ref) (string, error) {
	history, err := History(ctx, q, ref)
	for _, h := range history {
		if h.Kind == "returned" {
			return h.ActorName, err
		}
	}
	return "", err
}

// reviewOf compares the submitted plan with the version in force, or with
// nothing for a first approval.
func reviewOf(ctx context.Context, q db.DBTX, a tenants.Actor, ref Ref, p Plan) (*Review, error) {
	last, err := LastApproved(ctx, q, ref)
	switch {
	case err == nil:
		return reviewSince(a, p, &last), nil
	case !errors.Is(err, db.ErrNotFound):
		return nil, err
	}
	return reviewSince(a, p, nil), nil
}

// reviewSince compares the plan with the version in force, last (nil when
// the plan was never approved).
func reviewSince(a tenants.Actor, p Plan, last *Revision) *Review {
	r := &Review{Own: p.SubmittedByID == a.UserID, Since: last}
	base := Snapshot{}
	if last != nil {
		base = last.Snapshot
	}
	r.Changes = Diff(base, SnapshotOf(p))
	return r
}

// HistoryPage is a plan's revisions, newest first, and the comparison of
// two versions when one was asked for.
type HistoryPage struct {
	Plan      Plan
	Patient   patients.Patient
	Revisions []Revision
	Compare   *Comparison
}

// Comparison is what changed from one version of a plan to another.
type Comparison struct {
	From, To Version
	Changes  []Change
}

// Version names a version of a plan: a revision number, "approved" (the
// version in force) or "current" (the working copy).
type Version struct {
	Name string
	// Number is the revision's; for "approved", the revision in force.
	Number int
}

// HistoryPage reads the plan's history as a view of the plan, comparing
// the versions named from and to when both are given. A version the plan
// does not have is db.ErrNotFound.
func (s *Service) HistoryPage(ctx context.Context, a tenants.Actor, patientID, planID, from, to string) (HistoryPage, error) {
	ref := refOf(a, patientID, planID)
	var out HistoryPage
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		if out.Plan, err = Load(ctx, tx, ref); err != nil {
			return err
		}
		if out.Patient, err = patients.Get(ctx, tx, ref.TenantID, ref.PatientID); err != nil {
			return err
		}
		if out.Revisions, err = History(ctx, tx, ref); err != nil {
			return err
		}
		if from != "" && to != "" {
			if out.Compare, err = compare(ctx, tx, ref, out.Plan, from, to); err != nil {
				return err
			}
		}
		return a.AuditView(ctx, tx, audit.Event{Action: "care_plan.history_viewed", EntityType: "care_plan", EntityID: ref.PlanID, PatientID: ref.PatientID})
	})
	return out, err
}

func compare(ctx context.Context, q db.DBTX, ref Ref, p Plan, from, to string) (*Comparison, error) {
	a, fromV, err := versionNamed(ctx, q, ref, p, from)
	if err != nil {
		return nil, err
	}
	b, toV, err := versionNamed(ctx, q, ref, p, to)
	if err != nil {
		return nil, err
	}
	return &Comparison{From: fromV, To: toV, Changes: Diff(a, b)}, nil
}

func versionNamed(ctx context.Context, q db.DBTX, ref Ref, p Plan, name string) (Snapshot, Version, error) {
	switch name {
	case "current":
		return SnapshotOf(p), Version{Name: name}, nil
	case "approved":
		rev, err := LastApproved(ctx, q, ref)
		return rev.Snapshot, Version{Name: name, Number: rev.Number}, err
	}
	n, err := strconv.Atoi(name)
	if err != nil || n < 1 {
		return Snapshot{}, Version{}, db.ErrNotFound
	}
	rev, err := RevisionAt(ctx, q, ref, n)
	return rev.Snapshot, Version{Name: name, Number: n}, err
}

// PrintPage is the patient's copy of their plan.
type PrintPage struct {
	Patient patients.Patient
	Team    []patients.Member
	// Plan is the plan in force, or the working copy while nothing has
	// been approved yet, as the patient reads it (see ForPatient).
	Plan Snapshot
	// ApprovedAt is when the version in force was approved; nil for a
	// draft.
	ApprovedAt *time.Time
}

// PrintPage reads the patient's copy of the plan, as a printing of it.
func (s *Service) PrintPage(ctx context.Context, a tenants.Actor, patientID, planID string) (PrintPage, error) {
	ref := refOf(a, patientID, planID)
	var out PrintPage
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		p, err := Load(ctx, tx, ref)
		if err != nil {
			return err
		}
		if out.Patient, err = patients.Get(ctx, tx, ref.TenantID, ref.PatientID); err != nil {
			return err
		}
		if out.Team, err = patients.CareTeam(ctx, tx, ref.TenantID, ref.PatientID); err != nil {
			return err
		}
		out.Plan = SnapshotOf(p)
		rev, err := LastApproved(ctx, tx, ref)
		switch {
		case err == nil:
			out.Plan, out.ApprovedAt = InForce(rev.Snapshot, p), &rev.CreatedAt
		case !errors.Is(err, db.ErrNotFound):
			return err
		}
		out.Plan = ForPatient(out.Plan)
		return a.Audit(ctx, tx, audit.Event{Action: "care_plan.printed", EntityType: "care_plan", EntityID: ref.PlanID, PatientID: ref.PatientID})
	})
	return out, err
}

// ForPatient is the plan as the patient's copy shows it: what they still
// work on (cancelled goals and interventions are left off, and needs left
// without goals), and each need named by its area of life only, since the
// clinical wording may quote scores.
func ForPatient(s Snapshot) Snapshot {
	out := s
	out.Needs = nil
	for _, n := range s.Needs {
		domain, _, _ := strings.Cut(n.Label, ":")
		pn := SnapshotNeed{ID: n.ID, Label: domain, Priority: n.Priority}
		for _, g := range n.Goals {
			if g.Status == GoalCancelled {
				continue
			}
			pg := g
			pg.Interventions = nil
			for _, i := range g.Interventions {
				if i.Status != InterventionCancelled {
					pg.Interventions = append(pg.Interventions, i)
				}
			}
			pn.Goals = append(pn.Goals, pg)
		}
		if len(pn.Goals) > 0 {
			out.Needs = append(out.Needs, pn)
		}
	}
	return out
}

// Queued is a plan waiting for a supervisor, with what changed since the
// version in force.
type Queued struct {
	Awaiting
	Version int
	Review  Review
}

// ApprovalQueue lists the tenant's plans waiting for approval, longest
// waiting first, each with its review. The plans and their versions in
// force are read together, so the queue costs the same few statements
// however long it grows.
func (s *Service) ApprovalQueue(ctx context.Context, a tenants.Actor) ([]Queued, error) {
	var out []Queued
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		waiting, err := AwaitingApproval(ctx, tx, a.TenantID)
		if err != nil || len(waiting) == 0 {
			return err
		}
		ids := make([]string, len(waiting))
		for i, w := range waiting {
			ids[i] = w.PlanID
		}
		plans, err := LoadPlans(ctx, tx, a.TenantID, ids)
		if err != nil {
			return err
		}
		approved, err := LastApprovedOf(ctx, tx, a.TenantID, ids)
		if err != nil {
			return err
		}
		for _, w := range waiting {
			p := plans[w.PlanID]
			var last *Revision
			if rev, ok := approved[w.PlanID]; ok {
				last = &rev
			}
			out = append(out, Queued{Awaiting: w, Version: p.Version, Review: *reviewSince(a, p, last)})
		}
		patients := make([]string, len(out))
		for i, q := range out {
			patients[i] = q.PatientID
		}
		return a.AuditListed(ctx, tx, audit.Event{Action: "patient.listed", Detail: map[string]any{"list": "approvals"}}, patients)
	})
	return out, err
}

// Current is a patient's open plan as the team follows it.
type Current struct {
	Plan Plan
	// InForce is what the plan says: the approved version (with goals'
	// and interventions' statuses as they are now) of an active plan,
	// whatever a revision being written changes, or the draft.
	InForce Snapshot
}

// CurrentPlan reads the patient's open plan; found is false when the
// patient has none.
func CurrentPlan(ctx context.Context, q db.DBTX, tenantID, patientID string) (c Current, found bool, err error) {
	id, err := OpenPlanID(ctx, q, tenantID, patientID)
	if errors.Is(err, db.ErrNotFound) {
		return c, false, nil
	}
	if err != nil {
		return c, false, err
	}
	c, err = LoadCurrent(ctx, q, Ref{TenantID: tenantID, PatientID: patientID, PlanID: id})
	return c, err == nil, err
}

// OpenPlanQuery reads the id of the patient's draft or active plan, no
// row when there is none, for a batch.
func OpenPlanQuery(tenantID, patientID string) db.Query[string] {
	return db.Query[string]{SQL: `
		select id from care_plans
		 where tenant_id = $1 and patient_id = $2 and status in ('draft', 'active')`,
		Args: []any{tenantID, patientID}, Scan: pgx.RowTo[string]}
}

// LoadCurrent reads the open plan ref names as the team follows it: its
// working copy and the version in force, in one round trip.
func LoadCurrent(ctx context.Context, q db.DBTX, ref Ref) (Current, error) {
	plans, approved := map[string]Plan{}, map[string]Revision{}
	b := &pgx.Batch{}
	QueuePlans(b, ref.TenantID, []string{ref.PlanID}, plans)
	queueLastApprovedOf(b, ref.TenantID, []string{ref.PlanID}, approved)
	if err := db.Send(ctx, q, b); err != nil {
		return Current{}, err
	}
	p, ok := plans[ref.PlanID]
	if !ok || p.PatientID != ref.PatientID {
		return Current{}, db.ErrNotFound
	}
	c := Current{Plan: p, InForce: SnapshotOf(p)}
	if p.Status == PlanActive {
		rev, ok := approved[ref.PlanID]
		if !ok { // an active plan was approved: its revision is missing
			return Current{}, db.ErrNotFound
		}
		c.InForce = InForce(rev.Snapshot, p)
	}
	return c, nil
}
