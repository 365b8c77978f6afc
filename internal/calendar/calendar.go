// Package calendar holds CareCoord's sense of time: the one clock every
// use case reads, the ways dates are written, and counting days (business
// days, the end of a day a task is due by).
package calendar

import (
	"errors"
	"time"
)

// Clock tells the time. The server's is time.Now; tests and the demo
// loader pass a fixed or moving instant, so every rule that depends on
// "now" can be checked at any moment.
type Clock func() time.Time

// System is the real clock.
var System Clock = time.Now

// How dates and times are written. Dates travel in forms, URLs and CSV as
// DateLayout (<input type="date">); pages show them in the other layouts.
const (
	DateLayout  = "2006-01-02"
	Day         = "2 Jan 2006"
	ShortDay    = "2 Jan"
	WeekdayDay  = "Mon 2 Jan 2006"
	LongWeekday = "Monday 2 January 2006"
	DayTime     = "2 Jan 2006, 15:04"
	WeekdayTime = "Mon 2 Jan 2006, 15:04"
	// DateTimeLocal is a moment as <input type="datetime-local"> sends it.
	DateTimeLocal = "2006-01-02T15:04"
	// Stamp is a moment for operators (migration status).
	Stamp = "2006-01-02 15:04:05"
	// LooseDate and USDate are dates as people type them into a search.
	LooseDate = "2006-1-2"
	USDate    = "1/2/2006"
	// ICalUTC is a moment in UTC as iCalendar (RFC 5545) writes it.
	ICalUTC = "20060102T150405Z"
	// ShortWeekdayTime is a moment within the next few days.
	ShortWeekdayTime = "Mon 2 Jan, 15:04"
	// DayTimeSeconds is a moment to the second (the audit log).
	DayTimeSeconds = "2 Jan 2006, 15:04:05"
	// TimeOfDay is a moment of today.
	TimeOfDay = "15:04"
)

// ParseDate reads a date written as DateLayout, at midnight UTC. A date
// before FirstYear or after LastYear is ErrDateOutOfRange: no date
// CareCoord keeps (a birth, a consent, an appointment, a due date) lies
// there, and 0001-01-01 or 9999-12-31 is a slip or a probe.
func ParseDate(s string) (time.Time, error) {
	d, err := time.Parse(DateLayout, s)
	if err == nil && (d.Year() < FirstYear || d.Year() > LastYear) {
		return time.Time{}, ErrDateOutOfRange
	}
	return d, err
}

// The years a date may fall in (see ParseDate).
const (
	FirstYear = 1900
	LastYear  = 2199
)

// ErrDateOutOfRange is a well-formed date outside FirstYear to LastYear.
var ErrDateOutOfRange = errors.New("date out of range")

// OutOfRangeMessage says what is wrong with a date ParseDate refused as
// ErrDateOutOfRange, beside its field.
const OutOfRangeMessage = "Enter a date between 1900 and 2199; check the year."

// EndOfDay is the last second of t's day in t's location: the due time of
// something that must be done that day.
func EndOfDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 23, 59, 59, 0, t.Location())
}

// EndOfDate is the end of a date's day (a date as ParseDate returns it) on
// loc's clock.
func EndOfDate(d time.Time, loc *time.Location) time.Time {
	return EndOfDay(time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc))
}

// DateOf is midnight UTC of t's calendar day in t's own location, so days
// compare without hours or zones getting in the way.
func DateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// AddBusinessDays is the date n business days after day on c: days the
// organisation is open (see Calendar.Open). A referral that arrives on a
// closed day counts from the next open one: two business days after a
// Saturday is the Tuesday, and one after Wednesday 25 November 2026 is
// Friday 27, past Thanksgiving.
func AddBusinessDays(c Calendar, day time.Time, n int) time.Time {
	d := DateOf(day)
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if c.Open(d) {
			n--
		}
	}
	return d
}

// Cutoff is the earliest date whose due date (by due, which must only
// grow with its date) is still today or later: dates before it are
// overdue today. It steps back from start, a date known to be on time.
func Cutoff(start, today time.Time, due func(time.Time) time.Time) time.Time {
	cut := start
	for due(cut.AddDate(0, 0, -1)).Compare(today) >= 0 {
		cut = cut.AddDate(0, 0, -1)
	}
	return cut
}
