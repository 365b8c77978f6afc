package server

import (
	"cmp"
	"net/http"
	"strconv"
	"time"

	"carecoord/internal/calendar"
	"carecoord/internal/contacts"
	"carecoord/internal/patients"
	"carecoord/internal/tenants"
	"carecoord/internal/worklist"
	"carecoord/web"
)

// The coordinator's worklist (issue 7): the signed-in person's tasks, and
// the patients of their caseload who need a contact, a re-assessment, a
// plan review or an appointment arranged, each section most urgent first
// (worklist.Service.Worklist gathers them).

// worklist is a coordinator's start page.
func (s *Server) worklist(w http.ResponseWriter, r *http.Request) error {
	u, _ := currentUser(r)
	a := s.actor(r)
	wl, err := s.work.Worklist(r.Context(), a)
	if err != nil {
		return err
	}
	v := web.WorklistView{Shell: s.shell(r), FirstName: firstName(u), Today: a.At.Format(calendar.LongWeekday),
		Overdue: taskRows(r, wl.Overdue, a.At), DueToday: taskRows(r, wl.DueToday, a.At),
		ShowTeamAlerts: wl.ShowTeam, TeamAlerts: taskRows(r, wl.Team, a.At), Appointments: worklistAppointments(r, wl.Appointments, a.At)}
	worklistContactRows(r, &v, wl.Contacts, wl.Today)
	worklistDueRows(r, &v, wl)
	t := wl.Totals
	v.Totals = map[string]int{"overdue": t.Overdue, "due-today": t.DueToday, "unreachable": t.Unreachable, "new-referrals": t.NewReferrals, "due-for-contact": t.DueForContact,
		"reassessments": t.Reassessments, "plan-reviews": t.PlanReviews, "risk-proposals": t.RiskProposals}
	v.Counts = worklistCounts(&v)
	return render(w, r, http.StatusOK, web.WorklistPage(v))
}

// worklistContactRows turns the sorted caseload into rows whose action is
// logging a contact, straight from the worklist and back to it.
func worklistContactRows(r *http.Request, v *web.WorklistView, w contacts.ContactWork, day time.Time) {
	row := func(p contacts.CaseloadPatient, detail, when string, late bool) web.PatientRow {
		return web.PatientRow{PatientName: p.Name, PatientHref: patientPath(r, p.ID), Risk: riskBadge(p.Tier), Detail: detail,
			When: when, Late: late, ActionHref: patientPath(r, p.ID) + "/contacts/new?return=worklist", ActionLabel: "Log contact"}
	}
	for _, p := range w.Unreachable {
		detail := strconv.Itoa(p.UnreachedAttempts) + " attempts in a row without reaching them"
		if p.LastReached != nil {
			detail += " · last reached " + longDate(p.LastReached.In(zone(r)))
		}
		when := ""
		if p.LastAttempt != nil {
			when = "last tried " + longDate(p.LastAttempt.In(zone(r)))
		}
		v.Unreachable = append(v.Unreachable, row(p, detail, when, true))
	}
	for _, d := range w.NewReferrals {
		v.NewReferrals = append(v.NewReferrals, row(d.CaseloadPatient, "Referred "+longDate(d.Referred)+attempts(d.UnreachedAttempts),
			dayLabel(d.Due, day), d.Due.Before(day)))
	}
	for _, d := range w.DueForContact {
		detail := "Never reached"
		if d.LastReached != nil {
			detail = "Last reached " + longDate(d.LastReached.In(zone(r)))
		}
		v.DueForContact = append(v.DueForContact, row(d.CaseloadPatient, detail+attempts(d.UnreachedAttempts), dayLabel(d.Due, day), d.Due.Before(day)))
	}
}

// worklistDueRows are the instruments due again and the plans due for
// review, each row leading to the step that is due.
func worklistDueRows(r *http.Request, v *web.WorklistView, wl worklist.Worklist) {
	for _, l := range wl.Reassessments {
		due := dateOn(l.DueAt, zone(r))
		v.Reassessments = append(v.Reassessments, web.PatientRow{
			PatientName: l.PatientName, PatientHref: patientPath(r, l.PatientID), Detail: l.Code + " last given " + longDate(l.CompletedAt.In(zone(r))),
			When: dayLabel(due, wl.Today), Late: due.Before(wl.Today), ActionLabel: "Give " + l.Code,
			ActionHref: patientPath(r, l.PatientID) + "/assessments/new?instrument=" + l.Code,
		})
	}
	for _, p := range wl.RiskProposals {
		v.RiskProposals = append(v.RiskProposals, web.PatientRow{
			PatientName: p.PatientName, PatientHref: patientPath(r, p.PatientID), Risk: riskBadge(p.FromTier),
			Detail: "Proposed " + p.Tier.Label() + ": " + p.Evidence(), When: longDate(p.CreatedAt.In(zone(r))),
			ActionHref: patientPath(r, p.PatientID) + "#risk-proposal", ActionLabel: "Decide",
		})
	}
	for _, p := range wl.PlanReviews {
		v.PlanReviews = append(v.PlanReviews, web.PatientRow{
			PatientName: p.PatientName, PatientHref: patientPath(r, p.PatientID),
			Detail: "The plan's review date has come", When: longDate(p.ReviewDue), Late: p.ReviewDue.Before(wl.Today),
			ActionHref: patientPath(r, p.PatientID) + "/care-plan", ActionLabel: "Review plan",
		})
	}
}

// worklistCounts are the numbers at the top of the worklist, in the order
// of the sections below them.
func worklistCounts(v *web.WorklistView) []web.WorklistCount {
	safety, safetyAnchor := 0, "due-today"
	for _, t := range v.Overdue {
		if t.Urgent {
			safety, safetyAnchor = safety+1, "overdue"
		}
	}
	for _, t := range v.DueToday {
		if t.Urgent {
			safety++
		}
	}
	// A supervisor's count is the whole team's, which includes their own.
	if v.ShowTeamAlerts {
		safety, safetyAnchor = len(v.TeamAlerts), "team-safety"
	}
	counts := []web.WorklistCount{
		{Key: "safety", Label: "Safety alerts", Count: safety, Anchor: safetyAnchor, Tone: "danger"},
		{Key: "overdue", Label: "Overdue", Count: v.TaskTotal("overdue", v.Overdue), Tone: "danger"},
		{Key: "unreachable", Label: "Unable to reach", Count: v.Total("unreachable", v.Unreachable), Tone: "warn"},
		{Key: "due-today", Label: "Due today", Count: v.TaskTotal("due-today", v.DueToday), Tone: "info"},
		{Key: "new-referrals", Label: "New referrals", Count: v.Total("new-referrals", v.NewReferrals), Tone: "info"},
		{Key: "due-for-contact", Label: "Due for contact", Count: v.Total("due-for-contact", v.DueForContact), Tone: "info"},
		{Key: "risk-proposals", Label: "Risk tier proposals", Count: v.Total("risk-proposals", v.RiskProposals), Tone: "warn"},
		{Key: "reassessments", Label: "Re-assessments", Count: v.Total("reassessments", v.Reassessments), Tone: "info"},
		{Key: "plan-reviews", Label: "Plan reviews", Count: v.Total("plan-reviews", v.PlanReviews), Tone: "info"},
	}
	for i := range counts {
		c := &counts[i]
		c.Anchor = cmp.Or(c.Anchor, c.Key)
		if c.Count == 0 {
			c.Tone = "muted"
		}
	}
	return counts
}

// dayLabel says when a date falls for someone planning their day.
func dayLabel(d, today time.Time) string {
	switch {
	case d.Equal(today):
		return "Today"
	case d.Equal(today.AddDate(0, 0, 1)):
		return "Tomorrow"
	}
	return d.Format(calendar.WeekdayDay)
}

// dateOn is t's calendar day in loc (the tenant's zone), as a date.
func dateOn(t time.Time, loc *time.Location) time.Time { return calendar.DateOf(t.In(loc)) }

// attempts is " · n unsuccessful attempts", or "" for none.
func attempts(n int) string {
	switch n {
	case 0:
		return ""
	case 1:
		return " · 1 unsuccessful attempt"
	}
	return " · " + strconv.Itoa(n) + " unsuccessful attempts"
}

func riskBadge(t patients.RiskTier) web.ChartBadge {
	return web.ChartBadge{Label: t.Label(), Tone: riskTone[t]}
}

// peopleOptions offers colleagues by name and role.
func peopleOptions(people []tenants.Person) []web.SelectOption {
	opts := make([]web.SelectOption, len(people))
	for i, p := range people {
		opts[i] = web.SelectOption{Value: p.ID, Label: p.Name + " (" + p.Role.Label() + ")"}
	}
	return opts
}
