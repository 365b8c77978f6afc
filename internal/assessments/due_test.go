package assessments

import (
	"testing"
	"time"
)

func day(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDueDate_FollowsInstrumentAndSeverity(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		last      LastResult
		wantDue   string // "" when not on a schedule
		scheduled bool
	}{
		{"PHQ-9 moderate is due 90 days later", LastResult{"PHQ-9", day(t, "2026-03-03"), SeverityModerate}, "2026-06-01", true},
		{"PHQ-9 severe is due 90 days later", LastResult{"PHQ-9", day(t, "2026-03-03"), SeveritySevere}, "2026-06-01", true},
		{"PHQ-9 mild is not scheduled", LastResult{"PHQ-9", day(t, "2026-03-03"), SeverityMild}, "", false},
		{"PHQ-9 minimal is not scheduled", LastResult{"PHQ-9", day(t, "2026-03-03"), SeverityLow}, "", false},
		{"GAD-7 moderate is due 90 days later", LastResult{"GAD-7", day(t, "2026-03-03"), SeverityModerate}, "2026-06-01", true},
		{"GAD-7 mild is not scheduled", LastResult{"GAD-7", day(t, "2026-03-03"), SeverityMild}, "", false},
		{"90 days spans a leap day", LastResult{"PHQ-9", day(t, "2028-01-15"), SeverityHigh}, "2028-04-14", true},
		{"AHC-HRSN is due 12 months later", LastResult{"AHC-HRSN", day(t, "2026-03-03"), SeverityLow}, "2027-03-03", true},
		{"AHC-HRSN 12 months across a leap day", LastResult{"AHC-HRSN", day(t, "2027-03-03"), SeverityLow}, "2028-03-03", true},
		{"AHC-HRSN from a leap day rolls to 1 March", LastResult{"AHC-HRSN", day(t, "2028-02-29"), SeverityLow}, "2029-03-01", true},
		{"LACE is never scheduled", LastResult{"LACE", day(t, "2026-03-03"), SeverityHigh}, "", false},
		{"unknown instrument is never scheduled", LastResult{"XYZ", day(t, "2026-03-03"), SeveritySevere}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			due, ok := DefaultDueRules().DueDate(tt.last)
			if ok != tt.scheduled {
				t.Fatalf("DueDate(%+v) scheduled = %v, want %v", tt.last, ok, tt.scheduled)
			}
			if !ok {
				if !due.IsZero() {
					t.Errorf("DueDate(%+v) = %v with false, want zero time", tt.last, due)
				}
				return
			}
			if got := due.Format("2006-01-02"); got != tt.wantDue {
				t.Errorf("DueDate(%+v) = %s, want %s", tt.last, got, tt.wantDue)
			}
		})
	}
}

func TestOverdue_OnlyAfterTheDueDay(t *testing.T) {
	t.Parallel()
	completed := day(t, "2026-03-03")
	moderate := LastResult{"PHQ-9", completed.Add(15 * time.Hour), SeverityModerate}
	mild := LastResult{"PHQ-9", completed, SeverityMild}
	social := LastResult{"AHC-HRSN", completed, SeverityLow}
	lace := LastResult{"LACE", completed, SeverityHigh}
	tests := []struct {
		name  string
		last  LastResult
		today time.Time
		want  bool
	}{
		{"moderate, day 89", moderate, completed.AddDate(0, 0, 89), false},
		{"moderate, day 90 is due, not overdue", moderate, completed.AddDate(0, 0, 90).Add(23 * time.Hour), false},
		{"moderate, day 91", moderate, completed.AddDate(0, 0, 91), true},
		{"mild, day 91", mild, completed.AddDate(0, 0, 91), false},
		{"mild, years later", mild, completed.AddDate(3, 0, 0), false},
		{"social, the day before 12 months", social, day(t, "2027-03-02"), false},
		{"social, 12 months exactly", social, day(t, "2027-03-03"), false},
		{"social, the day after 12 months", social, day(t, "2027-03-04"), true},
		{"LACE, years later", lace, completed.AddDate(3, 0, 0), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := DefaultDueRules().Overdue(tt.last, tt.today); got != tt.want {
				t.Errorf("Overdue(%+v, %s) = %v, want %v", tt.last, tt.today.Format(time.DateTime), got, tt.want)
			}
		})
	}
}

func TestDueDate_IgnoresDaylightSavingChange(t *testing.T) {
	t.Parallel()
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	// Completed just before midnight in winter; 90 days later is summer
	// time, where adding 2160 hours would land on the next day at 00:30.
	last := LastResult{"GAD-7", time.Date(2026, 1, 10, 23, 30, 0, 0, london), SeverityModerate}
	due, _ := DefaultDueRules().DueDate(last)
	if got, want := due.Format("2006-01-02"), "2026-04-10"; got != want {
		t.Errorf("DueDate = %s, want %s", got, want)
	}
}
