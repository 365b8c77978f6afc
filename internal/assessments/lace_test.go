package assessments

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// laceAnswers answers the four LACE components by option ID.
func laceAnswers(lengthOfStay, acuity, comorbidity, edVisits string) Answers {
	return Answers{
		"length_of_stay": {lengthOfStay},
		"acuity":         {acuity},
		"comorbidity":    {comorbidity},
		"ed_visits":      {edVisits},
	}
}

func TestLACE_EachComponentScoresThePublishedPoints(t *testing.T) {
	t.Parallel()
	lace := mustCurrent(t, "LACE")
	// Every other component is at its zero-point option, so the total is
	// the component's points.
	tests := []struct {
		name    string
		answers Answers
		points  int
	}{
		{"stay under 1 day", laceAnswers("lt1", "elective", "0", "0"), 0},
		{"stay 1 day", laceAnswers("1", "elective", "0", "0"), 1},
		{"stay 2 days", laceAnswers("2", "elective", "0", "0"), 2},
		{"stay 3 days", laceAnswers("3", "elective", "0", "0"), 3},
		{"stay 4-6 days", laceAnswers("4to6", "elective", "0", "0"), 4},
		{"stay 7-13 days", laceAnswers("7to13", "elective", "0", "0"), 5},
		{"stay 14 days or more", laceAnswers("14plus", "elective", "0", "0"), 7},
		{"elective admission", laceAnswers("lt1", "elective", "0", "0"), 0},
		{"emergent admission", laceAnswers("lt1", "emergent", "0", "0"), 3},
		{"charlson 0", laceAnswers("lt1", "elective", "0", "0"), 0},
		{"charlson 1", laceAnswers("lt1", "elective", "1", "0"), 1},
		{"charlson 2", laceAnswers("lt1", "elective", "2", "0"), 2},
		{"charlson 3", laceAnswers("lt1", "elective", "3", "0"), 3},
		{"charlson 4 or more", laceAnswers("lt1", "elective", "4plus", "0"), 5},
		{"no ED visits", laceAnswers("lt1", "elective", "0", "0"), 0},
		{"1 ED visit", laceAnswers("lt1", "elective", "0", "1"), 1},
		{"2 ED visits", laceAnswers("lt1", "elective", "0", "2"), 2},
		{"3 ED visits", laceAnswers("lt1", "elective", "0", "3"), 3},
		{"4 or more ED visits", laceAnswers("lt1", "elective", "0", "4plus"), 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := mustScore(t, lace, tt.answers).Total; got != tt.points {
				t.Errorf("total = %d, want %d", got, tt.points)
			}
		})
	}
}

func TestLACE_TotalFallsInPublishedBand(t *testing.T) {
	t.Parallel()
	lace := mustCurrent(t, "LACE")
	tests := []struct {
		name     string
		answers  Answers
		total    int
		band     string
		severity Severity
	}{
		{"nothing", laceAnswers("lt1", "elective", "0", "0"), 0, "Low", SeverityLow},
		{"top of low: 4-6 days", laceAnswers("4to6", "elective", "0", "0"), 4, "Low", SeverityLow},
		{"bottom of moderate: 2 days, emergent", laceAnswers("2", "emergent", "0", "0"), 5, "Moderate", SeverityModerate},
		{"top of moderate: 3 days, emergent, charlson 3", laceAnswers("3", "emergent", "3", "0"), 9, "Moderate", SeverityModerate},
		{"bottom of high: 7-13 days, emergent, 2 ED visits", laceAnswers("7to13", "emergent", "0", "2"), 10, "High", SeverityHigh},
		{"every component at its maximum", laceAnswers("14plus", "emergent", "4plus", "4plus"), 19, "High", SeverityHigh},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := mustScore(t, lace, tt.answers)
			type summary struct {
				Total    int
				Band     string
				Severity Severity
			}
			want := summary{tt.total, tt.band, tt.severity}
			got := summary{r.Total, r.Band.Label, r.Band.Severity}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
