package calendar

import (
	"slices"
	"sync"
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/us"
)

// Calendar says which days an organisation is open: Monday to Friday,
// except the US federal holidays on the days they are observed and the
// organisation's own closure days. The zero Calendar has no closures.
type Calendar struct {
	// closures are the organisation's own closed days, by date (midnight
	// UTC), with their names.
	closures map[time.Time]string
}

// NewCalendar is the calendar of an organisation closed on the dates of
// closures (midnight UTC, as ParseDate reads them) besides weekends and
// federal holidays.
func NewCalendar(closures map[time.Time]string) Calendar {
	return Calendar{closures: closures}
}

// Open reports whether the organisation works on date d.
func (c Calendar) Open(d time.Time) bool {
	_, closed := c.Closed(d)
	return !closed
}

// Closed says why the organisation does not work on date d ("Saturday",
// "Thanksgiving Day", a closure's name), or false when it does.
func (c Calendar) Closed(d time.Time) (string, bool) {
	d = DateOf(d)
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return wd.String(), true
	}
	if name, ok := c.closures[d]; ok {
		return name, true
	}
	name, ok := FederalHoliday(d)
	return name, ok
}

// NextOpen is d when the organisation works that day, or else the next day
// it does: where a count of calendar days lands on a closed day, the work
// is due on the next open one, as teams expect.
func (c Calendar) NextOpen(d time.Time) time.Time {
	d = DateOf(d)
	for !c.Open(d) {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

// FederalHoliday names the US federal holiday observed on date d, if one
// is: the eleven of 5 U.S.C. 6103(a), moved to the Friday before when they
// fall on a Saturday and to the Monday after on a Sunday (Executive Order
// 11582; OPM's federal holiday rules), as github.com/rickar/cal/v2/us
// computes them. A Saturday New Year's Day is observed on the Friday
// before, in the year before.
func FederalHoliday(d time.Time) (string, bool) {
	name, ok := holidaysOf(d.Year())[DateOf(d)]
	return name, ok
}

// observed holds the federal holidays of each year asked so far, by date.
var observed sync.Map

// holidaysOf is the federal holidays observed in year, by date (midnight
// UTC): this year's, and next New Year's Day when it is observed now.
func holidaysOf(year int) map[time.Time]string {
	if m, ok := observed.Load(year); ok {
		return m.(map[time.Time]string)
	}
	m := map[time.Time]string{}
	for _, y := range []int{year, year + 1} {
		for _, h := range us.Holidays {
			if h.Type != cal.ObservancePublic {
				continue
			}
			_, obs := h.Calc(y)
			if !obs.IsZero() && obs.Year() == year {
				m[DateOf(obs)] = h.Name
			}
		}
	}
	observed.Store(year, m)
	return m
}

// Holiday is a federal holiday on the day it is observed.
type Holiday struct {
	Day  time.Time
	Name string
}

// FederalHolidays lists the federal holidays observed in year, in order.
func FederalHolidays(year int) []Holiday {
	var out []Holiday
	for d, name := range holidaysOf(year) {
		out = append(out, Holiday{Day: d, Name: name})
	}
	slices.SortFunc(out, func(a, b Holiday) int { return a.Day.Compare(b.Day) })
	return out
}
