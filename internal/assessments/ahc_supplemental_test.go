package assessments

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Hand-worked cases of the supplemental domains, from the positive
// answers the CMS AHC-HRSN screening tool (2017) marks for each question;
// see ahc_supplemental.go.
func TestAHC_EachSupplementalDomainIsPositiveByItsPublishedRule(t *testing.T) {
	t.Parallel()
	ahc := mustCurrent(t, "AHC-HRSN")
	tests := []struct {
		name    string
		changes Answers
		want    []string
	}{
		{"supplemental section left out", nil, nil},

		{"financial: not hard at all", Answers{"q11": {"not_hard"}}, nil},
		{"financial: somewhat hard", Answers{"q11": {"somewhat_hard"}}, []string{"financial_strain"}},
		{"financial: very hard", Answers{"q11": {"very_hard"}}, []string{"financial_strain"}},

		{"employment: no help wanted", Answers{"q12": {"no"}}, nil},
		{"employment: help finding work", Answers{"q12": {"help_finding"}}, []string{"employment"}},
		{"employment: help keeping work", Answers{"q12": {"help_keeping"}}, []string{"employment"}},

		{"support: gets all the help", Answers{"q13": {"all_help"}, "q14": {"sometimes"}}, nil},
		{"support: could use a little more help", Answers{"q13": {"little_more"}}, []string{"daily_help"}},
		{"support: needs a lot more help", Answers{"q13": {"lot_more"}}, []string{"daily_help"}},
		{"support: lonely often", Answers{"q14": {"often"}}, []string{"loneliness"}},
		{"support: lonely always", Answers{"q14": {"always"}}, []string{"loneliness"}},

		{"education: no and no", Answers{"q15": {"no"}, "q16": {"no"}}, nil},
		{"education: another language at home", Answers{"q15": {"yes"}, "q16": {"no"}}, []string{"education"}},
		{"education: wants help with school", Answers{"q15": {"no"}, "q16": {"yes"}}, []string{"education"}},

		// Days × minutes against 150 a week.
		{"activity: 5 days × 30 minutes = 150", Answers{"q17": {"5"}, "q18": {"30"}}, nil},
		{"activity: 1 day × 150 minutes = 150", Answers{"q17": {"1"}, "q18": {"150"}}, nil},
		{"activity: 7 days × 20 minutes = 140", Answers{"q17": {"7"}, "q18": {"20"}}, []string{"physical_activity"}},
		{"activity: 3 days × 40 minutes = 120", Answers{"q17": {"3"}, "q18": {"40"}}, []string{"physical_activity"}},
		{"activity: 0 days, minutes not asked", Answers{"q17": {"0"}}, []string{"physical_activity"}},
		{"activity: days only, minutes not yet asked", Answers{"q17": {"4"}}, nil},

		{"substance use: never to all four", Answers{"q19": {"never"}, "q20": {"never"}, "q21": {"never"}, "q22": {"never"}}, nil},
		{"substance use: heavy drinking once or twice", Answers{"q19": {"once_or_twice"}}, []string{"substance_use"}},
		{"substance use: tobacco daily", Answers{"q20": {"daily"}}, []string{"substance_use"}},
		{"substance use: prescription drugs monthly", Answers{"q21": {"monthly"}}, []string{"substance_use"}},
		{"substance use: illegal drugs weekly", Answers{"q22": {"weekly"}}, []string{"substance_use"}},

		// PHQ-2: 0–3 each, positive at 3 or more.
		{"mental health: PHQ-2 of 2 (1+1), stress somewhat", Answers{"q23a": {"several_days"}, "q23b": {"several_days"}, "q24": {"somewhat"}}, nil},
		{"mental health: PHQ-2 of 3 (1+2)", Answers{"q23a": {"several_days"}, "q23b": {"more_than_half"}}, []string{"depression"}},
		{"mental health: PHQ-2 of 3 (3+0)", Answers{"q23a": {"nearly_every_day"}, "q23b": {"not_at_all"}}, []string{"depression"}},
		{"mental health: stress quite a bit", Answers{"q24": {"quite_a_bit"}}, []string{"stress"}},
		{"mental health: stress very much", Answers{"q24": {"very_much"}}, []string{"stress"}},

		{"disabilities: no and no", Answers{"q25": {"no"}, "q26": {"no"}}, nil},
		{"disabilities: difficulty concentrating", Answers{"q25": {"yes"}}, []string{"disabilities"}},
		{"disabilities: difficulty with errands", Answers{"q26": {"yes"}}, []string{"disabilities"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := mustScore(t, ahc, ahcAnswers(tt.changes))
			if diff := cmp.Diff(tt.want, domainCodes(r.PositiveDomains)); diff != "" {
				t.Errorf("positive domains (-want +got):\n%s", diff)
			}
		})
	}
}

// CMS counts domains, not questions: the two living-situation questions
// are one domain, as are the two family-and-community-support and the two
// mental-health screens.
func TestAHC_PositiveDomainsAreCountedAsCMSCountsThem(t *testing.T) {
	t.Parallel()
	ahc := mustCurrent(t, "AHC-HRSN")
	tests := []struct {
		name    string
		changes Answers
		want    []string
	}{
		{"both living-situation questions: one domain", Answers{"q1": {"worried"}, "q2": {"mold"}}, []string{"Living situation"}},
		{"housing instability alone", Answers{"q1": {"not_steady"}}, []string{"Living situation"}},
		{"housing quality alone", Answers{"q2": {"heat"}}, []string{"Living situation"}},
		{"living situation, food and safety: three",
			Answers{"q1": {"worried"}, "q2": {"pests"}, "q3": {"often"}, "q7": {"frequently"}, "q8": {"frequently"}, "q9": {"never"}, "q10": {"never"}},
			[]string{"Living situation", "Food insecurity", "Interpersonal safety"}},
		{"help and loneliness: one domain", Answers{"q13": {"lot_more"}, "q14": {"always"}}, []string{"Family and community support"}},
		{"PHQ-2 and stress: one domain", Answers{"q23a": {"nearly_every_day"}, "q24": {"very_much"}}, []string{"Mental health"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := mustScore(t, ahc, ahcAnswers(tt.changes))
			if diff := cmp.Diff(tt.want, r.CountedDomains()); diff != "" {
				t.Errorf("counted domains (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAHC_SafetyTotalAddsQuestionsSevenToTen(t *testing.T) {
	t.Parallel()
	ahc := mustCurrent(t, "AHC-HRSN")
	// Never 1, rarely 2, sometimes 3, fairly often 4, frequently 5.
	total, threshold, ok := ahc.SafetyTotal(ahcAnswers(Answers{"q7": {"sometimes"}, "q8": {"sometimes"}, "q9": {"sometimes"}, "q10": {"rarely"}}))
	if total != 11 || threshold != 10 || !ok {
		t.Errorf("safety total %d above %d (%v), want 11 above 10", total, threshold, ok)
	}
	if _, _, ok := mustCurrent(t, "PHQ-9").SafetyTotal(Answers{}); ok {
		t.Error("PHQ-9 has no summed safety screen")
	}
}

func TestAHC_SupplementalNeedsAreProposedOncePerNeed(t *testing.T) {
	t.Parallel()
	r := mustScore(t, mustCurrent(t, "AHC-HRSN"), ahcAnswers(Answers{"q11": {"very_hard"}, "q13": {"little_more"}, "q14": {"often"}, "q17": {"0"}, "q20": {"weekly"}}))
	var got []Need
	for _, p := range r.ProposedNeeds() {
		got = append(got, p.Need)
	}
	want := []Need{NeedFinancial, NeedSocialIsolation, NeedPhysicalActivity, NeedSubstanceUse}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("proposed needs (-want +got):\n%s", diff)
	}
}

// Version 1 records keep scoring as they did; only their counting groups
// the living-situation screens.
func TestAHC_Version1StaysTheCoreScreen(t *testing.T) {
	t.Parallel()
	v1, ok := Lookup("AHC-HRSN", "1")
	if !ok || len(v1.Questions) != 10 || len(v1.Domains) != 6 {
		t.Fatalf("version 1: %v, %d questions, %d domains; want 10 and 6", ok, len(v1.Questions), len(v1.Domains))
	}
	r := mustScore(t, v1, ahcAnswers(Answers{"q1": {"worried"}, "q2": {"mold"}}))
	if diff := cmp.Diff([]string{"Living situation"}, r.CountedDomains()); diff != "" {
		t.Errorf("counted (-want +got):\n%s", diff)
	}
}

func TestAHC_QuestionsKeepTheToolsNumbers(t *testing.T) {
	t.Parallel()
	var got []string
	for i, q := range mustCurrent(t, "AHC-HRSN").Questions {
		got = append(got, q.NumberAt(i))
	}
	want := []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17", "18",
		"19", "20", "21", "22", "23a", "23b", "24", "25", "26"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("numbers (-want +got):\n%s", diff)
	}
}
