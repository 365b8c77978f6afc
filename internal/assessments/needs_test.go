package assessments

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestProposedNeeds_FollowBandsAndPositiveDomains(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		code    string
		answers Answers
		want    []NeedProposal
	}{
		{"PHQ-9 mild proposes nothing", "PHQ-9",
			itemAnswers(t, 1, 1, 1, 1, 1, 1, 1, 1, 0), nil},
		{"PHQ-9 moderate proposes mental health", "PHQ-9",
			itemAnswers(t, 2, 2, 2, 2, 2, 2, 2, 0, 0),
			[]NeedProposal{{Need: NeedMentalHealth, Description: "Depression symptoms (PHQ-9 14, moderate)"}}},
		{"PHQ-9 severe proposes mental health", "PHQ-9",
			itemAnswers(t, 3, 3, 3, 3, 3, 3, 3, 3, 3),
			[]NeedProposal{{Need: NeedMentalHealth, Description: "Depression symptoms (PHQ-9 27, severe)"}}},
		{"GAD-7 mild proposes nothing", "GAD-7",
			itemAnswers(t, 3, 3, 3, 0, 0, 0, 0), nil},
		{"GAD-7 moderate proposes mental health", "GAD-7",
			itemAnswers(t, 2, 2, 2, 2, 2, 0, 0),
			[]NeedProposal{{Need: NeedMentalHealth, Description: "Anxiety symptoms (GAD-7 10, moderate)"}}},
		{"LACE moderate proposes nothing", "LACE",
			laceAnswers("3", "emergent", "3", "0"), nil},
		{"LACE high proposes medical", "LACE",
			laceAnswers("7to13", "emergent", "0", "2"),
			[]NeedProposal{{Need: NeedMedical, Description: "Readmission risk (LACE 10, high)"}}},
		{"AHC negative proposes nothing", "AHC-HRSN",
			ahcAnswers(nil), nil},
		{"AHC positive domains propose their needs, housing once", "AHC-HRSN",
			ahcAnswers(Answers{
				"q1": {"worried"}, "q2": {"mold"}, "q3": {"often"}, "q5": {"yes"}, "q6": {"shut_off"},
				"q7": {"rarely"}, "q8": {"sometimes"}, "q9": {"sometimes"}, "q10": {"sometimes"},
			}),
			[]NeedProposal{
				{Need: NeedHousing, Description: "Housing instability; Housing quality (AHC-HRSN positive)"},
				{Need: NeedFood, Description: "Food insecurity (AHC-HRSN positive)"},
				{Need: NeedTransportation, Description: "Transportation problems (AHC-HRSN positive)"},
				{Need: NeedUtilities, Description: "Utility help needs (AHC-HRSN positive)"},
				{Need: NeedSafety, Description: "Interpersonal safety (AHC-HRSN positive)"},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := mustScore(t, mustCurrent(t, tt.code), tt.answers)
			if diff := cmp.Diff(tt.want, r.ProposedNeeds()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
