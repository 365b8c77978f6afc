package demo

import (
	"context"
	"fmt"
	"time"

	"carecoord/internal/assessments"
	"carecoord/internal/patients"

	"github.com/jackc/pgx/v5"
)

// Demo assessments are given through the store, so that every score, band,
// domain and alert comes from the real scoring; only the dates are moved
// back afterwards, since the store stamps them with the time of completion.
// Which patient gets what depends only on their place among the tenant's
// active patients, never on the date, like the patients themselves.

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

// loadAssessments gives most of the tenant's active patients their
// assessments; the tenant must already be bound to the transaction.
func loadAssessments(ctx context.Context, tx pgx.Tx, t seededTenant, ps []loadedPatient, today time.Time) error {
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
			id, err := giveAssessment(ctx, tx, t.ID, p.ID, actor, g)
			if err != nil {
				return fmt.Errorf("%s for %s %s: %w", g.code, p.GivenName, p.FamilyName, err)
			}
			if g.code == "PHQ-9" {
				phqIDs = append(phqIDs, p.ID, id)
			}
		}
	}
	return correctSome(ctx, tx, t, phqIDs, today)
}

// demoPlan is what the patient at place i among the active ones was given.
func demoPlan(i int, today time.Time) []demoGiven {
	method := assessments.Methods[i%len(assessments.Methods)].Method
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

// giveAssessment starts and completes one assessment, then dates it back.
func giveAssessment(ctx context.Context, tx pgx.Tx, tenantID, patientID, actorID string, g demoGiven) (string, error) {
	id, err := assessments.Start(ctx, tx, tenantID, patientID, actorID, g.code, g.method)
	if err != nil {
		return "", err
	}
	if _, err := assessments.Complete(ctx, tx, tenantID, patientID, id, 1, g.answers); err != nil {
		return "", err
	}
	return id, backdate(ctx, tx, tenantID, id, g.at)
}

// backdate says the assessment was given at, taking twelve minutes.
func backdate(ctx context.Context, tx pgx.Tx, tenantID, id string, at time.Time) error {
	_, err := tx.Exec(ctx, `
		update assessments set started_at = $3::timestamptz, completed_at = $3::timestamptz + interval '12 minutes', created_at = $3::timestamptz
		 where tenant_id = $1 and id = $2`, tenantID, id, at)
	return err
}

// correctSome amends the first PHQ-9 given (a wrong answer corrected the
// next day) and marks the last one entered in error, so the demo shows
// both. pairs holds patient and assessment IDs in turn.
func correctSome(ctx context.Context, tx pgx.Tx, t seededTenant, pairs []string, today time.Time) error {
	if len(pairs) < 4 {
		return nil
	}
	patient, orig := pairs[0], pairs[1]
	a, err := assessments.Get(ctx, tx, t.ID, patient, orig)
	if err != nil {
		return err
	}
	newID, err := assessments.Amend(ctx, tx, t.ID, patient, orig, t.users["coord1"], "Item 3 was recorded against the wrong answer; corrected after calling the patient back.")
	if err != nil {
		return err
	}
	answers := a.Answers
	answers["q3"] = []string{"not_at_all"}
	if _, err := assessments.Complete(ctx, tx, t.ID, patient, newID, 1, answers); err != nil {
		return err
	}
	if err := backdate(ctx, tx, t.ID, newID, a.CompletedAt.AddDate(0, 0, 1)); err != nil {
		return err
	}
	patient, last := pairs[len(pairs)-2], pairs[len(pairs)-1]
	return assessments.MarkEnteredInError(ctx, tx, t.ID, patient, last, "Answers were recorded on the wrong patient's chart.")
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
