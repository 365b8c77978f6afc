package demo

import (
	"context"
	"fmt"
	"time"

	"carecoord/internal/auth"
	"carecoord/internal/calendar"
	"carecoord/internal/contacts"
	"carecoord/internal/db"
	"carecoord/internal/patients"
	"carecoord/internal/tasks"
	"carecoord/internal/tenants"
	"carecoord/internal/worklist"

	"github.com/jackc/pgx/v5"
)

// Demo contacts: several weeks of calls and visits with mixed outcomes,
// follow-up tasks open, overdue and done, and for each coordinator one
// patient nobody has been able to reach and one discharged from hospital a
// few days ago whose follow-up is still open. Like the assessments, who gets what
// depends only on each patient's place in the tenant, and every date is
// placed relative to today. Everything goes through the use cases the
// pages call (contacts.Service, worklist.Service), as the coordinator at
// the moment it happened, so the reach state each patient carries, the
// tasks, the timeline and the audit log are the ones the application keeps.

// demoSummaries are what reached contacts talked about.
var demoSummaries = []string{
	"Checked in on how the week went. Taking medicines as prescribed; no new concerns.",
	"Talked through the food bank schedule; will go on Thursday with her neighbour.",
	"Reviewed upcoming appointments and confirmed the ride for Tuesday.",
	"Discussed sleep and mood; feels a little better since the last call.",
	"Went over the benefits renewal letter together; forms are filled in.",
	"Home visit: kitchen cupboards stocked, smoke alarm tested, no falls since last visit.",
	"Asked about blood pressure readings; log looks steady. Reminded about the lab work.",
	"Caregiver joined the call; agreed on who picks up the new prescription.",
}

// demoFollowUps are the tasks contacts leave behind.
var demoFollowUps = []string{
	"Call the pharmacy about the refill",
	"Send the housing application checklist",
	"Confirm transport for the cardiology appointment",
	"Check whether the utility assistance was approved",
}

// demoContact is one contact to log, days and hours before today.
type demoContact struct {
	daysAgo int
	method  string
	outcome string
}

// demoContacts are the use cases the demo contacts go through. Under
// db.Joining they work in the loader's transaction and never use a pool.
type demoContacts struct {
	tenant   seededTenant
	contacts *contacts.Service
	work     *worklist.Service
}

// actor is the demo person local acting at at.
func (d demoContacts) actor(local string, at time.Time) tenants.Actor {
	role := auth.Coordinator
	if local == "supervisor" {
		role = auth.Supervisor
	}
	return tenants.Actor{TenantID: d.tenant.ID, UserID: d.tenant.users[local], Role: role, Settings: tenants.DefaultSettings(), At: at}
}

// loadContacts logs the demo contacts, tasks and transitions of a tenant
// whose patients ps are stored and bound to tx.
func loadContacts(ctx context.Context, tx pgx.Tx, t seededTenant, ps []loadedPatient, today time.Time) error {
	ctx = db.Joining(ctx, tx)
	d := demoContacts{tenant: t, contacts: contacts.NewService(nil), work: worklist.NewService(nil)}
	// The third active patient of each coordinator can't be reached; the
	// fifth was discharged from hospital a few days ago.
	activePlace := map[string]int{}
	place := 0
	for _, p := range ps {
		if t.users[p.CoordinatorLocal] == "" {
			continue
		}
		i := place
		place++
		plan := contactPlan(p, i)
		nth := -1
		if p.Status == patients.Active {
			nth = activePlace[p.CoordinatorLocal]
			activePlace[p.CoordinatorLocal]++
		}
		discharge := nth == 4
		switch {
		case nth == 2:
			plan = []demoContact{{45, "phone", "reached"}, {12, "phone", "no_answer"}, {7, "phone", "left_message"}, {3, "phone", "no_answer"}}
		case discharge:
			// Nobody has reached the patient since the discharge yet.
			plan = []demoContact{{16, "phone", "reached"}, {9, "home_visit", "reached"}}
		}
		for k, dc := range plan {
			var followUp *tasks.NewTask
			if k == len(plan)-1 {
				followUp = demoFollowUp(p, i, today, t.Settings.Location(), t.users[p.CoordinatorLocal])
			}
			if err := d.logContact(ctx, p, dc, i+k, today, followUp); err != nil {
				return fmt.Errorf("contact for %s %s: %w", p.GivenName, p.FamilyName, err)
			}
		}
		if discharge {
			if err := d.discharge(ctx, p, i, today); err != nil {
				return fmt.Errorf("discharge of %s %s: %w", p.GivenName, p.FamilyName, err)
			}
		}
	}
	return nil
}

// contactPlan is the patient's contacts of the last weeks, oldest first:
// roughly on their tier's cadence, some now overdue, some reached only at
// the second try.
func contactPlan(p loadedPatient, i int) []demoContact {
	switch p.Status {
	case patients.Referred:
		switch i % 4 {
		case 0:
			return []demoContact{{1, "phone", "no_answer"}}
		case 1:
			return []demoContact{{2, "phone", "reached"}}
		}
		return nil
	case patients.OnHold:
		return []demoContact{{60 + i%20, "phone", "reached"}}
	case patients.Discharged:
		return nil
	}
	step := map[patients.RiskTier]int{patients.High: 7, patients.Moderate: 14, patients.Low: 30}[p.Tier]
	// The latest contact: within the cadence for most, past it for one in
	// five, so the worklist has patients due for contact.
	last := 1 + i%max(1, step-1)
	if i%5 == 0 {
		last = step + 1 + i%5
	}
	var plan []demoContact
	for d := last + step*((42-last)/step); d >= last; d -= step {
		method := []string{"phone", "phone", "phone", "home_visit", "video", "phone"}[(i+d)%6]
		switch i % 7 {
		case 3:
			plan = append(plan, demoContact{d + 1, "phone", "no_answer"})
		case 5:
			plan = append(plan, demoContact{d + 1, "phone", "left_message"})
		}
		plan = append(plan, demoContact{d, method, "reached"})
	}
	if i%9 == 4 {
		plan = append(plan, demoContact{last, "letter", "sent"})
	}
	return plan
}

// demoFollowUp is the task a patient's latest contact left, if any: open,
// overdue, due today or already done.
func demoFollowUp(p loadedPatient, i int, today time.Time, loc *time.Location, actor string) *tasks.NewTask {
	if p.Status != patients.Active {
		return nil
	}
	var due time.Time
	switch i % 8 {
	case 2:
		due = today.AddDate(0, 0, 3)
	case 4:
		due = today.AddDate(0, 0, -2)
	case 6:
		due = today.AddDate(0, 0, -6) // done below
	case 7:
		due = today
	default:
		return nil
	}
	return &tasks.NewTask{Title: demoFollowUps[(i/8)%len(demoFollowUps)], DueAt: calendar.EndOfDay(inLocal(due, loc)),
		AssigneeID: actor, Source: tasks.FromContact}
}

// inLocal is day's date at midnight in loc, the tenant's zone.
func inLocal(day time.Time, loc *time.Location) time.Time {
	y, m, d := day.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// logContact logs one contact of the patient's coordinator, twenty
// minutes after it happened, and completes its follow-up if the follow-up
// was due long enough ago.
func (d demoContacts) logContact(ctx context.Context, p loadedPatient, dc demoContact, n int, today time.Time, followUp *tasks.NewTask) error {
	at := inLocal(today, d.tenant.Settings.Location()).AddDate(0, 0, -dc.daysAgo).Add(time.Duration(9+n%8)*time.Hour + time.Duration(n%4)*15*time.Minute)
	direction := "outbound"
	if dc.outcome == "reached" && dc.method == "phone" && n%6 == 1 {
		direction = "inbound"
	}
	c := contacts.NewContact{OccurredAt: at, Method: dc.method, Direction: direction, Party: "patient", Outcome: dc.outcome}
	if contacts.Reached(dc.outcome) {
		c.Summary = demoSummaries[n%len(demoSummaries)]
		minutes := 10 + (n*7)%35
		if dc.method == "home_visit" {
			minutes += 30
		}
		c.Minutes = &minutes
	}
	if dc.outcome == "sent" {
		c.Summary = "Mailed the appointment reminder and the clinic's new phone number."
	}
	c.FollowUp = followUp
	a := d.actor(p.CoordinatorLocal, at.Add(20*time.Minute))
	l, err := d.contacts.LogValid(ctx, a, p.ID, c)
	if err != nil || l.FollowUpID == "" || !followUp.DueAt.Before(today.AddDate(0, 0, -3)) {
		return err
	}
	// An older follow-up that was done on time.
	a.At = a.At.Add(2 * time.Hour)
	_, err = d.work.CompleteTask(ctx, a, p.ID, l.FollowUpID, tasks.ActionForm{Version: 1, Note: "Done; the patient has been told."})
	return err
}

// discharge records a hospital stay that ended a few days ago; its
// follow-up task stays open, due within the week.
func (d demoContacts) discharge(ctx context.Context, p loadedPatient, i int, today time.Time) error {
	hospital := []string{"Mercy General Hospital", "St. Luke's Medical Center", "Riverside Regional Hospital"}[i%3]
	f := contacts.TransitionForm{Kind: "discharge", Facility: hospital,
		OccurredOn: today.AddDate(0, 0, -3).Format(calendar.DateLayout), AdmittedOn: today.AddDate(0, 0, -8).Format(calendar.DateLayout),
		Notes: "Admitted with shortness of breath; diuretic dose changed. Cardiology follow-up to be booked within two weeks."}
	_, err := d.contacts.RecordTransition(ctx, d.actor(p.CoordinatorLocal, inLocal(today, d.tenant.Settings.Location()).AddDate(0, 0, -2).Add(16*time.Hour)), p.ID, f)
	return err
}
