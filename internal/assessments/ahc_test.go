package assessments

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// ahcAnswers is a screen negative in every domain, with changes applied.
func ahcAnswers(changes Answers) Answers {
	a := Answers{
		"q1":  {"steady"},
		"q2":  {"none"},
		"q3":  {"never"},
		"q4":  {"never"},
		"q5":  {"no"},
		"q6":  {"no"},
		"q7":  {"never"},
		"q8":  {"never"},
		"q9":  {"never"},
		"q10": {"never"},
	}
	for q, chosen := range changes {
		a[q] = chosen
	}
	return a
}

func domainCodes(ds []Domain) []string {
	var codes []string
	for _, d := range ds {
		codes = append(codes, d.Code)
	}
	return codes
}

func TestAHC_EachDomainIsPositiveByItsPublishedRule(t *testing.T) {
	t.Parallel()
	ahc := mustCurrent(t, "AHC-HRSN")
	tests := []struct {
		name    string
		changes Answers
		want    []string
	}{
		{"negative everywhere", nil, nil},

		{"living: steady place", Answers{"q1": {"steady"}}, nil},
		{"living: worried about losing it", Answers{"q1": {"worried"}}, []string{"housing_instability"}},
		{"living: no steady place", Answers{"q1": {"not_steady"}}, []string{"housing_instability"}},

		{"housing quality: none of the above", Answers{"q2": {"none"}}, nil},
		{"housing quality: mold", Answers{"q2": {"mold"}}, []string{"housing_quality"}},
		{"housing quality: pests, lead, water leaks", Answers{"q2": {"pests", "lead", "water_leaks"}}, []string{"housing_quality"}},
		{"housing quality: every problem", Answers{"q2": {"pests", "mold", "lead", "heat", "oven", "smoke_detectors", "water_leaks"}}, []string{"housing_quality"}},

		{"food: never true twice", Answers{"q3": {"never"}, "q4": {"never"}}, nil},
		{"food: worried, sometimes true", Answers{"q3": {"sometimes"}}, []string{"food"}},
		{"food: worried, often true", Answers{"q3": {"often"}}, []string{"food"}},
		{"food: didn't last, sometimes true", Answers{"q4": {"sometimes"}}, []string{"food"}},
		{"food: didn't last, often true", Answers{"q4": {"often"}}, []string{"food"}},

		{"transportation: no", Answers{"q5": {"no"}}, nil},
		{"transportation: yes", Answers{"q5": {"yes"}}, []string{"transportation"}},

		{"utilities: no", Answers{"q6": {"no"}}, nil},
		{"utilities: threatened", Answers{"q6": {"yes"}}, []string{"utilities"}},
		{"utilities: already shut off", Answers{"q6": {"shut_off"}}, []string{"utilities"}},

		// Never=1 Rarely=2 Sometimes=3 Fairly often=4 Frequently=5.
		{"safety: sum 4, all never", Answers{"q7": {"never"}, "q8": {"never"}, "q9": {"never"}, "q10": {"never"}}, nil},
		{"safety: sum 10 (1+3+3+3)", Answers{"q7": {"never"}, "q8": {"sometimes"}, "q9": {"sometimes"}, "q10": {"sometimes"}}, nil},
		{"safety: sum 10 (1+4+1+4)", Answers{"q7": {"never"}, "q8": {"fairly_often"}, "q9": {"never"}, "q10": {"fairly_often"}}, nil},
		{"safety: sum 11 (2+3+3+3)", Answers{"q7": {"rarely"}, "q8": {"sometimes"}, "q9": {"sometimes"}, "q10": {"sometimes"}}, []string{"safety"}},
		{"safety: sum 11 (1+5+1+4)", Answers{"q7": {"never"}, "q8": {"frequently"}, "q9": {"never"}, "q10": {"fairly_often"}}, []string{"safety"}},
		{"safety: sum 20, all frequently", Answers{"q7": {"frequently"}, "q8": {"frequently"}, "q9": {"frequently"}, "q10": {"frequently"}}, []string{"safety"}},

		{"several domains, in definition order",
			Answers{"q1": {"worried"}, "q2": {"heat"}, "q4": {"often"}, "q6": {"shut_off"}},
			[]string{"housing_instability", "housing_quality", "food", "utilities"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := mustScore(t, ahc, ahcAnswers(tt.changes))
			if r.HasTotal {
				t.Errorf("HasTotal = true, want false: the AHC screen has no total")
			}
			if diff := cmp.Diff(tt.want, domainCodes(r.PositiveDomains)); diff != "" {
				t.Errorf("positive domains (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAHC_PositiveSafetyDomainRaisesSafetyAlert(t *testing.T) {
	t.Parallel()
	ahc := mustCurrent(t, "AHC-HRSN")
	tests := []struct {
		name    string
		changes Answers
		want    []string
	}{
		{"sum 10", Answers{"q7": {"never"}, "q8": {"sometimes"}, "q9": {"sometimes"}, "q10": {"sometimes"}}, nil},
		{"sum 11", Answers{"q7": {"rarely"}, "q8": {"sometimes"}, "q9": {"sometimes"}, "q10": {"sometimes"}}, []string{AlertSafety}},
		{"other domains positive, safety negative", Answers{"q1": {"not_steady"}, "q3": {"often"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := mustScore(t, ahc, ahcAnswers(tt.changes))
			if diff := cmp.Diff(tt.want, r.Alerts); diff != "" {
				t.Errorf("alerts (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAHC_InterpretationNamesPositiveDomains(t *testing.T) {
	t.Parallel()
	ahc := mustCurrent(t, "AHC-HRSN")
	tests := []struct {
		name    string
		changes Answers
		want    string
	}{
		{"none", nil, "No health-related social needs identified on this screen."},
		{"food and transportation", Answers{"q3": {"sometimes"}, "q5": {"yes"}},
			"Positive for: Food insecurity; Transportation problems. Ask the patient which of these they would like help with."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := mustScore(t, ahc, ahcAnswers(tt.changes))
			if diff := cmp.Diff(tt.want, r.Interpretation); diff != "" {
				t.Errorf("interpretation (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAHC_NoneOfTheAboveCannotBeCombinedWithAProblem(t *testing.T) {
	t.Parallel()
	ahc := mustCurrent(t, "AHC-HRSN")
	err := ahc.Validate(Answers{"q2": {"mold", "none"}})
	want := []FieldError{{QuestionID: "q2", Message: `"None of the above" can't be chosen together with other answers.`}}
	if diff := cmp.Diff(want, problemsOf(t, err)); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}
