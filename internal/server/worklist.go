package server

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"carecoord/internal/assessments"
	"carecoord/internal/careplans"
	"carecoord/internal/contacts"
	"carecoord/internal/patients"
	"carecoord/web"

	"github.com/jackc/pgx/v5"
)

// The coordinator's worklist (issue 7): the signed-in person's tasks, and
// the patients of their caseload who need a contact, a re-assessment or a
// plan review, each section most urgent first. A coordinator's caseload is
// read through the caseload index with the reach state kept on each
// patient, so the page costs a few index ranges however large the tenant.

// worklistContent fills everything the worklist shows for the signed-in
// user at now.
func (s *Server) worklistContent(r *http.Request, v *web.WorklistView, now time.Time) error {
	m, _ := currentMembership(r)
	u, _ := currentUser(r)
	return s.inTenant(r, func(tx pgx.Tx) error {
		if err := s.worklistTasks(r, tx, v, now); err != nil {
			return err
		}
		var err error
		if v.Appointments, err = worklistAppointments(r, tx, m.Tenant.ID, u.ID, now); err != nil {
			return err
		}
		caseload, err := contacts.Caseload(r.Context(), tx, m.Tenant.ID, u.ID)
		if err != nil {
			return err
		}
		day := dateOn(now)
		work := contacts.CadenceOf(m.Settings).SortCaseload(caseload, day, time.Local)
		worklistContactRows(r, v, work, day)
		if v.Reassessments, err = reassessmentRows(r, tx, m.Tenant.ID, u.ID, now); err != nil {
			return err
		}
		reviews, err := careplans.DueForReview(r.Context(), tx, m.Tenant.ID, u.ID, day)
		for _, p := range reviews {
			v.PlanReviews = append(v.PlanReviews, web.PatientRow{
				PatientName: p.PatientName, PatientHref: patientPath(r, p.PatientID),
				Detail: "The plan's review date has come", When: longDate(p.ReviewDue), Late: p.ReviewDue.Before(day),
				ActionHref: patientPath(r, p.PatientID) + "/care-plan", ActionLabel: "Review plan",
			})
		}
		return err
	})
}

// worklistContactRows turns the sorted caseload into rows whose action is
// logging a contact, straight from the worklist and back to it.
func worklistContactRows(r *http.Request, v *web.WorklistView, w contacts.ContactWork, day time.Time) {
	logHref := func(id string) string { return patientPath(r, id) + "/contacts/new?return=worklist" }
	for _, p := range w.Unreachable {
		detail := strconv.Itoa(p.UnreachedAttempts) + " attempts in a row without reaching them"
		if p.LastReached != nil {
			detail += " · last reached " + longDate(p.LastReached.Local())
		}
		when := ""
		if p.LastAttempt != nil {
			when = "last tried " + longDate(p.LastAttempt.Local())
		}
		v.Unreachable = append(v.Unreachable, web.PatientRow{
			PatientName: p.Name, PatientHref: patientPath(r, p.ID), Risk: riskBadge(p.Tier),
			Detail: detail, When: when, Late: true, ActionHref: logHref(p.ID), ActionLabel: "Log contact",
		})
	}
	for _, d := range w.NewReferrals {
		detail := "Referred " + longDate(d.Referred)
		if d.UnreachedAttempts > 0 {
			detail += " · " + attempts(d.UnreachedAttempts)
		}
		v.NewReferrals = append(v.NewReferrals, web.PatientRow{
			PatientName: d.Name, PatientHref: patientPath(r, d.ID), Risk: riskBadge(d.Tier),
			Detail: detail, When: dayLabel(d.Due, day), Late: d.Due.Before(day),
			ActionHref: logHref(d.ID), ActionLabel: "Log contact",
		})
	}
	for _, d := range w.DueForContact {
		detail := "Never reached"
		if d.LastReached != nil {
			detail = "Last reached " + longDate(d.LastReached.Local())
		}
		if d.UnreachedAttempts > 0 {
			detail += " · " + attempts(d.UnreachedAttempts)
		}
		v.DueForContact = append(v.DueForContact, web.PatientRow{
			PatientName: d.Name, PatientHref: patientPath(r, d.ID), Risk: riskBadge(d.Tier),
			Detail: detail, When: dayLabel(d.Due, day), Late: d.Due.Before(day),
			ActionHref: logHref(d.ID), ActionLabel: "Log contact",
		})
	}
}

// reassessmentRows lists the instruments due again for the user's
// patients, by the tenant's rules as on the chart, the longest overdue
// first.
func reassessmentRows(r *http.Request, tx pgx.Tx, tenantID, userID string, now time.Time) ([]web.PatientRow, error) {
	latest, err := assessments.LatestForCoordinator(r.Context(), tx, tenantID, userID)
	if err != nil {
		return nil, err
	}
	rules := dueRulesOf(r)
	day := dateOn(now)
	type due struct {
		row web.PatientRow
		at  time.Time
	}
	var list []due
	for _, l := range latest {
		at, ok := rules.DueDate(l.LastResult)
		if !ok || dateOn(at.Local()).After(day) {
			continue
		}
		name := patients.Patient{GivenName: l.GivenName, FamilyName: l.FamilyName, PreferredName: l.PreferredName}.DisplayName()
		list = append(list, due{at: at, row: web.PatientRow{
			PatientName: name, PatientHref: patientPath(r, l.PatientID),
			Detail: l.Code + " last given " + longDate(l.CompletedAt.Local()),
			When:   dayLabel(dateOn(at.Local()), day), Late: dateOn(at.Local()).Before(day),
			ActionHref:  patientPath(r, l.PatientID) + "/assessments/new?instrument=" + l.Code,
			ActionLabel: "Give " + l.Code,
		}})
	}
	slices.SortStableFunc(list, func(a, b due) int { return a.at.Compare(b.at) })
	out := make([]web.PatientRow, len(list))
	for i, d := range list {
		out[i] = d.row
	}
	return out, nil
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
	tone := func(n int, t string) string {
		if n == 0 {
			return "muted"
		}
		return t
	}
	return []web.WorklistCount{
		{Key: "safety", Label: "Safety alerts", Count: safety, Anchor: safetyAnchor, Tone: tone(safety, "danger")},
		{Label: "Overdue", Count: len(v.Overdue), Anchor: "overdue", Key: "overdue", Tone: tone(len(v.Overdue), "danger")},
		{Label: "Unable to reach", Count: len(v.Unreachable), Anchor: "unreachable", Key: "unreachable", Tone: tone(len(v.Unreachable), "warn")},
		{Label: "Due today", Count: len(v.DueToday), Anchor: "due-today", Key: "due-today", Tone: tone(len(v.DueToday), "info")},
		{Label: "New referrals", Count: len(v.NewReferrals), Anchor: "new-referrals", Key: "new-referrals", Tone: tone(len(v.NewReferrals), "info")},
		{Label: "Due for contact", Count: len(v.DueForContact), Anchor: "due-for-contact", Key: "due-for-contact", Tone: tone(len(v.DueForContact), "info")},
		{Label: "Re-assessments", Count: len(v.Reassessments), Anchor: "reassessments", Key: "reassessments", Tone: tone(len(v.Reassessments), "info")},
		{Label: "Plan reviews", Count: len(v.PlanReviews), Anchor: "plan-reviews", Key: "plan-reviews", Tone: tone(len(v.PlanReviews), "info")},
	}
}

// dayLabel says when a date falls for someone planning their day.
func dayLabel(d, today time.Time) string {
	switch {
	case d.Equal(today):
		return "Today"
	case d.Equal(today.AddDate(0, 0, 1)):
		return "Tomorrow"
	}
	return d.Format("Mon 2 Jan 2006")
}

// dateOn is t's calendar day in the server's zone, as a date.
func dateOn(t time.Time) time.Time {
	y, m, d := t.Local().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func attempts(n int) string {
	if n == 1 {
		return "1 unsuccessful attempt"
	}
	return strconv.Itoa(n) + " unsuccessful attempts"
}

func riskBadge(t patients.RiskTier) web.ChartBadge {
	return web.ChartBadge{Label: t.Label(), Tone: riskTone[t]}
}
