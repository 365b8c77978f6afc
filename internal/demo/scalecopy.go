package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"carecoord/internal/assessments"
	"carecoord/internal/calendar"
	"carecoord/internal/careplans"
	"carecoord/internal/referrals"
	"carecoord/internal/tasks"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// Each copy method loads one table (or one aggregate's tables) of the
// drawn tenant with COPY, as the application role. PostgreSQL refuses COPY
// FROM into a table under row-level security, so the rows are copied into
// a temporary table of the same columns first and moved with one
// insert … select, which the policy's check and every constraint and
// trigger of the table then see, as for any insert.

// copyRows copies rows into table; rows are produced one by one, so a
// million contacts never sit in memory together.
func copyRows(ctx context.Context, tx pgx.Tx, table string, columns []string, next func() ([]any, error)) (int, error) {
	return copyThrough(ctx, tx, table, columns, pgx.CopyFromFunc(next))
}

// copySlice copies rows held in memory.
func copySlice(ctx context.Context, tx pgx.Tx, table string, columns []string, rows [][]any) (int, error) {
	return copyThrough(ctx, tx, table, columns, pgx.CopyFromRows(rows))
}

func copyThrough(ctx context.Context, tx pgx.Tx, table string, columns []string, src pgx.CopyFromSource) (int, error) {
	list := strings.Join(quoted(columns), ", ")
	staging := "scale_" + table
	if _, err := tx.Exec(ctx, "create temporary table "+staging+" on commit drop as select "+list+
		" from "+pgx.Identifier{table}.Sanitize()+" with no data"); err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, "alter table "+staging+" add column scale_n bigint generated always as identity"); err != nil {
		return 0, err
	}
	copied, err := tx.CopyFrom(ctx, pgx.Identifier{staging}, columns, src)
	if err != nil {
		return 0, err
	}
	analyze, err := mayAnalyze(ctx, tx, table)
	if err != nil {
		return 0, err
	}
	moved := 0
	for lo, size := int64(0), int64(firstChunk); lo < copied; lo, size = lo+size, size*2 {
		if !analyze {
			size = copied
		}
		tag, err := tx.Exec(ctx, "insert into "+pgx.Identifier{table}.Sanitize()+" ("+list+") select "+list+" from "+staging+
			" where scale_n > $1 and scale_n <= $2", lo, lo+size)
		if err != nil {
			return 0, err
		}
		moved += int(tag.RowsAffected())
		if analyze {
			if err := analyzeLoaded(ctx, tx, table); err != nil {
				return 0, err
			}
		}
	}
	_, err = tx.Exec(ctx, "drop table "+staging)
	return moved, err
}

// firstChunk is the size of a load's first move into its table: the
// moves then double, with the table's statistics gathered after each.
const firstChunk = 2000

// The tables' triggers (name keys, possible duplicates, the caseload
// summaries) read the tables being loaded, and the planner plans them from
// the statistics of an empty table until someone analyzes it: 100,000
// patients or a million contacts moved in one statement made plans that
// scan a whole tenant for every record, a load growing with the square of
// its size. So when the load runs as the schema's owner (ScaleOptions.Owner),
// each table is moved in doubling chunks and analyzed, with the tables its
// triggers keep, after each one: ANALYZE inside the load's transaction
// counts the rows that transaction inserted, and whoever reads the tenant
// after the commit finds the statistics fresh too.
var summaryTables = []string{"patient_name_keys", "patient_name_vocab", "patient_duplicate_candidates",
	"measure_spans", "measure_days", "patient_firsts", "patient_flags"}

// mayAnalyze reports whether the transaction's role may analyze table:
// only its owner may (the application role may not).
func mayAnalyze(ctx context.Context, tx pgx.Tx, table string) (bool, error) {
	var owner bool
	err := tx.QueryRow(ctx, "select pg_has_role(current_user, relowner, 'usage') from pg_class where oid = $1::regclass", table).Scan(&owner)
	return owner, err
}

// analyzeLoaded gathers the statistics of table and of the summaries its
// triggers keep.
func analyzeLoaded(ctx context.Context, tx pgx.Tx, table string) error {
	_, err := tx.Exec(ctx, "analyze "+strings.Join(append([]string{pgx.Identifier{table}.Sanitize()}, summaryTables...), ", "))
	return err
}

// quoted quotes each column name.
func quoted(columns []string) []string {
	out := make([]string, len(columns))
	for i, c := range columns {
		out[i] = pgx.Identifier{c}.Sanitize()
	}
	return out
}

var (
	scaleLanguages      = []string{"English", "Spanish", "Vietnamese", "Chinese", "Arabic", "Polish", "Russian", "Somali", "Haitian Creole", "Portuguese"}
	scaleLanguageWeight = []float64{78, 11, 2, 2, 1.5, 1, 1, 1, 1, 1.5}
	scaleReferralFrom   = []string{"Hospital discharge planner", "Primary care clinic", "Health plan", "Self-referral", "Emergency department", "Community health worker"}
)

func (g *scaleGen) copyPatients(ctx context.Context, tx pgx.Tx) (int, error) {
	i := 0
	return copyRows(ctx, tx, "patients", []string{"tenant_id", "id", "given_name", "family_name", "preferred_name",
		"date_of_birth", "sex", "phone", "preferred_language", "interpreter_needed", "external_id", "status", "risk_tier",
		"assigned_coordinator_id", "referral_source", "referral_date", "created_at", "updated_at"},
		func() ([]any, error) {
			if i == len(g.patients) {
				return nil, nil
			}
			p := g.patients[i]
			i++
			sex, preferred := "male", ""
			if p.female {
				sex = "female"
			}
			// A few go by a short form of their first given name.
			if r := []rune(strings.Fields(p.given)[0]); len(r) > 4 && g.rnd.Float64() < 0.05 {
				preferred = string(r[:3])
			}
			language := pickW(g.rnd, scaleLanguages, scaleLanguageWeight)
			var coord any
			if p.coord >= 0 {
				coord = g.staff.coords[p.coord]
			}
			born := g.now.AddDate(-20-int(60*g.rnd.Float64()*(0.4+0.6*g.rnd.Float64())), 0, -g.rnd.IntN(365))
			return []any{g.tenant, p.id, p.given, p.family, preferred, born, sex,
				fmt.Sprintf("555-%03d-%04d", 200+g.rnd.IntN(800), g.rnd.IntN(10000)), language,
				language != "English" && g.rnd.Float64() < 0.6, fmt.Sprintf("S%08d", i), p.status, p.tier, coord,
				scaleReferralFrom[g.rnd.IntN(len(scaleReferralFrom))], p.enrolled, p.enrolled, p.enrolled}, nil
		})
}

// scaleFollowUp is a contact that raised a follow-up task.
type scaleFollowUp struct {
	contact, patient, author pgtype.UUID
	at                       time.Time
}

var (
	scaleMethods       = []string{"phone", "video", "in_person", "home_visit", "text", "email", "letter", "portal"}
	scaleMethodWeights = []float64{62, 5, 8, 8, 10, 3, 2, 2}
	scaleOutcomes      = []string{"reached", "no_answer", "left_message", "wrong_number", "declined"}
	scaleOutcomeWeight = []float64{66, 14, 15, 2, 3}
	scaleSummaries     = []string{"Checked in; no new concerns.", "Reviewed medicines; refills due next week.",
		"Talked through the care plan goals; patient on track.", "Patient reports feeling better since the last visit.",
		"Confirmed transport for Thursday's appointment.", "Discussed the food bank referral; first pick-up done.",
		"Patient worried about rent; will call the housing program together.", "Went over discharge instructions with the patient."}
	scaleOthers = []struct{ name, role string }{{"Daughter", "Daughter"}, {"Son", "Son"}, {"Spouse", "Spouse"}, {"Neighbour", "Neighbour"}}
)

// copyContacts loads about scaleContactsPer contacts a patient, most on
// the phone and with the patient; a few with family; a share of those
// that reached someone raise a follow-up task.
func (g *scaleGen) copyContacts(ctx context.Context, tx pgx.Tx) (int, error) {
	per := g.counts(scaleContactsPer*float64(len(g.patients)), func(p scalePatient) float64 { return p.weight })
	i, left := 0, 0
	return copyRows(ctx, tx, "contacts", []string{"tenant_id", "id", "patient_id", "occurred_at", "method", "direction",
		"party", "party_name", "party_role", "outcome", "minutes", "summary", "author_id", "created_at"},
		func() ([]any, error) {
			for left == 0 {
				if i == len(g.patients) {
					return nil, nil
				}
				left = per[i]
				i++
			}
			left--
			p := g.patients[i-1]
			at := g.between(p.from, p.to).Truncate(time.Minute)
			method := pickW(g.rnd, scaleMethods, scaleMethodWeights)
			outcome := pickW(g.rnd, scaleOutcomes, scaleOutcomeWeight)
			if method == "text" || method == "email" || method == "letter" || method == "portal" {
				outcome = "sent"
			}
			party, name, role := "patient", "", ""
			if g.rnd.Float64() < 0.1 {
				o := scaleOthers[g.rnd.IntN(len(scaleOthers))]
				party, name, role = "other", o.name, o.role
			}
			var minutes any
			summary := ""
			if outcome == "reached" {
				minutes, summary = 5+g.rnd.IntN(40), scaleSummaries[g.rnd.IntN(len(scaleSummaries))]
			}
			author := g.coordinator(p)
			if g.rnd.Float64() < 0.08 { // covering for a colleague
				author = g.staff.coords[g.rnd.IntN(len(g.staff.coords))]
			}
			direction := "outbound"
			if g.rnd.Float64() < 0.15 {
				direction = "inbound"
			}
			id := g.id()
			if outcome == "reached" && g.rnd.Float64() < g.followUpRate {
				g.followUps = append(g.followUps, scaleFollowUp{contact: id, patient: p.id, author: g.coordinator(p), at: at})
			}
			return []any{g.tenant, id, p.id, at, method, direction, party, name, role, outcome, minutes, summary,
				author, at.Add(10 * time.Minute)}, nil
		})
}

// copyAssessments loads about scaleAssessmentsPer PHQ-9 and GAD-7 results
// a patient, each scored by its instrument from answers drawn around the
// patient's severity. Item 9 of the PHQ-9 is always "not at all": a
// positive answer raises a safety alert and its task, which the tasks of
// this tenant do not model.
func (g *scaleGen) copyAssessments(ctx context.Context, tx pgx.Tx) (int, error) {
	phq, _ := assessments.Current("PHQ-9")
	gad, _ := assessments.Current("GAD-7")
	options := []string{"not_at_all", "several_days", "more_than_half", "nearly_every_day"}
	per := g.counts(scaleAssessmentsPer*float64(len(g.patients)), func(p scalePatient) float64 { return 0.5 + p.weight/4 })
	i, left := 0, 0
	return copyRows(ctx, tx, "assessments", []string{"tenant_id", "id", "patient_id", "instrument_code", "instrument_version",
		"status", "answers", "total", "band", "severity", "positive_domains", "alerts", "interpretation", "method",
		"administered_by", "started_at", "completed_at", "created_at"},
		func() ([]any, error) {
			for left == 0 {
				if i == len(g.patients) {
					return nil, nil
				}
				left = per[i]
				i++
			}
			left--
			p := g.patients[i-1]
			in := phq
			if left%2 == 1 {
				in = gad
			}
			answers := assessments.Answers{}
			for _, q := range in.Questions {
				if !q.Scored {
					continue
				}
				level := min(3, int(4*p.severity*g.rnd.Float64()*1.6))
				if q.ID == "q9" && in.Code == "PHQ-9" {
					level = 0
				}
				answers[q.ID] = []string{options[level]}
			}
			r, err := in.Score(answers)
			if err != nil {
				return nil, fmt.Errorf("%s answers %v: %w", in.Code, answers, err)
			}
			at := g.between(p.from, p.to)
			return []any{g.tenant, g.id(), p.id, in.Code, in.Version, "completed", answers, r.Total, r.Band.Label,
				int(r.Band.Severity), jsonList(r.PositiveDomains), jsonList(r.Alerts), r.Interpretation,
				pickW(g.rnd, []string{"phone", "in_person", "video"}, []float64{6, 3, 1}), g.coordinator(p),
				at.Add(-10 * time.Minute), at, at.Add(-10 * time.Minute)}, nil
		})
}

// jsonList is a list as a JSON array, empty rather than null.
func jsonList[T any](xs []T) string {
	if len(xs) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(xs)
	return string(b)
}

// scaleResource is one organisation of the directory.
type scaleResource struct {
	id   pgtype.UUID
	name string
}

var scaleResourceKinds = map[assessments.Need][]string{
	assessments.NeedFood:           {"Food Pantry", "Community Meals", "Meals on Wheels", "Food Bank"},
	assessments.NeedHousing:        {"Housing Navigation", "Rental Assistance Fund", "Tenant Rights Clinic"},
	assessments.NeedTransportation: {"Ride Program", "Medical Transport", "Volunteer Drivers"},
	assessments.NeedUtilities:      {"Energy Assistance", "Utility Help Desk"},
	assessments.NeedSafety:         {"Family Safety Center", "Domestic Violence Hotline"},
	assessments.NeedMentalHealth:   {"Counselling Center", "Behavioral Health Clinic", "Peer Support Group"},
	assessments.NeedMedical:        {"Community Health Center", "Free Clinic", "Pharmacy Assistance"},
}

var scalePlaces = strings.Fields("Northside Riverside Eastgate Westbrook Hillcrest Lakeview Oakwood Maplewood Southport Fairview " +
	"Brookside Cedar Pinecrest Harbor Millbrook Greenfield Ashford Kingsbury Elmhurst Stonebridge")

// copyResources loads the tenant's directory: about one organisation per
// 400 patients, each serving one need.
func (g *scaleGen) copyResources(ctx context.Context, tx pgx.Tx) (int, error) {
	g.resources = map[assessments.Need][]scaleResource{}
	var rows [][]any
	n := max(len(scaleNeedDomains), len(g.patients)/400)
	for i := range n {
		d := scaleNeedDomains[i%len(scaleNeedDomains)]
		kinds := scaleResourceKinds[d]
		r := scaleResource{id: g.id(), name: scalePlaces[(i/len(scaleNeedDomains))%len(scalePlaces)] + " " + kinds[(i/7)%len(kinds)]}
		if i >= len(scalePlaces)*len(scaleNeedDomains) {
			r.name += fmt.Sprintf(" %d", i/(len(scalePlaces)*len(scaleNeedDomains))+1)
		}
		g.resources[d] = append(g.resources[d], r)
		rows = append(rows, []any{g.tenant, r.id, r.name, "Serves residents of the county; " + strings.ToLower(kinds[0]) + " and advice.",
			[]string{string(d)}, scalePlaces[i%len(scalePlaces)], fmt.Sprintf("555-%03d-%04d", 100+i%900, i%10000),
			[]string{"English", "Spanish"}, "free", []string{"phone", "email"}})
	}
	return copySlice(ctx, tx, "resources", []string{"tenant_id", "id", "name", "services", "domains", "city", "phone",
		"languages", "cost", "refer_by"}, rows)
}

// copyPlans loads the drawn plans: their needs, the plans, the plans'
// links to the needs, goals, interventions, and the revisions that record
// them (created; approved, with the approved snapshot, for plans in force;
// submitted for plans awaiting approval).
func (g *scaleGen) copyPlans(ctx context.Context, tx pgx.Tx, res *ScaleResult) (int, error) {
	var needs, plans, links, goals, ivs, revs [][]any
	for _, pl := range g.plans {
		p := g.patients[pl.patient]
		coord, inForce := g.coordinator(p), !pl.approved.IsZero()
		needStatus := "addressing"
		if pl.status == "completed" {
			needStatus = "resolved"
		}
		for k, n := range pl.needs {
			needs = append(needs, []any{g.tenant, n.needID, p.id, string(n.domain), scaleNeedDescriptions[n.domain],
				string(n.priority), needStatus, coord, pl.created, pl.created})
			links = append(links, []any{g.tenant, n.linkID, pl.id, n.needID, k + 1, inForce})
			goals = append(goals, []any{g.tenant, n.goal.id, pl.id, n.linkID, 1, n.goal.sg.PatientWords, n.goal.sg.Target,
				n.goal.target, string(n.priority), string(n.goal.status), inForce, pl.created})
			for j, iv := range n.goal.interventions {
				kind, user := "patient", any(nil)
				if iv.byCoord {
					kind, user = "coordinator", coord
				}
				ivs = append(ivs, []any{g.tenant, iv.id, pl.id, n.goal.id, j + 1, iv.action, kind, user, iv.due,
					string(iv.status), inForce, pl.created})
			}
		}
		plans = append(plans, g.planRow(pl, p, coord))
		revs = append(revs, g.revisionRows(pl, p, coord)...)
	}
	steps := []struct {
		table   string
		columns []string
		rows    [][]any
		n       *int
	}{
		{"needs", []string{"tenant_id", "id", "patient_id", "domain", "description", "priority", "status", "created_by", "created_at", "updated_at"}, needs, nil},
		{"care_plans", []string{"tenant_id", "id", "patient_id", "title", "status", "stage", "review_due", "participants",
			"patient_agreed", "submitted_by", "submitted_at", "approved_by", "approved_at", "closed_reason", "created_by",
			"created_at", "updated_at", "version"}, plans, &res.CarePlans},
		{"care_plan_needs", []string{"tenant_id", "id", "plan_id", "need_id", "position", "in_force"}, links, nil},
		{"goals", []string{"tenant_id", "id", "plan_id", "plan_need_id", "position", "patient_words", "target", "target_date",
			"priority", "status", "in_force", "created_at"}, goals, &res.Goals},
		{"interventions", []string{"tenant_id", "id", "plan_id", "goal_id", "position", "action", "responsible_kind",
			"responsible_user_id", "due_date", "status", "in_force", "created_at"}, ivs, &res.Interventions},
		{"care_plan_revisions", []string{"tenant_id", "id", "plan_id", "number", "kind", "summary", "snapshot", "actor_id", "created_at"}, revs, nil},
	}
	total := 0
	for _, s := range steps {
		began := g.clock()
		n, err := copySlice(ctx, tx, s.table, s.columns, s.rows)
		if err != nil {
			return total, fmt.Errorf("%s: %w", s.table, err)
		}
		g.note(s.table, n, g.clock().Sub(began))
		if s.n != nil {
			*s.n = n
		}
		total += n
	}
	return len(plans), nil
}

func (g *scaleGen) planRow(pl scalePlan, p scalePatient, coord pgtype.UUID) []any {
	var submittedBy, submittedAt, approvedBy, approvedAt, review any
	updated := pl.created
	if pl.stage != "editing" {
		at := pl.created.Add(2 * time.Hour)
		if !pl.approved.IsZero() {
			at = pl.approved.Add(-time.Hour)
		}
		submittedBy, submittedAt, updated = coord, at, at
	}
	if !pl.approved.IsZero() {
		approvedBy, approvedAt, updated = g.staff.supervisor, pl.approved, pl.approved
		review = pl.approved.AddDate(0, 0, 90+g.rnd.IntN(90))
	}
	closed := ""
	if pl.status == "completed" {
		closed = "Goals met; patient discharged from the programme."
	}
	return []any{g.tenant, pl.id, p.id, "Care plan for " + p.given + " " + p.family, pl.status, pl.stage, review,
		"The patient; their primary care provider by phone", "yes", submittedBy, submittedAt, approvedBy, approvedAt,
		closed, coord, pl.created, updated, 3}
}

// revisionRows records the plan's history: created, then submitted, and
// approved with the version in force. The snapshots are careplans'.
func (g *scaleGen) revisionRows(pl scalePlan, p scalePatient, coord pgtype.UUID) [][]any {
	snap := careplans.SnapshotOf(g.livePlan(pl, p))
	draft := snap
	draft.Status = careplans.PlanDraft
	rows := [][]any{{g.tenant, g.id(), pl.id, 1, "created", "Plan started", draft, coord, pl.created}}
	switch {
	case !pl.approved.IsZero():
		snap.Status = careplans.PlanActive
		rows = append(rows, []any{g.tenant, g.id(), pl.id, 2, "approved", "Plan approved", snap, g.staff.supervisor, pl.approved})
	case pl.stage == "submitted":
		rows = append(rows, []any{g.tenant, g.id(), pl.id, 2, "submitted", "Submitted for approval", draft, coord, pl.created.Add(2 * time.Hour)})
	}
	return rows
}

// livePlan is the drawn plan as careplans reads it, for its snapshot.
func (g *scaleGen) livePlan(pl scalePlan, p scalePatient) careplans.Plan {
	out := careplans.Plan{Title: "Care plan for " + p.given + " " + p.family, Status: careplans.PlanStatus(pl.status),
		Participants: "The patient; their primary care provider by phone", PatientAgreed: careplans.AgreedYes}
	for _, n := range pl.needs {
		goal := careplans.Goal{ID: n.goal.id.String(), PatientWords: n.goal.sg.PatientWords, Target: n.goal.sg.Target,
			TargetDate: n.goal.target, Priority: n.priority, Status: n.goal.status}
		for _, iv := range n.goal.interventions {
			due := iv.due
			who := "The patient"
			if iv.byCoord {
				who = g.staff.names[max(p.coord, 0)]
			}
			goal.Interventions = append(goal.Interventions, careplans.Intervention{ID: iv.id.String(), Action: iv.action,
				Responsible: who, DueDate: &due, Status: iv.status})
		}
		out.Needs = append(out.Needs, careplans.PlanNeed{ID: n.linkID.String(), NeedID: n.needID.String(), Domain: n.domain,
			Description: scaleNeedDescriptions[n.domain], Priority: n.priority, Goals: []careplans.Goal{goal}})
	}
	return out
}

// copyReferrals loads about scaleReferralsPer referrals a patient, from
// the needs of plans approved to a resource serving the need, in every
// state of the lifecycle, with their history.
func (g *scaleGen) copyReferrals(ctx context.Context, tx pgx.Tx) (int, error) {
	var approved []int
	for i, pl := range g.plans {
		if !pl.approved.IsZero() {
			approved = append(approved, i)
		}
	}
	if len(approved) == 0 {
		return 0, nil
	}
	statuses := []referrals.Status{referrals.Completed, referrals.InProgress, referrals.Accepted, referrals.Sent,
		referrals.Declined, referrals.NoResponse, referrals.Cancelled, referrals.Draft}
	weights := []float64{40, 10, 8, 12, 8, 10, 7, 5}
	days := tenants.DefaultSettings().ReferralFollowUpBusinessDays
	var rows, events [][]any
	for range int(scaleReferralsPer * float64(len(g.patients))) {
		pl := g.plans[approved[g.rnd.IntN(len(approved))]]
		p := g.patients[pl.patient]
		need := pl.needs[g.rnd.IntN(len(pl.needs))]
		rs := g.resources[need.domain]
		to := rs[g.rnd.IntN(len(rs))]
		coord := g.coordinator(p)
		status := pickW(g.rnd, statuses, weights)
		created := g.between(pl.approved, earliest(pl.approved.AddDate(0, 3, 0), g.now.Add(-time.Hour)))
		if status == referrals.Sent || status == referrals.Draft {
			created = g.between(latest(pl.approved, g.now.AddDate(0, 0, -12)), g.now.Add(-time.Hour))
		}
		id := g.id()
		var sentAt, checkedBy, checkedAt, followUp, closedAt, outcome any
		updated := created
		if status != referrals.Draft {
			sent := created.Add(20 * time.Minute)
			sentAt, checkedBy, checkedAt, updated = sent, coord, sent, sent
			followUp = referrals.FollowUpDay(calendar.Calendar{}, sent, days)
			events = append(events, []any{g.tenant, g.id(), id, string(referrals.Sent), "", coord, sent})
			if status != referrals.Sent {
				at := g.between(sent.Add(time.Hour), earliest(sent.AddDate(0, 0, 40), g.now))
				updated = at
				events = append(events, []any{g.tenant, g.id(), id, string(status), "", coord, at})
				if !status.Open() {
					closedAt = at
				}
			}
		}
		if status == referrals.Completed {
			outcome = pickW(g.rnd, []string{"met", "partly_met", "not_met"}, []float64{60, 25, 15})
		}
		rows = append(rows, []any{g.tenant, id, p.id, need.needID, need.goal.id, to.id, to.name,
			scaleNeedDescriptions[need.domain], string(status), outcome, []string{"contact", "need"},
			"Verbal consent, recorded in the chart", checkedBy, checkedAt, sentAt, followUp, closedAt, coord, created, updated})
	}
	n, err := copySlice(ctx, tx, "referrals", []string{"tenant_id", "id", "patient_id", "need_id", "goal_id", "resource_id",
		"to_name", "reason", "status", "outcome", "shared_fields", "consent_basis", "consent_checked_by", "consent_checked_at",
		"sent_at", "follow_up_due", "closed_at", "created_by", "created_at", "updated_at"}, rows)
	if err != nil {
		return n, err
	}
	_, err = copySlice(ctx, tx, "referral_events", []string{"tenant_id", "id", "referral_id", "status", "note", "actor_id", "at"}, events)
	return n, err
}

var scaleFacilities = []string{"St. Mary's Hospital", "County General Hospital", "Riverside Medical Center", "Mercy Hospital",
	"University Hospital", "Lakeview Rehabilitation Center", "Oakwood Skilled Nursing"}

// copyTransitions loads about scaleTransitionsPer transitions of care a
// patient, mostly for the patients with the most going on.
func (g *scaleGen) copyTransitions(ctx context.Context, tx pgx.Tx) (int, error) {
	per := g.counts(scaleTransitionsPer*float64(len(g.patients)), func(p scalePatient) float64 { return p.weight })
	kinds := []string{"admission", "discharge", "emergency_visit", "care_facility"}
	var rows [][]any
	for i, k := range per {
		p := g.patients[i]
		for range k {
			kind := pickW(g.rnd, kinds, []float64{30, 35, 30, 5})
			on := calendar.DateOf(g.between(p.from, p.to))
			var admitted any
			if kind == "discharge" {
				admitted = on.AddDate(0, 0, -1-g.rnd.IntN(9))
			}
			rows = append(rows, []any{g.tenant, g.id(), p.id, kind, scaleFacilities[g.rnd.IntN(len(scaleFacilities))], on, admitted,
				g.coordinator(p), on.Add(20 * time.Hour)})
		}
	}
	return copySlice(ctx, tx, "care_transitions", []string{"tenant_id", "id", "patient_id", "kind", "facility", "occurred_on",
		"admitted_on", "recorded_by", "created_at"}, rows)
}

// loadTasks makes the tasks as every task is made (tasks.CreateManyDone):
// one for each coordinator's intervention of a plan approved, and a
// follow-up for the contacts that raised one; done, with their completion
// in their history, when their intervention was done, or mostly, for
// follow-ups, within days of falling due.
func (g *scaleGen) loadTasks(ctx context.Context, tx pgx.Tx, res *ScaleResult) (int, error) {
	var ts []tasks.NewTask
	var done []bool
	for _, pl := range g.plans {
		if !pl.hasTasks() {
			continue
		}
		p := g.patients[pl.patient]
		for _, n := range pl.needs {
			for _, iv := range n.goal.interventions {
				if !iv.byCoord {
					continue
				}
				ts = append(ts, tasks.NewTask{PatientID: p.id.String(), Title: iv.action, DueAt: endOfDay(iv.due),
					AssigneeID: g.coordinator(p).String(), Source: tasks.FromIntervention, SourceID: iv.id.String()})
				done = append(done, iv.status == careplans.InterventionDone)
			}
		}
	}
	for _, f := range g.followUps {
		due := endOfDay(f.at.AddDate(0, 0, 1+g.rnd.IntN(7)))
		t := tasks.NewTask{PatientID: f.patient.String(), Title: "Follow up on the last call", DueAt: due,
			AssigneeID: f.author.String(), Source: tasks.FromContact, SourceID: f.contact.String()}
		if g.rnd.Float64() < 0.04 {
			t.Priority = tasks.Urgent
		}
		ts = append(ts, t)
		done = append(done, due.Before(g.now.Add(-48*time.Hour)) && g.rnd.Float64() < 0.97)
	}
	cs := make([]*tasks.Completion, len(ts))
	for i, t := range ts {
		if done[i] {
			at := earliest(t.DueAt.Add(-time.Duration(g.rnd.IntN(72))*time.Hour), g.now.Add(-time.Hour))
			cs[i] = &tasks.Completion{ActorID: t.AssigneeID, At: at}
			res.OpenTasks--
		}
	}
	res.OpenTasks += len(ts)
	ids, err := tasks.CreateManyDone(ctx, tx, g.tenant.String(), ts, cs)
	for i, id := range ids {
		if id == "" && cs[i] == nil {
			res.OpenTasks--
		}
	}
	return len(ts), err
}

// endOfDay is the end of t's day, when a task due that day falls due.
func endOfDay(t time.Time) time.Time { return calendar.EndOfDay(t.Local()) }

func earliest(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
