package assessments

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestCounted_AmendmentReplacesTheOriginalAndErrorsNeverCount(t *testing.T) {
	t.Parallel()
	day := func(n int) *time.Time { d := time.Date(2026, 1, n, 9, 0, 0, 0, time.UTC); return &d }
	sev := func(s Severity) *int { n := int(s); return &n }
	list := []Assessment{
		{ID: "orig", Code: "PHQ-9", Status: Completed, CompletedAt: day(1), Severity: sev(SeverityModerate)},
		{ID: "fix", Code: "PHQ-9", Status: Completed, CompletedAt: day(2), AmendsID: "orig", Severity: sev(SeverityMild)},
		{ID: "wrong", Code: "PHQ-9", Status: EnteredInError, CompletedAt: day(5), Severity: sev(SeveritySevere)},
		{ID: "screen", Code: "AHC-HRSN", Status: Completed, CompletedAt: day(3)},
		{ID: "draft", Code: "AHC-HRSN", Status: InProgress, AmendsID: "screen"},
	}
	var ids []string
	for _, a := range Counted(list) {
		ids = append(ids, a.ID)
	}
	if diff := cmp.Diff([]string{"fix", "screen"}, ids); diff != "" {
		t.Errorf("counted (-want +got):\n%s", diff)
	}
	want := map[string]LastResult{
		"PHQ-9":    {Code: "PHQ-9", CompletedAt: *day(2), Severity: SeverityMild},
		"AHC-HRSN": {Code: "AHC-HRSN", CompletedAt: *day(3)},
	}
	if diff := cmp.Diff(want, LatestResults(list)); diff != "" {
		t.Errorf("latest (-want +got):\n%s", diff)
	}
}

func TestResultSummary_SaysTheScoreOrTheDomainsAndTheAlert(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		res  Result
		want string
	}{
		{"total", Result{Code: "PHQ-9", HasTotal: true, Total: 14, Band: Band{Label: "Moderate"}}, "PHQ-9 completed: 14, moderate"},
		{"no domains", Result{Code: "AHC-HRSN"}, "AHC-HRSN completed: no needs identified"},
		{"domains and alert", Result{Code: "AHC-HRSN", PositiveDomains: []Domain{{Label: "Food insecurity"}, {Label: "Interpersonal safety"}},
			Alerts: []string{AlertSafety}}, "AHC-HRSN completed: positive for Food insecurity, Interpersonal safety (safety alert)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.res.Summary(); got != tt.want {
				t.Errorf("Summary() = %q, want %q", got, tt.want)
			}
		})
	}
}
