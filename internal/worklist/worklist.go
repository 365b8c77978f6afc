// Package worklist is the coordinator's start page as data, and what is
// done to a task from it: the worklist gathers the person's tasks and the
// patients of their caseload who need a contact, a re-assessment, a plan
// review or an appointment arranged, each from the package that owns it;
// completing, rescheduling and handing over a task are its use cases. It
// sits above contacts, care plans and referrals, whose read and
// transaction-level functions it calls.
package worklist

import (
	"context"
	"slices"
	"time"

	"carecoord/internal/assessments"
	"carecoord/internal/audit"
	"carecoord/internal/calendar"
	"carecoord/internal/careplans"
	"carecoord/internal/contacts"
	"carecoord/internal/db"
	"carecoord/internal/referrals"
	"carecoord/internal/risk"
	"carecoord/internal/tasks"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Service is the worklist's read model and the task actions.
type Service struct {
	pool *pgxpool.Pool
}

// NewService is the worklist over pool.
func NewService(pool *pgxpool.Pool) *Service { return &Service{pool: pool} }

// AppointmentsAhead is how far ahead the worklist lists appointments that
// still need something arranged.
const AppointmentsAhead = 48 * time.Hour

// Worklist is everything the person's start page shows, each list most
// urgent first.
type Worklist struct {
	// Today is the person's day, as a date.
	Today time.Time
	// Overdue and DueToday are the person's open tasks due by the end of
	// today; urgent ones are there whenever due.
	Overdue, DueToday []tasks.Task
	// ShowTeam is set for those who review caseloads; Team is then every
	// open urgent safety alert of the tenant, the longest waiting first.
	ShowTeam bool
	Team     []tasks.Task
	// Appointments are the scheduled appointments of the person's patients
	// that begin within AppointmentsAhead, soonest first.
	Appointments []referrals.CoordinatorAppointment
	// Contacts sorts the person's caseload by the tenant's cadence.
	Contacts contacts.ContactWork
	// Reassessments are the instruments due again by the tenant's rules,
	// the longest overdue first.
	Reassessments []Reassessment
	// PlanReviews are the active plans whose review date has come.
	PlanReviews []careplans.PlanReview
	// RiskProposals are the risk tiers the evidence proposes for the
	// person's patients, waiting for their decision, the oldest first.
	RiskProposals []risk.Waiting
	// Totals are the sizes of the patient sections before each was cut to
	// its Shown most urgent.
	Totals Totals
}

// Shown is how many patients each patient section of the worklist holds,
// the most urgent first. A caseload of thousands (the scale tenant's
// coordinators carry about 3,000 each) otherwise made a page of 2.8 MB
// and an audit row naming every patient, on every visit, for lists that
// are worked from the top (issue 22).
const Shown = 25

// Totals counts each patient section in full.
type Totals struct {
	Overdue, DueToday                                                                   int
	Unreachable, NewReferrals, DueForContact, Reassessments, PlanReviews, RiskProposals int
}

// cut keeps the Shown most urgent of each section (and every urgent task)
// and counts them all in Totals.
func (w *Worklist) cut() {
	c := &w.Contacts
	w.Totals = Totals{Overdue: len(w.Overdue), DueToday: len(w.DueToday), Unreachable: len(c.Unreachable), NewReferrals: len(c.NewReferrals), DueForContact: len(c.DueForContact),
		Reassessments: len(w.Reassessments), RiskProposals: len(w.RiskProposals)}
	if len(w.PlanReviews) > 0 { // read only the Shown first, each saying how many are due
		w.Totals.PlanReviews = w.PlanReviews[0].Due
	}
	w.Overdue, w.DueToday = firstTasks(w.Overdue), firstTasks(w.DueToday)
	c.Unreachable, c.NewReferrals, c.DueForContact = first(c.Unreachable), first(c.NewReferrals), first(c.DueForContact)
	w.Reassessments, w.PlanReviews, w.RiskProposals = first(w.Reassessments), first(w.PlanReviews), first(w.RiskProposals)
}

func first[T any](list []T) []T { return list[:min(len(list), Shown)] }

// firstTasks keeps every urgent task and the Shown first of the others: a
// safety alert is never cut from the worklist.
func firstTasks(list []tasks.Task) []tasks.Task {
	var out []tasks.Task
	others := 0
	for _, t := range list {
		if t.Priority == tasks.Urgent || others < Shown {
			out = append(out, t)
		}
		if t.Priority != tasks.Urgent {
			others++
		}
	}
	return out
}

// Reassessment is an instrument due again for a patient.
type Reassessment struct {
	assessments.CaseloadResult
	PatientName string
	// DueAt is when it fell due.
	DueAt time.Time
}

// Worklist reads a's worklist at a.At. A page that only reads: the tasks
// that time makes due are raised by the scheduler, not here.
func (s *Service) Worklist(ctx context.Context, a tenants.Actor) (Worklist, error) {
	w := Worklist{Today: a.Today(), ShowTeam: a.Role.ReviewsCaseloads()}
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		// Every read is independent of the others: one round trip for
		// all (issue 22); the audit of what they named follows.
		var (
			mine     []tasks.Task
			roster   []contacts.CaseloadPatient
			latest   []assessments.CaseloadResult
			closures []tenants.Closure
		)
		b := &pgx.Batch{}
		tasks.OpenForAssigneeQuery(a.TenantID, a.UserID, calendar.EndOfDay(a.At).Add(time.Second)).QueueAll(b, &mine)
		if w.ShowTeam {
			tasks.TeamSafetyAlertsQuery(a.TenantID).QueueAll(b, &w.Team)
		}
		referrals.ScheduledForCoordinatorQuery(a.TenantID, a.UserID, a.At.Add(AppointmentsAhead)).QueueAll(b, &w.Appointments)
		contacts.CaseloadQuery(a.TenantID, a.UserID).QueueAll(b, &roster)
		assessments.LatestForCoordinatorQuery(a.TenantID, a.UserID).QueueAll(b, &latest)
		careplans.DueForReviewQuery(a.TenantID, a.UserID, w.Today, Shown).QueueAll(b, &w.PlanReviews)
		risk.WaitingQuery(a.TenantID, a.UserID).QueueAll(b, &w.RiskProposals)
		tenants.ClosuresQuery(a.TenantID).QueueAll(b, &closures)
		if err := db.Send(ctx, tx, b); err != nil {
			return err
		}
		for _, t := range mine {
			if t.DueAt.Before(a.At) {
				w.Overdue = append(w.Overdue, t)
			} else {
				w.DueToday = append(w.DueToday, t)
			}
		}
		cad := contacts.CadenceOf(a.Settings)
		cad.Closed = tenants.CalendarOf(closures)
		w.Contacts = cad.SortCaseload(roster, w.Today, a.At.Location())
		w.Reassessments = reassessments(latest, names(roster), a, w.Today)
		w.cut()
		return a.AuditListed(ctx, tx, audit.Event{Action: "patient.listed", Detail: map[string]any{"list": "worklist"}}, w.patientIDs())
	})
	return w, err
}

// names are the display names of the caseload's patients, by id.
func names(roster []contacts.CaseloadPatient) map[string]string {
	m := make(map[string]string, len(roster))
	for _, p := range roster {
		m[p.ID] = p.Name
	}
	return m
}

// reassessments lists the instruments due again by today among the
// latest results of a's patients, by the tenant's rules as on the chart.
// The results are of referred and active patients, all in the caseload
// read beside them, which names them; one that is not (reassigned or
// discharged between the two reads) is left to the next visit.
func reassessments(latest []assessments.CaseloadResult, names map[string]string, a tenants.Actor, today time.Time) []Reassessment {
	rules := assessments.DueRules{
		DepressionAnxietyEvery: time.Duration(a.Settings.DepressionAnxietyReassessDays) * 24 * time.Hour,
		SocialNeedsEvery:       assessments.Months(a.Settings.SocialNeedsReassessMonths),
	}
	var list []Reassessment
	for _, l := range latest {
		at, ok := rules.DueDate(l.LastResult)
		name, named := names[l.PatientID]
		if ok && named && !calendar.DateOf(at.In(a.At.Location())).After(today) {
			list = append(list, Reassessment{CaseloadResult: l, PatientName: name, DueAt: at})
		}
	}
	slices.SortStableFunc(list, func(x, y Reassessment) int { return x.DueAt.Compare(y.DueAt) })
	return list
}

// patientIDs are the patients the worklist names, for the audit log.
func (w Worklist) patientIDs() []string {
	var ids []string
	for _, t := range slices.Concat(w.Overdue, w.DueToday, w.Team) {
		ids = append(ids, t.PatientID)
	}
	for _, ap := range w.Appointments {
		ids = append(ids, ap.PatientID)
	}
	for _, p := range w.Contacts.Unreachable {
		ids = append(ids, p.ID)
	}
	for _, d := range slices.Concat(w.Contacts.NewReferrals, w.Contacts.DueForContact) {
		ids = append(ids, d.ID)
	}
	for _, r := range w.Reassessments {
		ids = append(ids, r.PatientID)
	}
	for _, p := range w.PlanReviews {
		ids = append(ids, p.PatientID)
	}
	for _, p := range w.RiskProposals {
		ids = append(ids, p.PatientID)
	}
	return slices.DeleteFunc(ids, func(id string) bool { return id == "" })
}
