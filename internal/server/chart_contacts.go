package server

import (
	"net/http"
	"time"

	"carecoord/internal/contacts"
	"carecoord/internal/patients"
	"carecoord/internal/tasks"
	"carecoord/web"

	"github.com/jackc/pgx/v5"
)

// chartContactsShown is how many recent contacts the chart lists; the
// timeline has every one.
const chartContactsShown = 8

// chartContactWork fills the chart's contact work: whether the patient can
// be reached and when they are next due, recent contacts, open tasks and
// transitions of care.
func chartContactWork(r *http.Request, tx pgx.Tx, c chartReq, p patients.Patient, v *web.ChartView) error {
	ctx := r.Context()
	now := time.Now()
	reach, err := contacts.ReachOf(ctx, tx, c.tenantID, c.patientID)
	if err != nil {
		return err
	}
	v.Reach = web.ChartReach{Unreachable: reach.Unreachable(), Attempts: reach.UnreachedAttempts}
	if reach.LastReached != nil {
		v.Reach.LastReached = longDate(reach.LastReached.Local())
	}
	if p.Status != patients.Discharged {
		m, _ := currentMembership(r)
		referred := p.CreatedAt
		if p.ReferralDate != nil {
			referred = *p.ReferralDate
		}
		due, _ := contacts.CadenceOf(m.Settings).NextDue(contacts.ContactState{Tier: p.RiskTier, Referred: referred, LastReached: reach.LastReached}, time.Local)
		day := dateOn(now)
		v.Reach.NextDue, v.Reach.Late = dayLabel(due, day), due.Before(day)
	}
	recent, err := contacts.Recent(ctx, tx, c.tenantID, c.patientID, chartContactsShown)
	if err != nil {
		return err
	}
	for _, ct := range recent {
		v.Contacts = append(v.Contacts, web.ChartContactRow{
			When:    ct.OccurredAt.Local().Format("Mon 2 Jan 2006, 15:04") + " · " + ct.AuthorName,
			Line:    contacts.Methods.Label(ct.Method) + " with " + ct.WithWhom(),
			Outcome: outcomeBadge(ct.Outcome), Summary: ct.Summary, Href: c.base + "/contacts/" + ct.ID,
		})
	}
	open, err := tasks.OpenForPatient(ctx, tx, c.tenantID, c.patientID)
	if err != nil {
		return err
	}
	for _, t := range open {
		due := dueLabel(t.DueAt, now)
		if due == "Today" {
			due = "today"
		}
		v.Tasks = append(v.Tasks, web.ChartTaskRow{Title: t.Title, Due: due, Late: t.DueAt.Before(now),
			Urgent: t.Priority == tasks.Urgent, Assignee: orText(t.AssigneeName, "Nobody"), Href: c.base + "/tasks/" + t.ID})
	}
	transitions, err := contacts.Transitions(ctx, tx, c.tenantID, c.patientID, 10)
	v.Transitions = transitionRows(transitions)
	return err
}
