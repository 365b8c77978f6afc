package contacts

import (
	"time"

	"carecoord/internal/calendar"
	"carecoord/internal/patients"
	"carecoord/internal/tenants"
)

// Cadence is how often an organisation contacts its patients: a number of
// days between successful contacts by risk tier, and a number of business
// days within which a new referral gets its first.
type Cadence struct {
	HighDays, ModerateDays, LowDays int
	FirstContactBusinessDays        int
	// Closed is the organisation's calendar: business days skip its
	// closed days, and a due date that lands on one moves to the next
	// open day. CadenceOf leaves it with federal holidays only; callers
	// that read the tenant's closures (tenants.LoadCalendar) set it.
	Closed calendar.Calendar
}

// CadenceOf reads the cadence from an organisation's settings.
func CadenceOf(s tenants.Settings) Cadence {
	return Cadence{
		HighDays: s.CadenceHighDays, ModerateDays: s.CadenceModerateDays, LowDays: s.CadenceLowDays,
		FirstContactBusinessDays: s.FirstContactBusinessDays,
	}
}

// Days is the number of days a patient of the tier may go without a
// successful contact.
func (c Cadence) Days(tier patients.RiskTier) int {
	switch tier {
	case patients.High:
		return c.HighDays
	case patients.Low:
		return c.LowDays
	}
	return c.ModerateDays
}

// ContactState is what the cadence rules need to know of one patient.
type ContactState struct {
	Tier patients.RiskTier
	// Referred is the referral date, or the day the patient was taken in
	// when the referral date is unknown.
	Referred time.Time
	// LastReached is the last successful contact with the patient, nil
	// when nobody has reached them yet.
	LastReached *time.Time
}

// NextDue is the day by which the patient must next be reached, as a date
// (midnight UTC of the calendar day). A patient never reached is due within
// the first-contact business days of their referral; after that, the
// tier's number of calendar days after the last successful contact, counted
// on the calendar of loc, or the next open day when that one is closed.
func (c Cadence) NextDue(s ContactState, loc *time.Location) (due time.Time, first bool) {
	if s.LastReached == nil {
		return calendar.AddBusinessDays(c.Closed, calendar.DateOf(s.Referred), c.FirstContactBusinessDays), true
	}
	return c.ReachDue(calendar.DateOf(s.LastReached.In(loc)), s.Tier), false
}

// ReachDue is when a patient of tier last reached on date last must be
// reached again: the tier's days later, or the next open day.
func (c Cadence) ReachDue(last time.Time, tier patients.RiskTier) time.Time {
	return c.Closed.NextOpen(last.AddDate(0, 0, c.Days(tier)))
}
