package demo

import (
	"context"
	"fmt"
	"time"

	"carecoord/internal/assessments"
	"carecoord/internal/careplans"
	"carecoord/internal/patients"
	"carecoord/internal/tasks"

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
// and writes care plans for them at different stages. The tenant must be
// bound to the transaction.
func loadCarePlans(ctx context.Context, tx pgx.Tx, t seededTenant, ps []loadedPatient, today time.Time) error {
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
		if err := writePlan(ctx, tx, t, p, needIDs, stage, today, n); err != nil {
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

// writePlan writes a plan from the needs' first suggested goals, then
// takes it through the lifecycle to stage, as the pages would.
func writePlan(ctx context.Context, tx pgx.Tx, t seededTenant, p loadedPatient, needIDs []string, stage planStage, today time.Time, n int) error {
	author := coordinatorOf(t, p)
	if p.CoordinatorLocal == "supervisor" {
		author = t.users["coord1"] // the supervisor approves, so someone else writes
	}
	approver := t.users["supervisor"]
	id, err := careplans.Create(ctx, tx, t.ID, p.ID, author, "Care plan for "+p.GivenName+" "+p.FamilyName, needIDs)
	if err != nil {
		return err
	}
	ref := careplans.Ref{TenantID: t.ID, PatientID: p.ID, PlanID: id}
	plan, err := careplans.Load(ctx, tx, ref)
	if err != nil {
		return err
	}
	for _, need := range plan.Needs {
		if err := addSuggestedGoal(ctx, tx, ref, author, need, today, n); err != nil {
			return err
		}
	}
	if err := setDetails(ctx, tx, ref, author, today, n); err != nil {
		return err
	}
	if stage == planDraft {
		return nil
	}
	if err := submitAndApprove(ctx, tx, ref, author, approver, stage != planSubmitted); err != nil || stage == planSubmitted || stage == planActive {
		return err
	}
	// A revision: the first goal is reworded with the patient.
	if err := reviseFirstGoal(ctx, tx, ref, author, today); err != nil {
		return err
	}
	return submitAndApprove(ctx, tx, ref, author, approver, stage == planRevised)
}

func addSuggestedGoal(ctx context.Context, tx pgx.Tx, ref careplans.Ref, author string, need careplans.PlanNeed, today time.Time, n int) error {
	sgs := careplans.SuggestionsFor(need.Domain)
	if len(sgs) == 0 {
		return nil
	}
	sg := sgs[n%len(sgs)]
	plan, err := careplans.Load(ctx, tx, ref)
	if err != nil {
		return err
	}
	target := today.AddDate(0, 0, 7*sg.Weeks)
	g := careplans.GoalForm{PatientWords: sg.PatientWords, Target: sg.Target, TargetDate: target.Format(time.DateOnly),
		Priority: string(need.Priority), Status: string(careplans.GoalInProgress), Version: plan.Version}
	// Some interventions fall due soon or are already late, so that
	// worklists show plan tasks of every kind.
	starters := careplans.StarterInterventions(sg.Interventions, author, today.AddDate(0, 0, n%10-3), today.AddDate(0, 0, -30))
	for i := range starters {
		starters[i].DueDate = today.AddDate(0, 0, (n+i*5)%21-4).Format(time.DateOnly)
	}
	_, err = careplans.AddGoal(ctx, tx, ref, author, need.ID, g, starters)
	return err
}

func setDetails(ctx context.Context, tx pgx.Tx, ref careplans.Ref, author string, today time.Time, n int) error {
	plan, err := careplans.Load(ctx, tx, ref)
	if err != nil {
		return err
	}
	d := careplans.DetailsFormOf(plan)
	d.ReviewDue = today.AddDate(0, 0, 3+n*9%80).Format(time.DateOnly)
	d.Participants = "The patient; their primary care provider by phone"
	d.PatientAgreed = string(careplans.AgreedYes)
	return careplans.UpdateDetails(ctx, tx, ref, author, d)
}

// submitAndApprove submits the plan and, when approve is set, approves it
// and opens the tasks of its interventions, as the approval page does.
func submitAndApprove(ctx context.Context, tx pgx.Tx, ref careplans.Ref, author, approver string, approve bool) error {
	plan, err := careplans.Load(ctx, tx, ref)
	if err != nil {
		return err
	}
	if err := careplans.Submit(ctx, tx, ref, author, plan.Version); err != nil || !approve {
		return err
	}
	due, err := careplans.Approve(ctx, tx, ref, approver, plan.Version+1)
	if err != nil {
		return err
	}
	list := make([]tasks.Intervention, len(due))
	for i, d := range due {
		list[i] = tasks.Intervention{InterventionID: d.ID, PatientID: ref.PatientID, AssigneeID: d.AssigneeID,
			Title: d.Action, Due: d.DueDate, Open: d.Open}
	}
	return tasks.SyncInterventions(ctx, tx, ref.TenantID, list)
}

func reviseFirstGoal(ctx context.Context, tx pgx.Tx, ref careplans.Ref, author string, today time.Time) error {
	plan, err := careplans.Load(ctx, tx, ref)
	if err != nil {
		return err
	}
	if err := careplans.Revise(ctx, tx, ref, author, plan.Version); err != nil {
		return err
	}
	plan, err = careplans.Load(ctx, tx, ref)
	if err != nil || len(plan.Needs) == 0 || len(plan.Needs[0].Goals) == 0 {
		return err
	}
	g := careplans.GoalFormOf(plan.Needs[0].Goals[0], plan.Version)
	g.Target += ", checked at each weekly call"
	g.TargetDate = today.AddDate(0, 0, 70).Format(time.DateOnly)
	return careplans.UpdateGoal(ctx, tx, ref, author, plan.Needs[0].Goals[0].ID, g)
}
