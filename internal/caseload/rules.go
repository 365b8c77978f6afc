// Package caseload holds the supervisor's read models of the team's work:
// the per-coordinator dashboard, the patient lists behind its numbers, the
// team's measures, and moving patients between coordinators.
package caseload

import (
	"context"
	"time"

	"carecoord/internal/assessments"
	"carecoord/internal/calendar"
	"carecoord/internal/contacts"
	"carecoord/internal/db"
	"carecoord/internal/patients"
	"carecoord/internal/tenants"
)

// Rules are the organisation's rules the flags are judged by, turned into
// instants so that SQL compares plain timestamps and dates and needs no
// time zone: a patient last reached before ReachedBy[tier] is past their
// contact cadence, and so on. Build them with RulesAt.
type Rules struct {
	Now time.Time
	// ReachedBy is, per risk tier, the start of the first day on which a
	// patient last reached before it is overdue for contact.
	ReachedBy map[patients.RiskTier]time.Time
	// ReferredBy: a patient never reached whose referral date is before it
	// has missed the first-contact deadline.
	ReferredBy time.Time
	// HighRiskSince: a high-risk patient not reached since is flagged.
	HighRiskSince time.Time
	// Re-assessments: a moderate-or-worse PHQ-9 or GAD-7 completed before
	// MoodBy, or an AHC-HRSN screen completed before ScreenBy, is overdue.
	MoodBy           time.Time
	ScreenBy         time.Time
	ModerateSeverity assessments.Severity
}

// HighRiskDays is how long a high-risk patient may go without a successful
// contact before the dashboard flags them.
const HighRiskDays = 7

// UnreachableAfter mirrors the contact rule: this many unsuccessful
// attempts in a row flag a patient "unable to reach".
const UnreachableAfter = contacts.UnreachableAfter

// RulesAt applies the organisation's settings and calendar on the day of
// now, in now's location, the same way the worklist does (contacts.Cadence
// and assessments.DueRules): days are calendar days of that location, a
// contact due on a closed day is due on the next open one, and a date is
// overdue the day after it falls due.
func RulesAt(s tenants.Settings, closed calendar.Calendar, now time.Time) Rules {
	cad := contacts.CadenceOf(s)
	cad.Closed = closed
	loc := now.Location()
	y, m, d := now.Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	midnight := func(days int) time.Time { return time.Date(y, m, d-days, 0, 0, 0, 0, loc) }
	// reachedBy is the midnight (in loc) of the earliest last-contact day
	// whose next contact is not yet overdue.
	reachedBy := func(tier patients.RiskTier) time.Time {
		cut := calendar.Cutoff(today.AddDate(0, 0, -cad.Days(tier)), today, func(last time.Time) time.Time { return cad.ReachDue(last, tier) })
		return time.Date(cut.Year(), cut.Month(), cut.Day(), 0, 0, 0, 0, loc)
	}
	return Rules{
		Now: now,
		ReachedBy: map[patients.RiskTier]time.Time{
			patients.High: reachedBy(patients.High), patients.Moderate: reachedBy(patients.Moderate), patients.Low: reachedBy(patients.Low),
		},
		ReferredBy: calendar.Cutoff(today, today, func(referred time.Time) time.Time {
			return calendar.AddBusinessDays(closed, referred, cad.FirstContactBusinessDays)
		}),
		HighRiskSince:    midnight(HighRiskDays),
		MoodBy:           midnight(s.DepressionAnxietyReassessDays),
		ScreenBy:         time.Date(y, m-time.Month(s.SocialNeedsReassessMonths), d, 0, 0, 0, 0, loc),
		ModerateSeverity: assessments.SeverityModerate,
	}
}

// rulesOf is RulesAt for a, with a's tenant's calendar read in q.
func rulesOf(ctx context.Context, q db.DBTX, a tenants.Actor) (Rules, error) {
	closed, err := tenants.LoadCalendar(ctx, q, a.TenantID)
	return RulesAt(a.Settings, closed, a.At), err
}
