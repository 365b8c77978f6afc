package contacts

import (
	"time"

	"carecoord/internal/patients"
	"carecoord/internal/tenants"
)

// Cadence is how often an organisation contacts its patients: a number of
// days between successful contacts by risk tier, and a number of business
// days within which a new referral gets its first.
type Cadence struct {
	HighDays, ModerateDays, LowDays int
	FirstContactBusinessDays        int
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
// on the calendar of loc.
func (c Cadence) NextDue(s ContactState, loc *time.Location) (due time.Time, first bool) {
	if s.LastReached == nil {
		return AddBusinessDays(dateOf(s.Referred), c.FirstContactBusinessDays), true
	}
	return dateOf(s.LastReached.In(loc)).AddDate(0, 0, c.Days(s.Tier)), false
}

// AddBusinessDays is the date n business days after day. Business days are
// Monday to Friday; public holidays are not counted as days off, because
// they differ by organisation and place and CareCoord does not know them
// yet. A referral that arrives at the weekend counts from Monday: two
// business days after a Saturday is the Tuesday.
func AddBusinessDays(day time.Time, n int) time.Time {
	d := dateOf(day)
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return d
}

// dateOf is midnight UTC of t's calendar day in t's own location, so days
// compare without hours or zones getting in the way.
func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
