package demo

import (
	"context"
	"fmt"
	"time"

	"carecoord/internal/assessments"
	"carecoord/internal/auth"
	"carecoord/internal/db"
	"carecoord/internal/patients"
	"carecoord/internal/tasks"
	"carecoord/internal/tenants"
	"carecoord/internal/worklist"

	"github.com/jackc/pgx/v5"
)

// Demo assessments are given through the use cases the pages call
// (assessments.Service), under db.Joining, as the patient's coordinator at
// the moment each was given: every score, band, domain, alert, timeline
// line and audit event comes from the real rules, and a safety alert opens
// its urgent task as it would today; the coordinator completed that task
// the same day (worklist.Service), so the demo shows no safety alert left
// open for months. Which patient gets what depends only on their place
// among the tenant's active patients, never on the date, like the
// patients themselves.

// phqSeries are PHQ-9 totals, oldest first: some improving, a few
// worsening, some steady.
var phqSeries = [][]int{
	{18, 13, 8, 5}, // improving
	{6, 10, 15},    // worsening
	{15, 11, 7},    // improving
	{11, 12, 13},   // steady, moderate
	{7, 6},         // steady, mild
	{9, 14, 17},    // worsening
	{12, 9},        // improving
	{4, 5, 3},      // steady, minimal
}

// ahcProfile is which social needs domains an AHC-HRSN screen finds.
type ahcProfile struct{ housing, quality, food, transport, utilities, safety bool }

var ahcProfiles = []ahcProfile{
	{food: true},
	{},
	{housing: true, food: true},
	{transport: true},
	{utilities: true, food: true},
	{},
	{housing: true, quality: true},
	{food: true, transport: true, utilities: true},
	{},
	{quality: true},
}

// demoGiven is one assessment to give: when it was completed and how.
type demoGiven struct {
	code    string
	answers assessments.Answers
	at      time.Time
	method  assessments.Method
}

// demoAssessments are the use cases the demo assessments go through. Under
// db.Joining they work in the loader's transaction and never use a pool.
type demoAssessments struct {
	tenant      seededTenant
	assessments *assessments.Service
	work        *worklist.Service
}

// actor is the coordinator userID acting at at.
func (d demoAssessments) actor(userID string, at time.Time) tenants.Actor {
	return tenants.Actor{TenantID: d.tenant.ID, UserID: userID, Role: auth.Coordinator, Settings: tenants.DefaultSettings(), At: at}
}

// loadAssessments gives most of the tenant's active patients their
// assessments; the tenant must already be bound to the transaction.
func loadAssessments(ctx context.Context, tx pgx.Tx, t seededTenant, ps []loadedPatient, today time.Time) error {
	ctx = db.Joining(ctx, tx)
	d := demoAssessments{tenant: t, assessments: assessments.NewService(nil), work: worklist.NewService(nil)}
	var active []loadedPatient
	for _, p := range ps {
		if p.Status == patients.Active {
			active = append(active, p)
		}
	}
	var phqIDs []string
	for i, p := range active {
		if i%6 == 5 {
			continue // never screened: the chart offers the social needs screen
		}
		actor := t.users[p.CoordinatorLocal]
		if actor == "" {
			actor = t.users["coord1"]
		}
		for _, g := range demoPlan(i, today) {
			id, err := d.give(ctx, p.ID, actor, g)
			if err != nil {
				return fmt.Errorf("%s for %s %s: %w", g.code, p.GivenName, p.FamilyName, err)
			}
			if g.code == "PHQ-9" {
				phqIDs = append(phqIDs, p.ID, id)
			}
		}
	}
	return d.correctSome(ctx, tx, phqIDs)
}

// demoPlan is what the patient at place i among the active ones was given.
func demoPlan(i int, today time.Time) []demoGiven {
	method := assessments.Methods[i%len(assessments.Methods)].Value
	daysAgo := func(n int) time.Time { return today.AddDate(0, 0, -n).Add(time.Duration(9+i%8) * time.Hour) }
	prof := ahcProfiles[i%len(ahcProfiles)]
	// One or two patients a tenant tell the screen they are not safe.
	prof.safety = i == 3 || i == 13
	plan := []demoGiven{{code: "AHC-HRSN", answers: ahcAnswers(prof), at: daysAgo(150 + 7*i), method: method}}
	if i%5 != 4 {
		series := phqSeries[i%len(phqSeries)]
		// The newest result is 20 to 110 days old, so some moderate ones
		// are overdue for a repeat.
		newest := 20 + (i*13)%91
		for k, total := range series {
			item9 := i == 1 && k == len(series)-1
			plan = append(plan, demoGiven{code: "PHQ-9", answers: frequencyAnswers(total, 8, item9),
				at: daysAgo(newest + 35*(len(series)-1-k)), method: method})
		}
	}
	if i%3 == 0 {
		plan = append(plan, demoGiven{code: "GAD-7", answers: frequencyAnswers(4+(i*5)%13, 7, false), at: daysAgo(30 + i), method: method})
	}
	if i%4 == 1 {
		plan = append(plan, demoGiven{code: "LACE", answers: laceAnswers(i / 4 % 3), at: daysAgo(60 + 3*i), method: method})
	}
	return plan
}

// give starts one assessment at g.at and completes it twelve minutes
// later, as actorID.
func (d demoAssessments) give(ctx context.Context, patientID, actorID string, g demoGiven) (string, error) {
	id, err := d.assessments.Start(ctx, d.actor(actorID, g.at), patientID, assessments.StartForm{Instrument: g.code, Method: string(g.method)})
	if err != nil {
		return "", err
	}
	return id, d.complete(ctx, d.actor(actorID, g.at.Add(12*time.Minute)), patientID, id, g.answers)
}

// complete completes an assessment as a, and then the safety task its
// result opened, if any, two hours later.
func (d demoAssessments) complete(ctx context.Context, a tenants.Actor, patientID, id string, answers assessments.Answers) error {
	done, err := d.assessments.Complete(ctx, a, patientID, id, assessments.AnswersForm{Version: "1", Answers: answers})
	if err != nil || done.SafetyTaskID == "" {
		return err
	}
	a.At = a.At.Add(2 * time.Hour)
	_, err = d.work.CompleteTask(ctx, a, patientID, done.SafetyTaskID,
		tasks.ActionForm{Version: 1, Note: "Called the patient the same day; safety plan reviewed and shared with the care team."})
	return err
}

// correctSome amends the first PHQ-9 given (a wrong answer corrected the
// next day) and marks the last one entered in error (noticed two hours
// after it was given), so the demo shows both. pairs holds patient and
// assessment IDs in turn.
func (d demoAssessments) correctSome(ctx context.Context, tx pgx.Tx, pairs []string) error {
	if len(pairs) < 4 {
		return nil
	}
	coord := d.tenant.users["coord1"]
	patient, orig := pairs[0], pairs[1]
	a, err := assessments.Get(ctx, tx, d.tenant.ID, patient, orig)
	if err != nil {
		return err
	}
	at := a.CompletedAt.AddDate(0, 0, 1)
	newID, err := d.assessments.Amend(ctx, d.actor(coord, at), patient, orig,
		"Item 3 was recorded against the wrong answer; corrected after calling the patient back.")
	if err != nil {
		return err
	}
	answers := a.Answers
	answers["q3"] = []string{"not_at_all"}
	if err := d.complete(ctx, d.actor(coord, at.Add(12*time.Minute)), patient, newID, answers); err != nil {
		return err
	}
	patient, last := pairs[len(pairs)-2], pairs[len(pairs)-1]
	if a, err = assessments.Get(ctx, tx, d.tenant.ID, patient, last); err != nil {
		return err
	}
	_, err = d.assessments.MarkEnteredInError(ctx, d.actor(coord, a.CompletedAt.Add(2*time.Hour)), patient, last,
		"Answers were recorded on the wrong patient's chart.")
	return err
}

// frequencyAnswers answers a PHQ-9 (items 8) or GAD-7 (items 7) so the
// scored items add up to total, spread evenly; item9 answers the PHQ-9's
// ninth item "Several days" on top.
func frequencyAnswers(total, items int, item9 bool) assessments.Answers {
	ids := []string{"not_at_all", "several_days", "more_than_half", "nearly_every_day"}
	a := assessments.Answers{}
	for k := range items {
		p := total / items
		if k < total%items {
			p++
		}
		a[fmt.Sprintf("q%d", k+1)] = []string{ids[min(p, 3)]}
	}
	if items == 8 {
		a["q9"] = []string{"not_at_all"}
		if item9 {
			a["q9"] = []string{"several_days"}
		}
	}
	if total > 0 {
		a["difficulty"] = []string{"somewhat"}
	}
	return a
}

// ahcAnswers answers the social needs screen positive for the profile's
// domains and negative for the rest.
func ahcAnswers(p ahcProfile) assessments.Answers {
	pick := func(yes bool, pos, neg string) []string {
		if yes {
			return []string{pos}
		}
		return []string{neg}
	}
	a := assessments.Answers{
		"q1": pick(p.housing, "worried", "steady"),
		"q2": pick(p.quality, "mold", "none"),
		"q3": pick(p.food, "sometimes", "never"),
		"q4": pick(p.food, "often", "never"),
		"q5": pick(p.transport, "yes", "no"),
		"q6": pick(p.utilities, "yes", "no"),
	}
	for _, q := range []string{"q7", "q8", "q9", "q10"} {
		a[q] = pick(p.safety, "sometimes", "never") // 4 × 3 = 12, above 10
	}
	return a
}

// laceAnswers are a low (0), moderate (1) or high (2) readmission risk.
func laceAnswers(risk int) assessments.Answers {
	switch risk {
	case 0:
		return assessments.Answers{"length_of_stay": {"1"}, "acuity": {"elective"}, "comorbidity": {"0"}, "ed_visits": {"0"}}
	case 1:
		return assessments.Answers{"length_of_stay": {"3"}, "acuity": {"emergent"}, "comorbidity": {"1"}, "ed_visits": {"0"}}
	default:
		return assessments.Answers{"length_of_stay": {"7to13"}, "acuity": {"emergent"}, "comorbidity": {"2"}, "ed_visits": {"2"}}
	}
}
