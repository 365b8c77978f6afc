package careplans

import (
	"context"

	"carecoord/internal/audit"
	"carecoord/internal/auth"
	"carecoord/internal/db"
	"carecoord/internal/fail"
	"carecoord/internal/patients"
	"carecoord/internal/tasks"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Service is the care plans' use cases. Each takes the acting
// tenants.Actor, runs in the tenant's transaction, and writes its change
// together with the plan's next revision, the audit event and, for the
// steps the whole team follows, the patient's timeline line — or nothing
// at all.
type Service struct {
	pool *pgxpool.Pool
}

// NewService is the care plans' use cases over pool.
func NewService(pool *pgxpool.Pool) *Service { return &Service{pool: pool} }

// refOf names one plan of a patient in a's tenant.
func refOf(a tenants.Actor, patientID, planID string) Ref {
	return Ref{TenantID: a.TenantID, PatientID: patientID, PlanID: planID}
}

// change runs fn on one plan in the tenant transaction and records e as
// done to it (to the plan itself unless e names another entity).
func (s *Service) change(ctx context.Context, a tenants.Actor, ref Ref, e audit.Event, fn func(tx pgx.Tx) error) error {
	return s.step(ctx, a, ref, "", e, func(tx pgx.Tx) (string, error) { return "", fn(tx) })
}

// step is a change the whole team follows: fn returns the line of kind it
// puts on the patient's timeline with e (see patients.Record).
func (s *Service) step(ctx context.Context, a tenants.Actor, ref Ref, kind string, e audit.Event, fn func(tx pgx.Tx) (string, error)) error {
	if e.EntityType == "" {
		e.EntityType, e.EntityID = "care_plan", ref.PlanID
	}
	return db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		line, err := fn(tx)
		if err != nil {
			return err
		}
		if kind == "" {
			e.PatientID = ref.PatientID
			return a.Audit(ctx, tx, e)
		}
		return patients.Record(ctx, tx, a, ref.PatientID, kind, cut(line, 500), e)
	})
}

// invalid is a plan form that needs another look.
func invalid(errs Errors) error { return fail.Invalid(errs, notSaved) }

// Start writes a draft plan for the patient addressing the open needs f
// names, and returns its id. A patient has one open plan at a time
// (ErrOpenPlanExists).
func (s *Service) Start(ctx context.Context, a tenants.Actor, patientID string, f StartForm) (string, error) {
	errs, err := f.Validate()
	if err != nil {
		return "", err
	}
	if len(errs) > 0 {
		return "", fail.Invalid(errs, "")
	}
	var ref Ref
	err = db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		if ref, err = create(ctx, tx, a, patientID, f.Title, f.NeedIDs); err != nil {
			return err
		}
		return patients.Record(ctx, tx, a, patientID, "care_plan", "Care plan started: "+f.Title, audit.Event{
			Action: "care_plan.created", EntityType: "care_plan", EntityID: ref.PlanID, Detail: map[string]any{"needs": len(f.NeedIDs)}})
	})
	return ref.PlanID, err
}

// Submit sends the plan's working copy, seen at version, to a supervisor
// for approval. A plan that lacks what a supervisor needs to see is
// ErrIncomplete; the plan page says what is missing.
func (s *Service) Submit(ctx context.Context, a tenants.Actor, patientID, planID string, version int) error {
	ref := refOf(a, patientID, planID)
	return s.step(ctx, a, ref, "care_plan", audit.Event{Action: "care_plan.submitted"}, func(tx pgx.Tx) (string, error) {
		p, err := submit(ctx, tx, ref, a, version)
		return "Care plan submitted for approval: " + p.Title, err
	})
}

// Revise starts a revision of an active plan; the approved version stays
// in force until the revision is approved.
func (s *Service) Revise(ctx context.Context, a tenants.Actor, patientID, planID string, version int) error {
	ref := refOf(a, patientID, planID)
	return s.step(ctx, a, ref, "care_plan", audit.Event{Action: "care_plan.revision_started"}, func(tx pgx.Tx) (string, error) {
		return "Care plan revision started", revise(ctx, tx, ref, a, version)
	})
}

// Approve puts the submitted plan in force, as a supervisor other than
// the one who submitted it (ErrOwnSubmission), and brings the tasks of its
// coordinator interventions in step with it: a new intervention gets a
// task on its coordinator's worklist, a changed one moves it, a closed one
// cancels it.
func (s *Service) Approve(ctx context.Context, a tenants.Actor, patientID, planID string, version int) error {
	if !a.Can(auth.Role.ReviewsCaseloads) {
		return ErrNotReviewer
	}
	ref := refOf(a, patientID, planID)
	return s.step(ctx, a, ref, "care_plan", audit.Event{Action: "care_plan.approved"}, func(tx pgx.Tx) (string, error) {
		due, err := approve(ctx, tx, ref, a, version)
		if err != nil {
			return "", err
		}
		sync := make([]tasks.Intervention, len(due))
		for i, d := range due {
			sync[i] = tasks.Intervention{InterventionID: d.ID, PatientID: d.PatientID, AssigneeID: d.AssigneeID,
				Title: d.Action, Due: d.DueDate, Open: d.Open}
		}
		return "Care plan approved", tasks.SyncInterventions(ctx, tx, a.TenantID, a.At.Location(), sync)
	})
}

// Return sends a submitted plan back to its coordinator with a
// supervisor's comment, which is required.
func (s *Service) Return(ctx context.Context, a tenants.Actor, patientID, planID string, f ReasonForm) error {
	if !a.Can(auth.Role.ReviewsCaseloads) {
		return ErrNotReviewer
	}
	if !f.Validate("Say what should change, so the coordinator knows.") {
		return invalid(f.Errors)
	}
	ref := refOf(a, patientID, planID)
	return s.step(ctx, a, ref, "care_plan", audit.Event{Action: "care_plan.returned"}, func(tx pgx.Tx) (string, error) {
		return "Care plan returned for changes: " + f.Text, returnForChanges(ctx, tx, ref, a, f)
	})
}

// Complete ends an active plan, saying how it ended; see end.
func (s *Service) Complete(ctx context.Context, a tenants.Actor, patientID, planID string, f ReasonForm) error {
	return s.end(ctx, a, refOf(a, patientID, planID), true, f)
}

// Cancel ends an open plan, saying why; see end.
func (s *Service) Cancel(ctx context.Context, a tenants.Actor, patientID, planID string, f ReasonForm) error {
	return s.end(ctx, a, refOf(a, patientID, planID), false, f)
}

// end completes or cancels the plan: its unfinished goals and
// interventions are closed with it, and the open tasks of its
// interventions are cancelled.
func (s *Service) end(ctx context.Context, a tenants.Actor, ref Ref, completed bool, f ReasonForm) error {
	action, done, missing := "care_plan.cancelled", "Plan cancelled.", "Say why the plan is cancelled."
	if completed {
		action, done, missing = "care_plan.completed", "Plan completed.", "Say how the plan ended."
	}
	if !f.Validate(missing) {
		return invalid(f.Errors)
	}
	return s.step(ctx, a, ref, "care_plan", audit.Event{Action: action}, func(tx pgx.Tx) (string, error) {
		closed, err := closePlan(ctx, tx, ref, a, completed, f)
		if err != nil {
			return "", err
		}
		return done + " " + f.Text, tasks.CancelRaisedBy(ctx, tx, a.TenantID, tasks.FromIntervention, closed)
	})
}
