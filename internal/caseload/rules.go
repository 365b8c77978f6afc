// Package caseload holds the supervisor's read models of the team's work:
// the per-coordinator dashboard, the patient lists behind its numbers, the
// team's measures, and moving patients between coordinators.
package caseload

import (
	"time"

	"carecoord/internal/assessments"
	"carecoord/internal/calendar"
	"carecoord/internal/contacts"
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

// RulesAt applies the organisation's settings on the day of now, in now's
// location, the same way the worklist does (contacts.Cadence and
// assessments.DueRules): days are calendar days of that location and a
// date is overdue the day after it falls due.
func RulesAt(s tenants.Settings, now time.Time) Rules {
	cad := contacts.CadenceOf(s)
	loc := now.Location()
	y, m, d := now.Date()
	midnight := func(days int) time.Time { return time.Date(y, m, d-days, 0, 0, 0, 0, loc) }
	return Rules{
		Now: now,
		ReachedBy: map[patients.RiskTier]time.Time{
			patients.High: midnight(cad.HighDays), patients.Moderate: midnight(cad.ModerateDays), patients.Low: midnight(cad.LowDays),
		},
		ReferredBy:       referralCutoff(time.Date(y, m, d, 0, 0, 0, 0, time.UTC), cad.FirstContactBusinessDays),
		HighRiskSince:    midnight(HighRiskDays),
		MoodBy:           midnight(s.DepressionAnxietyReassessDays),
		ScreenBy:         time.Date(y, m-time.Month(s.SocialNeedsReassessMonths), d, 0, 0, 0, 0, loc),
		ModerateSeverity: assessments.SeverityModerate,
	}
}

// referralCutoff is the earliest referral date whose first-contact
// deadline (n business days later) is still today or later; referrals
// dated before it are overdue. The deadline only grows with the referral
// date, so stepping back from today finds it.
func referralCutoff(today time.Time, n int) time.Time {
	cut := today
	for calendar.AddBusinessDays(cut.AddDate(0, 0, -1), n).Compare(today) >= 0 {
		cut = cut.AddDate(0, 0, -1)
	}
	return cut
}
