package demo

import (
	"context"
	"fmt"
	"time"

	"carecoord/internal/calendar"
	"carecoord/internal/contacts"
	"carecoord/internal/patients"
	"carecoord/internal/tasks"

	"github.com/jackc/pgx/v5"
)

// Demo contacts: several weeks of calls and visits with mixed outcomes,
// follow-up tasks open, overdue and done, and for each coordinator one
// patient nobody has been able to reach and one discharged from hospital a
// few days ago whose follow-up is still open. Like the assessments, who gets what
// depends only on each patient's place in the tenant, and every date is
// placed relative to today. Contacts are logged through contacts.Log, so
// the reach state each patient carries is the one the application keeps.

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

// loadContacts logs the demo contacts, tasks and transitions of a tenant
// whose patients ps are stored and bound to tx.
func loadContacts(ctx context.Context, tx pgx.Tx, t seededTenant, ps []loadedPatient, today time.Time) error {
	// The third active patient of each coordinator can't be reached; the
	// fifth was discharged from hospital a few days ago.
	activePlace := map[string]int{}
	place := 0
	for _, p := range ps {
		actor := t.users[p.CoordinatorLocal]
		if actor == "" {
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
				followUp = demoFollowUp(p, i, today, actor)
			}
			if err := logDemoContact(ctx, tx, t.ID, p, actor, dc, i+k, today, followUp); err != nil {
				return fmt.Errorf("contact for %s %s: %w", p.GivenName, p.FamilyName, err)
			}
		}
		if discharge {
			if err := demoDischarge(ctx, tx, t, p, actor, i, today); err != nil {
				return fmt.Errorf("discharge of %s %s: %w", p.GivenName, p.FamilyName, err)
			}
		}
	}
	// The store stamps contacts and tasks with the time of loading; the
	// demo's happened when they say, so none is open to correction.
	_, err := tx.Exec(ctx, `
		update contacts set created_at = occurred_at + interval '20 minutes'
		 where tenant_id = $1 and occurred_at < now() - interval '1 day'`, t.ID)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `
		update tasks t set created_at = c.created_at
		  from contacts c
		 where t.tenant_id = $1 and c.tenant_id = t.tenant_id and c.id = t.source_contact_id`, t.ID)
	return err
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
func demoFollowUp(p loadedPatient, i int, today time.Time, actor string) *tasks.NewTask {
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
	return &tasks.NewTask{Title: demoFollowUps[(i/8)%len(demoFollowUps)], DueAt: calendar.EndOfDay(inLocal(due)),
		AssigneeID: actor, Source: tasks.FromContact}
}

// inLocal is day's date at midnight in the server's zone.
func inLocal(day time.Time) time.Time {
	y, m, d := day.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.Local)
}

func logDemoContact(ctx context.Context, tx pgx.Tx, tenantID string, p loadedPatient, actor string, dc demoContact, n int, today time.Time, followUp *tasks.NewTask) error {
	at := inLocal(today).AddDate(0, 0, -dc.daysAgo).Add(time.Duration(9+n%8)*time.Hour + time.Duration(n%4)*15*time.Minute)
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
	l, err := contacts.Log(ctx, tx, tenantID, p.ID, actor, c)
	if err != nil {
		return err
	}
	if err := demoEvent(ctx, tx, tenantID, p.ID, actor, "contact", c.Line(), at); err != nil {
		return err
	}
	if l.FollowUpID != "" && followUp.DueAt.Before(today.AddDate(0, 0, -3)) {
		// An older follow-up that was done on time.
		_, err = tasks.Complete(ctx, tx, tenantID, p.ID, l.FollowUpID, actor, 1, "Done; the patient has been told.", time.Now())
	}
	return err
}

// demoDischarge records a hospital stay that ended a few days ago; its
// follow-up task stays open, due within the week.
func demoDischarge(ctx context.Context, tx pgx.Tx, t seededTenant, p loadedPatient, actor string, i int, today time.Time) error {
	hospital := []string{"Mercy General Hospital", "St. Luke's Medical Center", "Riverside Regional Hospital"}[i%3]
	admitted := today.AddDate(0, 0, -8)
	tr := contacts.NewTransition{Kind: "discharge", Facility: hospital, OccurredOn: today.AddDate(0, 0, -3), AdmittedOn: &admitted,
		Notes: "Admitted with shortness of breath; diuretic dose changed. Cardiology follow-up to be booked within two weeks."}
	rec, err := contacts.RecordTransition(ctx, tx, t.ID, p.ID, actor, actor, tr, time.Local)
	if err != nil {
		return err
	}
	at := inLocal(today).AddDate(0, 0, -2).Add(16 * time.Hour)
	if err := demoEvent(ctx, tx, t.ID, p.ID, actor, "transition", "Hospital discharge: "+hospital+", "+tr.OccurredOn.Format("2 Jan 2006"), at); err != nil {
		return err
	}
	return demoEvent(ctx, tx, t.ID, p.ID, actor, "task", "Follow-up task: "+rec.FollowUp.Title+", due "+rec.FollowUp.DueAt.Format("2 Jan 2006"), at)
}

// demoEvent adds a timeline line dated when it happened.
func demoEvent(ctx context.Context, tx pgx.Tx, tenantID, patientID, actorID, kind, summary string, at time.Time) error {
	_, err := tx.Exec(ctx, `
		insert into patient_events (tenant_id, patient_id, actor_id, kind, summary, at) values ($1, $2, $3, $4, $5, $6)`,
		tenantID, patientID, actorID, kind, summary, at)
	return err
}
