package assessments

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestGAD7_TotalFallsInPublishedBand(t *testing.T) {
	t.Parallel()
	gad7 := mustCurrent(t, "GAD-7")
	tests := []struct {
		name     string
		items    []int // points of items 1–7
		total    int
		band     string
		severity Severity
	}{
		{"all not at all", []int{0, 0, 0, 0, 0, 0, 0}, 0, "Minimal", SeverityLow},
		{"top of minimal", []int{1, 1, 1, 1, 0, 0, 0}, 4, "Minimal", SeverityLow},
		{"bottom of mild", []int{1, 1, 1, 1, 1, 0, 0}, 5, "Mild", SeverityMild},
		{"top of mild", []int{3, 3, 3, 0, 0, 0, 0}, 9, "Mild", SeverityMild},
		{"bottom of moderate", []int{2, 2, 2, 2, 2, 0, 0}, 10, "Moderate", SeverityModerate},
		{"top of moderate", []int{2, 2, 2, 2, 2, 2, 2}, 14, "Moderate", SeverityModerate},
		{"bottom of severe", []int{3, 3, 3, 3, 3, 0, 0}, 15, "Severe", SeveritySevere},
		{"all nearly every day", []int{3, 3, 3, 3, 3, 3, 3}, 21, "Severe", SeveritySevere},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := mustScore(t, gad7, itemAnswers(t, tt.items...))
			type summary struct {
				Total    int
				Band     string
				Severity Severity
				Alerts   []string
			}
			want := summary{tt.total, tt.band, tt.severity, nil}
			got := summary{r.Total, r.Band.Label, r.Band.Severity, r.Alerts}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("items %v (-want +got):\n%s", tt.items, diff)
			}
		})
	}
}
