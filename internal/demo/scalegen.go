package demo

import (
	"encoding/binary"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"time"

	"carecoord/internal/assessments"
	"carecoord/internal/calendar"
	"carecoord/internal/careplans"

	"github.com/jackc/pgx/v5/pgtype"
)

// The shape of a scale tenant: the averages per patient that give the
// issue's totals at 100,000 patients.
const (
	scaleContactsPer    = 10.0 // about 1,000,000 contacts
	scaleAssessmentsPer = 3.0  // about 300,000
	scaleTasksPer       = 2.0  // about 200,000, interventions' and follow-ups'
	scaleReferralsPer   = 0.5  // about 50,000
	scaleTransitionsPer = 0.2  // about 20,000
	scaleHistory        = 365 * 24 * time.Hour
)

// scalePatient is one drawn patient.
type scalePatient struct {
	id           pgtype.UUID
	coord        int // index into the coordinators, -1 for a referral not yet assigned
	status, tier string
	female       bool
	given        string
	family       string
	// from and to bound the patient's history in the last year: from the
	// later of their enrolment and a year ago, to their discharge or now.
	enrolled, from, to time.Time
	// weight is how much happens around the patient, relative to others:
	// heavy-tailed, so a minority of patients hold most of the activity.
	weight float64
	// severity places their PHQ-9 and GAD-7 answers, 0 (none) to 1.
	severity float64
}

// days is the length of the patient's history in days.
func (p scalePatient) days() float64 { return max(0, p.to.Sub(p.from).Hours()/24) }

// scaleGen draws a scale tenant; its methods load each table from it.
type scaleGen struct {
	rnd      *rand.Rand
	now      time.Time
	tenant   pgtype.UUID
	staff    scaleStaff
	patients []scalePatient
	plans    []scalePlan
	// followUpRate is the share of contacts reached that raise a
	// follow-up task, so that the tasks come to scaleTasksPer a patient
	// with the interventions' tasks.
	followUpRate float64
	followUps    []scaleFollowUp
	resources    map[assessments.Need][]scaleResource
	// note reports a part of a step: a table of the plans.
	note  func(table string, rows int, took time.Duration)
	clock calendar.Clock
}

// drawScale draws the patients and their plans, seeded by the slug, so a
// tenant has the same shape each time it is built.
func drawScale(o ScaleOptions, tenant pgtype.UUID, staff scaleStaff, now time.Time) *scaleGen {
	h := fnv.New64a()
	h.Write([]byte(o.Slug))
	g := &scaleGen{rnd: rand.New(rand.NewPCG(h.Sum64(), 7)), now: now, tenant: tenant, staff: staff}
	g.drawPatients(o)
	g.drawPlans()
	taskSlots := 0
	for _, pl := range g.plans {
		taskSlots += pl.tasks()
	}
	g.followUpRate = max(0, scaleTasksPer*float64(len(g.patients))-float64(taskSlots)) / (0.7 * scaleContactsPer * float64(len(g.patients)))
	return g
}

// id draws a version 4 UUID from the seeded generator.
func (g *scaleGen) id() pgtype.UUID {
	var u pgtype.UUID
	binary.LittleEndian.PutUint64(u.Bytes[:8], g.rnd.Uint64())
	binary.LittleEndian.PutUint64(u.Bytes[8:], g.rnd.Uint64())
	u.Bytes[6] = u.Bytes[6]&0x0f | 0x40
	u.Bytes[8] = u.Bytes[8]&0x3f | 0x80
	u.Valid = true
	return u
}

// pickW chooses one of the values by weight.
func pickW[T any](r *rand.Rand, values []T, weights []float64) T {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	x := r.Float64() * total
	for i, w := range weights {
		if x < w {
			return values[i]
		}
		x -= w
	}
	return values[len(values)-1]
}

// between is a time drawn uniformly between from and to.
func (g *scaleGen) between(from, to time.Time) time.Time {
	if !to.After(from) {
		return from
	}
	return from.Add(time.Duration(g.rnd.Int64N(int64(to.Sub(from)))))
}

// drawPatients draws the register: statuses and tiers in the proportions
// of a working programme, enrolments over two years, coord1's caseload
// first and the rest weighted over the other coordinators.
func (g *scaleGen) drawPatients(o ScaleOptions) {
	names := newScaleNames(g.rnd)
	loads := make([]float64, len(g.staff.coords)-1)
	for i := range loads {
		loads[i] = 1 + 1.5*float64((i*37)%29)/28 // uneven: 1× to 2.5×
	}
	others := make([]int, len(loads))
	for i := range others {
		others[i] = i + 1
	}
	yearAgo := g.now.Add(-scaleHistory)
	g.patients = make([]scalePatient, o.Patients)
	for i := range g.patients {
		p := scalePatient{id: g.id(), female: g.rnd.Float64() < 0.56,
			status: pickW(g.rnd, []string{"referred", "active", "on_hold", "discharged"}, []float64{6, 64, 7, 23}),
			tier:   pickW(g.rnd, []string{"high", "moderate", "low"}, []float64{20, 45, 35})}
		p.given, p.family = names.Given(p.female), names.Family()
		switch {
		case i < o.Caseload:
			p.coord = 0
		case p.status == "referred" && g.rnd.Float64() < 0.25:
			p.coord = -1
		default:
			p.coord = pickW(g.rnd, others, loads)
		}
		if p.status == "referred" {
			p.enrolled = g.now.Add(-time.Duration(g.rnd.Float64() * 10 * 24 * float64(time.Hour)))
		} else {
			p.enrolled = g.now.Add(-time.Duration((14 + g.rnd.Float64()*716) * 24 * float64(time.Hour)))
		}
		p.from, p.to = p.enrolled, g.now
		if p.from.Before(yearAgo) {
			p.from = yearAgo
		}
		if p.status == "discharged" {
			p.to = g.between(p.enrolled.Add(30*24*time.Hour), g.now.Add(-24*time.Hour))
		}
		// A log-normal weight: the top fifth of patients hold about
		// three quarters of the contacts, high-risk patients twice the others.
		p.weight = math.Exp(1.4 * g.rnd.NormFloat64())
		if p.tier == "high" {
			p.weight *= 2
		}
		p.severity = g.rnd.Float64() * g.rnd.Float64()
		g.patients[i] = p
	}
}

// counts spreads total events over the patients in proportion to their
// weight (shaped by f) and the length of their history, rounding at
// random so the totals come out right on average.
func (g *scaleGen) counts(total float64, f func(scalePatient) float64) []int {
	share := make([]float64, len(g.patients))
	sum := 0.0
	for i, p := range g.patients {
		if p.coord >= 0 {
			share[i] = f(p) * p.days()
			sum += share[i]
		}
	}
	out := make([]int, len(g.patients))
	if sum == 0 {
		return out
	}
	for i, s := range share {
		x := total * s / sum
		out[i] = int(x)
		if g.rnd.Float64() < x-float64(out[i]) {
			out[i]++
		}
	}
	return out
}

// coordinator is the id of patient p's coordinator, or the first
// coordinator's for a patient nobody has yet.
func (g *scaleGen) coordinator(p scalePatient) pgtype.UUID {
	return g.staff.coords[max(p.coord, 0)]
}

// scalePlan is one drawn care plan, with its needs, goals and
// interventions as careplans keeps them.
type scalePlan struct {
	id            pgtype.UUID
	patient       int
	status, stage string
	created       time.Time
	approved      time.Time // zero for a plan never approved
	needs         []scalePlanNeed
}

type scalePlanNeed struct {
	needID, linkID pgtype.UUID
	domain         assessments.Need
	priority       careplans.Priority
	goal           scaleGoal
}

type scaleGoal struct {
	id            pgtype.UUID
	sg            careplans.Suggestion
	target        time.Time
	status        careplans.GoalStatus
	interventions []scaleIntervention
}

type scaleIntervention struct {
	id      pgtype.UUID
	action  string
	byCoord bool
	due     time.Time
	status  careplans.InterventionStatus
}

// task reports whether the intervention has a task: a coordinator's, in a
// version that was approved.
func (pl scalePlan) hasTasks() bool { return !pl.approved.IsZero() }

// tasks counts the plan's interventions that have a task.
func (pl scalePlan) tasks() int {
	n := 0
	for _, need := range pl.needs {
		for _, iv := range need.goal.interventions {
			if pl.hasTasks() && iv.byCoord {
				n++
			}
		}
	}
	return n
}

// scaleNeedDomains are the needs plans address, with how often, and how a
// coordinator describes each.
var (
	scaleNeedDomains = []assessments.Need{assessments.NeedFood, assessments.NeedHousing, assessments.NeedTransportation,
		assessments.NeedUtilities, assessments.NeedSafety, assessments.NeedMentalHealth, assessments.NeedMedical}
	scaleNeedWeights      = []float64{20, 14, 16, 10, 3, 22, 15}
	scaleNeedDescriptions = map[assessments.Need]string{
		assessments.NeedFood:           "Runs out of food before the end of the month",
		assessments.NeedHousing:        "Behind on rent; worried about losing the flat",
		assessments.NeedTransportation: "Misses appointments for lack of a ride",
		assessments.NeedUtilities:      "Shut-off notice from the electric company",
		assessments.NeedSafety:         "Does not feel safe at home",
		assessments.NeedMentalHealth:   "Low mood and worry most days",
		assessments.NeedMedical:        "No regular doctor; medicines run out",
	}
)

// drawPlans gives most patients in care a plan: in force for most, a
// draft or awaiting approval for some; patients discharged keep theirs
// completed. Each plan has one to three needs, each need a suggested goal
// with its interventions, due within weeks of the approval.
func (g *scaleGen) drawPlans() {
	for i, p := range g.patients {
		if p.status == "referred" || p.coord < 0 || g.rnd.Float64() > 0.85 {
			continue
		}
		pl := scalePlan{id: g.id(), patient: i, created: g.between(p.enrolled, p.enrolled.Add(21*24*time.Hour))}
		if pl.created.After(g.now) {
			pl.created = g.now.Add(-time.Hour)
		}
		switch stage := pickW(g.rnd, []string{"active", "draft", "submitted"}, []float64{92.5, 6, 1.5}); {
		case p.status == "discharged":
			pl.status, pl.stage = "completed", "approved"
		case stage == "active":
			pl.status, pl.stage = "active", "approved"
		case stage == "draft":
			pl.status, pl.stage = "draft", "editing"
		default:
			pl.status, pl.stage = "draft", "submitted"
		}
		if pl.stage == "approved" {
			pl.approved = g.between(pl.created, pl.created.Add(5*24*time.Hour))
			if pl.approved.After(g.now) {
				pl.approved = g.now.Add(-time.Minute)
			}
		}
		g.drawNeeds(&pl, p)
		g.plans = append(g.plans, pl)
	}
}

func (g *scaleGen) drawNeeds(pl *scalePlan, p scalePatient) {
	n := 1
	if g.rnd.Float64() < 0.5 {
		n++
	}
	if g.rnd.Float64() < 0.2 {
		n++
	}
	taken := map[assessments.Need]bool{}
	for len(pl.needs) < n {
		d := pickW(g.rnd, scaleNeedDomains, scaleNeedWeights)
		if taken[d] {
			continue
		}
		taken[d] = true
		sgs := careplans.SuggestionsFor(d)
		sg := sgs[g.rnd.IntN(len(sgs))]
		priority := careplans.Medium
		if len(pl.needs) == 0 {
			priority = careplans.High
		}
		start := pl.created
		if !pl.approved.IsZero() {
			start = pl.approved
		}
		goal := scaleGoal{id: g.id(), sg: sg, target: start.AddDate(0, 0, 7*sg.Weeks), status: careplans.GoalInProgress}
		if p.status == "discharged" || (goal.target.Before(g.now) && g.rnd.Float64() < 0.5) {
			goal.status = careplans.GoalAchieved
		}
		for k, action := range sg.Interventions {
			iv := scaleIntervention{id: g.id(), action: action, byCoord: k == 0 || g.rnd.Float64() < 0.7,
				due: start.AddDate(0, 0, 5+g.rnd.IntN(50)), status: careplans.InterventionPlanned}
			// Interventions past due for a while are mostly done: by the
			// completion of their task, which marks them done.
			if !pl.approved.IsZero() && iv.due.Before(g.now.Add(-3*24*time.Hour)) && g.rnd.Float64() < 0.97 {
				iv.status = careplans.InterventionDone
			}
			goal.interventions = append(goal.interventions, iv)
		}
		pl.needs = append(pl.needs, scalePlanNeed{needID: g.id(), linkID: g.id(), domain: d, priority: priority, goal: goal})
	}
}
