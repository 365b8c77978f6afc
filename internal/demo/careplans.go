package demo

import (
	"context"
	"fmt"
	"time"

	"carecoord/internal/assessments"
	"carecoord/internal/auth"
	"carecoord/internal/calendar"
	"carecoord/internal/careplans"
	"carecoord/internal/db"
	"carecoord/internal/patients"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// planStage is how far a demo patient's care plan got.
type planStage int

const (
	planActive      planStage = iota // approved and in force
	planSubmitted                    // a first draft waiting for the supervisor
	planRevised                      // approved, revised and approved again
	revisionPending                  // approved, with a revision waiting for approval
	planDraft                        // being written
)

// demoPlanStages cycles through the stages over the screened patients, so
// every stage appears in each tenant with a handful of patients.
var demoPlanStages = []planStage{planActive, planSubmitted, planRevised, planActive, revisionPending, planDraft}

// demoWaiting is how many patients with two or more accepted needs are
// left without a plan, for a coordinator to write one with them.
const demoWaiting = 2

// demoPlanPatients is how many screened patients get needs and plans.
const demoPlanPatients = 16

// loadCarePlans accepts the needs the latest social needs screens propose
// and writes care plans for them at different stages, through the use
// cases the plan pages call: coordinators wrote them with their patients a
// week ago, and the supervisor decided on them today. The tenant must be
// bound to the transaction.
func loadCarePlans(ctx context.Context, tx pgx.Tx, t seededTenant, ps []loadedPatient, today time.Time) error {
	ctx = db.Joining(ctx, tx)
	d := demoPlans{tenant: t, plans: careplans.NewService(nil),
		written: inLocal(today, t.Settings.Location()).AddDate(0, 0, -7).Add(10 * time.Hour), decided: inLocal(today, t.Settings.Location())}
	n, waiting := 0, 0
	for _, p := range ps {
		if p.Status != patients.Active || n+waiting == demoPlanPatients {
			continue
		}
		needIDs, err := acceptScreenNeeds(ctx, tx, t, p)
		if err != nil {
			return fmt.Errorf("needs of %s %s: %w", p.GivenName, p.FamilyName, err)
		}
		if len(needIDs) == 0 {
			continue
		}
		if len(needIDs) >= 2 && waiting < demoWaiting {
			waiting++
			continue
		}
		stage := demoPlanStages[n%len(demoPlanStages)]
		n++
		if err := d.writePlan(ctx, tx, p, needIDs, stage, today, n); err != nil {
			return fmt.Errorf("plan of %s %s: %w", p.GivenName, p.FamilyName, err)
		}
	}
	return nil
}

// acceptScreenNeeds accepts every need the patient's latest AHC-HRSN screen
// proposes, at high priority for the first and medium for the rest.
func acceptScreenNeeds(ctx context.Context, tx pgx.Tx, t seededTenant, p loadedPatient) ([]string, error) {
	var screenID string
	err := tx.QueryRow(ctx, `
		select id from assessments
		 where tenant_id = $1 and patient_id = $2 and instrument_code = 'AHC-HRSN' and status = 'completed'
		 order by completed_at desc limit 1`, t.ID, p.ID).Scan(&screenID)
	if err == pgx.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	screen, err := assessments.Get(ctx, tx, t.ID, p.ID, screenID)
	if err != nil {
		return nil, err
	}
	proposals, err := careplans.ProposalsFor(ctx, tx, t.ID, screen)
	if err != nil {
		return nil, err
	}
	var ids []string
	for i, pr := range proposals {
		priority := careplans.Medium
		if i == 0 {
			priority = careplans.High
		}
		id, err := careplans.Decide(ctx, tx, t.ID, coordinatorOf(t, p), screen,
			careplans.Decision{Accept: true, Domain: pr.Need, Description: pr.Description, Priority: priority})
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

func coordinatorOf(t seededTenant, p loadedPatient) string {
	if id := t.users[p.CoordinatorLocal]; id != "" {
		return id
	}
	return t.users["coord1"]
}

// demoPlans are the use cases the demo plans go through. Under db.Joining
// they work in the loader's transaction and never use a pool.
type demoPlans struct {
	tenant seededTenant
	plans  *careplans.Service
	// written is when coordinators wrote the plans with their patients;
	// decided is when the plans were submitted, approved and revised.
	written, decided time.Time
}

// actor is the demo person with user id userID acting at at.
func (d demoPlans) actor(userID string, at time.Time) tenants.Actor {
	role := auth.Coordinator
	if userID == d.tenant.users["supervisor"] {
		role = auth.Supervisor
	}
	return tenants.Actor{TenantID: d.tenant.ID, UserID: userID, Role: role, Settings: tenants.DefaultSettings(), At: at}
}

// writePlan writes a plan from the needs' first suggested goals, then
// takes it through the lifecycle to stage, as the pages would.
func (d demoPlans) writePlan(ctx context.Context, tx pgx.Tx, p loadedPatient, needIDs []string, stage planStage, today time.Time, n int) error {
	author := coordinatorOf(d.tenant, p)
	if p.CoordinatorLocal == "supervisor" {
		author = d.tenant.users["coord1"] // the supervisor approves, so someone else writes
	}
	w, approver := d.actor(author, d.written), d.actor(d.tenant.users["supervisor"], d.decided)
	id, err := d.plans.Start(ctx, w, p.ID, careplans.StartForm{Title: "Care plan for " + p.GivenName + " " + p.FamilyName, NeedIDs: needIDs})
	if err != nil {
		return err
	}
	plan := planWriter{demoPlans: d, tx: tx, ref: careplans.Ref{TenantID: d.tenant.ID, PatientID: p.ID, PlanID: id}}
	needs, err := plan.load(ctx)
	if err != nil {
		return err
	}
	for _, need := range needs.Needs {
		if err := plan.addSuggestedGoal(ctx, w, need, today, n); err != nil {
			return err
		}
	}
	if err := plan.setDetails(ctx, w, today, n); err != nil || stage == planDraft {
		return err
	}
	w.At = d.decided
	if err := plan.submitAndApprove(ctx, w, approver, stage != planSubmitted); err != nil || stage == planSubmitted || stage == planActive {
		return err
	}
	// A revision: the first goal is reworded with the patient.
	if err := plan.reviseFirstGoal(ctx, w, today); err != nil {
		return err
	}
	return plan.submitAndApprove(ctx, w, approver, stage == planRevised)
}

// planWriter writes one plan.
type planWriter struct {
	demoPlans
	tx  pgx.Tx
	ref careplans.Ref
}

// load reads the plan as it stands, for the version the next step names.
func (d planWriter) load(ctx context.Context) (careplans.Plan, error) {
	return careplans.Load(ctx, d.tx, d.ref)
}

// addSuggestedGoal adds one of the need's suggested goals with its
// interventions for the author. Some interventions fall due soon or are
// already late, so that worklists show plan tasks of every kind.
func (d planWriter) addSuggestedGoal(ctx context.Context, a tenants.Actor, need careplans.PlanNeed, today time.Time, n int) error {
	sgs := careplans.SuggestionsFor(need.Domain)
	if len(sgs) == 0 {
		return nil
	}
	sg := sgs[n%len(sgs)]
	plan, err := d.load(ctx)
	if err != nil {
		return err
	}
	g := careplans.GoalForm{PatientWords: sg.PatientWords, Target: sg.Target, TargetDate: today.AddDate(0, 0, 7*sg.Weeks).Format(calendar.DateLayout),
		Priority: string(need.Priority), Status: string(careplans.GoalInProgress), Version: plan.Version}
	goalID, err := d.plans.AddGoal(ctx, a, d.ref.PatientID, d.ref.PlanID, need.ID, g, nil)
	if err != nil {
		return err
	}
	for i, action := range sg.Interventions {
		f := careplans.InterventionForm{Action: action, Responsible: string(careplans.ByCoordinator) + ":" + a.UserID,
			DueDate: today.AddDate(0, 0, (n+i*5)%21-4).Format(calendar.DateLayout), Status: string(careplans.InterventionPlanned),
			Version: plan.Version + 1 + i}
		if err := d.plans.AddIntervention(ctx, a, d.ref.PatientID, d.ref.PlanID, goalID, f); err != nil {
			return err
		}
	}
	return nil
}

func (d planWriter) setDetails(ctx context.Context, a tenants.Actor, today time.Time, n int) error {
	plan, err := d.load(ctx)
	if err != nil {
		return err
	}
	f := careplans.DetailsFormOf(plan)
	f.ReviewDue = today.AddDate(0, 0, 3+n*9%80).Format(calendar.DateLayout)
	f.Participants = "The patient; their primary care provider by phone"
	f.PatientAgreed = string(careplans.AgreedYes)
	return d.plans.UpdateDetails(ctx, a, d.ref.PatientID, d.ref.PlanID, f)
}

// submitAndApprove submits the plan as author and, when approve is set,
// approves it as approver, which opens the tasks of its interventions.
func (d planWriter) submitAndApprove(ctx context.Context, author, approver tenants.Actor, approve bool) error {
	plan, err := d.load(ctx)
	if err != nil {
		return err
	}
	if err := d.plans.Submit(ctx, author, d.ref.PatientID, d.ref.PlanID, plan.Version); err != nil || !approve {
		return err
	}
	return d.plans.Approve(ctx, approver, d.ref.PatientID, d.ref.PlanID, plan.Version+1)
}

func (d planWriter) reviseFirstGoal(ctx context.Context, a tenants.Actor, today time.Time) error {
	plan, err := d.load(ctx)
	if err != nil {
		return err
	}
	if err := d.plans.Revise(ctx, a, d.ref.PatientID, d.ref.PlanID, plan.Version); err != nil {
		return err
	}
	if plan, err = d.load(ctx); err != nil || len(plan.Needs) == 0 || len(plan.Needs[0].Goals) == 0 {
		return err
	}
	g := careplans.GoalFormOf(plan.Needs[0].Goals[0], plan.Version)
	g.Target += ", checked at each weekly call"
	g.TargetDate = today.AddDate(0, 0, 70).Format(calendar.DateLayout)
	return d.plans.UpdateGoal(ctx, a, d.ref.PatientID, d.ref.PlanID, plan.Needs[0].Goals[0].ID, g)
}
