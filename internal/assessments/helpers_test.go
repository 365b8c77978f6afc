package assessments

import (
	"fmt"
	"testing"
)

// frequencyIDs are the option IDs of the PHQ/GAD scale, by points.
var frequencyIDs = []string{"not_at_all", "several_days", "more_than_half", "nearly_every_day"}

// itemAnswers answers q1, q2, … with the frequency option worth points[i].
func itemAnswers(t *testing.T, points ...int) Answers {
	t.Helper()
	a := Answers{}
	for i, p := range points {
		a[fmt.Sprintf("q%d", i+1)] = []string{frequencyIDs[p]}
	}
	return a
}

func mustCurrent(t *testing.T, code string) Instrument {
	t.Helper()
	in, ok := Current(code)
	if !ok {
		t.Fatalf("Current(%q): not registered", code)
	}
	return in
}

func mustScore(t *testing.T, in Instrument, a Answers) Result {
	t.Helper()
	r, err := in.Score(a)
	if err != nil {
		t.Fatalf("%s Score(%v): %v", in.Code, a, err)
	}
	return r
}
