package calendar_test

import (
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
		// Holidays are not known, so a bank holiday Monday counts.
		{"Christmas counts as a business day", "2026-12-24", 1, "2026-12-25"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := calendar.AddBusinessDays(day(tt.from), tt.n); !got.Equal(day(tt.want)) {
				t.Errorf("AddBusinessDays(%s, %d) = %s, want %s", tt.from, tt.n, got.Format("Mon 2006-01-02"), tt.want)
			}
		})
	}
}
