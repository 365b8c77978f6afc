package assessments

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPHQ9_TotalFallsInPublishedBand(t *testing.T) {
	t.Parallel()
	phq9 := mustCurrent(t, "PHQ-9")
	tests := []struct {
		name     string
		items    []int // points of items 1–9
		total    int
		band     string
		severity Severity
	}{
		{"all not at all", []int{0, 0, 0, 0, 0, 0, 0, 0, 0}, 0, "Minimal", SeverityLow},
		{"top of minimal", []int{1, 1, 1, 1, 0, 0, 0, 0, 0}, 4, "Minimal", SeverityLow},
		{"bottom of mild", []int{1, 1, 1, 1, 1, 0, 0, 0, 0}, 5, "Mild", SeverityMild},
		{"top of mild", []int{3, 3, 3, 0, 0, 0, 0, 0, 0}, 9, "Mild", SeverityMild},
		{"bottom of moderate", []int{2, 2, 2, 2, 2, 0, 0, 0, 0}, 10, "Moderate", SeverityModerate},
		{"top of moderate", []int{2, 2, 2, 2, 2, 2, 2, 0, 0}, 14, "Moderate", SeverityModerate},
		{"bottom of moderately severe", []int{3, 3, 3, 3, 3, 0, 0, 0, 0}, 15, "Moderately severe", SeverityHigh},
		{"top of moderately severe", []int{3, 3, 3, 3, 3, 2, 2, 0, 0}, 19, "Moderately severe", SeverityHigh},
		{"bottom of severe", []int{3, 3, 3, 3, 3, 3, 2, 0, 0}, 20, "Severe", SeveritySevere},
		{"all nearly every day", []int{3, 3, 3, 3, 3, 3, 3, 3, 3}, 27, "Severe", SeveritySevere},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := mustScore(t, phq9, itemAnswers(t, tt.items...))
			type summary struct {
				Total    int
				HasTotal bool
				Band     string
				Severity Severity
			}
			want := summary{tt.total, true, tt.band, tt.severity}
			got := summary{r.Total, r.HasTotal, r.Band.Label, r.Band.Severity}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("items %v (-want +got):\n%s", tt.items, diff)
			}
		})
	}
}

func TestPHQ9_AnyAnswerAboveZeroOnItem9RaisesSafetyAlert(t *testing.T) {
	t.Parallel()
	phq9 := mustCurrent(t, "PHQ-9")
	tests := []struct {
		name  string
		items []int
		want  []string
	}{
		{"item 9 not at all", []int{3, 3, 3, 3, 3, 3, 3, 3, 0}, nil},
		{"item 9 several days, total minimal", []int{0, 0, 0, 0, 0, 0, 0, 0, 1}, []string{AlertSafety}},
		{"item 9 more than half the days", []int{0, 0, 0, 0, 0, 0, 0, 0, 2}, []string{AlertSafety}},
		{"item 9 nearly every day", []int{0, 0, 0, 0, 0, 0, 0, 0, 3}, []string{AlertSafety}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := mustScore(t, phq9, itemAnswers(t, tt.items...))
			if diff := cmp.Diff(tt.want, r.Alerts); diff != "" {
				t.Errorf("alerts (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPHQ9_SafetyAlertIsInTheInterpretation(t *testing.T) {
	t.Parallel()
	r := mustScore(t, mustCurrent(t, "PHQ-9"), itemAnswers(t, 0, 0, 0, 0, 0, 0, 0, 0, 1))
	want := "Minimal depression symptoms reported. No follow-up is suggested by this score alone. " +
		"Safety alert: review this result today and follow your organisation's safety protocol."
	if diff := cmp.Diff(want, r.Interpretation); diff != "" {
		t.Errorf("interpretation (-want +got):\n%s", diff)
	}
}

func TestPHQ9_SafetyAlertShowsOnIncompleteAnswers(t *testing.T) {
	t.Parallel()
	phq9 := mustCurrent(t, "PHQ-9")
	a := Answers{"q9": {"several_days"}}
	if diff := cmp.Diff([]string{AlertSafety}, phq9.Alerts(a)); diff != "" {
		t.Errorf("alerts (-want +got):\n%s", diff)
	}
}

func TestPHQ9_DifficultyQuestionIsOptionalAndUnscored(t *testing.T) {
	t.Parallel()
	phq9 := mustCurrent(t, "PHQ-9")
	without := itemAnswers(t, 1, 1, 1, 1, 1, 0, 0, 0, 0)
	with := itemAnswers(t, 1, 1, 1, 1, 1, 0, 0, 0, 0)
	with["difficulty"] = []string{"extremely"}

	if got := phq9.Missing(without); len(got) != 0 {
		t.Errorf("Missing without difficulty = %v, want none", got)
	}
	if got, want := mustScore(t, phq9, with).Total, mustScore(t, phq9, without).Total; got != want {
		t.Errorf("total with difficulty = %d, without = %d; want equal", got, want)
	}
}
