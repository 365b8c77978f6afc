package server

import (
	"strings"

	"time"

	"carecoord/internal/calendar"
	"carecoord/internal/contacts"
	"carecoord/internal/tasks"
	"carecoord/web"
)

// chartContactView is the chart's contact work as of now.
func chartContactView(c chartReq, w contacts.ChartWork, now time.Time, v *web.ChartView) {
	v.Reach = web.ChartReach{Unreachable: w.Reach.Unreachable(), Attempts: w.Reach.UnreachedAttempts}
	if w.Reach.LastReached != nil {
		v.Reach.LastReached = longDate(w.Reach.LastReached.In(now.Location()))
	}
	if w.NextDue != nil {
		day := dateOn(now, now.Location())
		v.Reach.NextDue, v.Reach.Late = dayLabel(*w.NextDue, day), w.NextDue.Before(day)
	}
	for _, ct := range w.Recent {
		v.Contacts = append(v.Contacts, web.ChartContactRow{
			When:    ct.OccurredAt.In(now.Location()).Format(calendar.WeekdayTime) + " · " + ct.AuthorName,
			Line:    contacts.Methods.Label(ct.Method) + " with " + ct.WithWhom(),
			Outcome: outcomeBadge(ct.Outcome), Summary: ct.Summary, Href: c.base + "/contacts/" + ct.ID,
		})
	}
	for _, t := range w.Open {
		v.Tasks = append(v.Tasks, web.ChartTaskRow{Title: t.Title, Due: dueInSentence(t.DueAt, now), Late: t.DueAt.Before(now),
			Urgent: t.Priority == tasks.Urgent, Assignee: orText(t.AssigneeName, "Nobody"), Href: c.base + "/tasks/" + t.ID})
	}
	for _, t := range w.Transitions {
		dates := longDate(t.OccurredOn)
		if t.AdmittedOn != nil {
			dates = "Admitted " + longDate(*t.AdmittedOn) + " · discharged " + dates
		}
		row := web.ChartTransitionRow{Kind: contacts.TransitionKinds.Label(t.Kind), Facility: t.Facility, Dates: dates, Notes: t.Notes}
		if t.Kind == "discharge" {
			row.ExclusionHref = c.base + "/transitions/" + t.ID + "/exclusion"
		}
		if t.ExcludedOn != nil {
			row.Excluded = "Left out of the 7-day follow-up: " + strings.ToLower(contacts.Exclusions.Label(t.ExcludedReason)) + " on " + longDate(*t.ExcludedOn)
		}
		v.Transitions = append(v.Transitions, row)
	}
}
