package calendar_test

import (
	"strings"
	"testing"
	"time"

	"carecoord/internal/calendar"
)

func day(s string) time.Time {
	d, err := calendar.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestAddBusinessDays_SkipsWeekends(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, from string
		n          int
		want       string
	}{
		{"Monday plus two is Wednesday", "2026-03-02", 2, "2026-03-04"},
		{"Thursday plus two is Monday", "2026-03-05", 2, "2026-03-09"},
		{"Friday plus two is Tuesday", "2026-03-06", 2, "2026-03-10"},
		{"Saturday plus two is Tuesday", "2026-03-07", 2, "2026-03-10"},
		{"Sunday plus one is Monday", "2026-03-08", 1, "2026-03-09"},
		{"Friday plus five is next Friday", "2026-03-06", 5, "2026-03-13"},
		{"zero days is the same day", "2026-03-07", 0, "2026-03-07"},
		// US federal holidays, observed (OPM): Thanksgiving is Thursday 26
		// November 2026; Independence Day, Saturday 4 July 2026, is
		// observed on Friday 3 July; Christmas is Friday 25 December 2026.
		{"Wednesday before Thanksgiving plus one is Friday", "2026-11-25", 1, "2026-11-27"},
		{"Wednesday before Thanksgiving plus two is Monday", "2026-11-25", 2, "2026-11-30"},
		{"Thursday 2 July plus one skips the observed Independence Day", "2026-07-02", 1, "2026-07-06"},
		{"Christmas Eve plus one skips Christmas and the weekend", "2026-12-24", 1, "2026-12-28"},
		// New Year's Day 2028 is a Saturday, observed on Friday 31 December 2027.
		{"Thursday 30 December 2027 plus one is Monday 3 January", "2027-12-30", 1, "2028-01-03"},
		{"Friday before Memorial Day plus one is Tuesday", "2026-05-22", 1, "2026-05-26"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := calendar.AddBusinessDays(calendar.Calendar{}, day(tt.from), tt.n); !got.Equal(day(tt.want)) {
				t.Errorf("AddBusinessDays(%s, %d) = %s, want %s", tt.from, tt.n, got.Format("Mon 2006-01-02"), tt.want)
			}
		})
	}
}

func TestCalendar_ClosureDaysAreClosedAndDueDatesMoveToTheNextOpenDay(t *testing.T) {
	t.Parallel()
	c := calendar.NewCalendar(map[time.Time]string{day("2026-11-27"): "Day after Thanksgiving", day("2026-12-24"): "Christmas Eve"})
	if name, closed := c.Closed(day("2026-11-27")); !closed || name != "Day after Thanksgiving" {
		t.Errorf("closure: %q, %v", name, closed)
	}
	if name, closed := c.Closed(day("2026-11-26")); !closed || name != "Thanksgiving Day" {
		t.Errorf("Thanksgiving: %q, %v", name, closed)
	}
	if _, closed := c.Closed(day("2026-11-25")); closed {
		t.Error("Wednesday 25 November is closed")
	}
	tests := []struct {
		name, from string
		n          int
		want       string
	}{
		{"Wednesday before Thanksgiving plus one skips the closure too", "2026-11-25", 1, "2026-11-30"},
		{"Wednesday 23 December plus one skips Christmas Eve and Christmas", "2026-12-23", 1, "2026-12-28"},
	}
	for _, tt := range tests {
		if got := calendar.AddBusinessDays(c, day(tt.from), tt.n); !got.Equal(day(tt.want)) {
			t.Errorf("%s: %s, want %s", tt.name, got.Format(calendar.DateLayout), tt.want)
		}
	}
	for from, want := range map[string]string{
		"2026-11-25": "2026-11-25", // open
		"2026-11-26": "2026-11-30", // Thanksgiving, closure, weekend
		"2026-07-03": "2026-07-06", // observed Independence Day, weekend
		"2026-07-04": "2026-07-06",
	} {
		if got := c.NextOpen(day(from)); !got.Equal(day(want)) {
			t.Errorf("NextOpen(%s) = %s, want %s", from, got.Format(calendar.DateLayout), want)
		}
	}
}

func TestFederalHoliday_ObservedDays2026(t *testing.T) {
	t.Parallel()
	// OPM's 2026 federal holidays.
	want := []string{"2026-01-01", "2026-01-19", "2026-02-16", "2026-05-25", "2026-06-19", "2026-07-03",
		"2026-09-07", "2026-10-12", "2026-11-11", "2026-11-26", "2026-12-25"}
	var got []string
	for d := day("2026-01-01"); d.Year() == 2026; d = d.AddDate(0, 0, 1) {
		if _, ok := calendar.FederalHoliday(d); ok {
			got = append(got, d.Format(calendar.DateLayout))
		}
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("holidays %v, want %v", got, want)
	}
}

func TestZone_KnownNamesOnly(t *testing.T) {
	t.Parallel()
	if loc, err := calendar.Zone(""); err != nil || loc.String() != calendar.DefaultZone {
		t.Errorf("empty name: %v, %v", loc, err)
	}
	if _, err := calendar.Zone("Mars/Olympus_Mons"); err == nil {
		t.Error("an unknown zone was loaded")
	}
}
