package assessments

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func problemsOf(t *testing.T, err error) []FieldError {
	t.Helper()
	if err == nil {
		return nil
	}
	var invalid *InvalidAnswersError
	if !errors.As(err, &invalid) {
		t.Fatalf("error %v is not an *InvalidAnswersError", err)
	}
	return invalid.Problems
}

func TestMissing_ListsUnansweredRequiredQuestionsInOrder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		code    string
		answers Answers
		want    []string
	}{
		{"PHQ-9 nothing answered", "PHQ-9", Answers{},
			[]string{"q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9"}},
		{"PHQ-9 gaps, answered in another order", "PHQ-9",
			Answers{"q9": {"not_at_all"}, "q1": {"not_at_all"}, "q2": {"not_at_all"}, "q4": {"several_days"}, "q5": {}, "q6": {"not_at_all"}, "q8": {"not_at_all"}},
			[]string{"q3", "q5", "q7"}},
		{"PHQ-9 complete without optional difficulty", "PHQ-9",
			itemAnswers(t, 0, 0, 0, 0, 0, 0, 0, 0, 0), nil},
		{"AHC safety questions left out", "AHC-HRSN",
			Answers{"q1": {"steady"}, "q2": {"none"}, "q3": {"never"}, "q4": {"never"}, "q5": {"no"}, "q6": {"no"}},
			[]string{"q7", "q8", "q9", "q10"}},
		{"LACE comorbidity left out", "LACE",
			Answers{"length_of_stay": {"2"}, "acuity": {"elective"}, "ed_visits": {"0"}},
			[]string{"comorbidity"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, mustCurrent(t, tt.code).Missing(tt.answers)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestValidate_RejectsAnswersThatDontBelong(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		code    string
		answers Answers
		want    []FieldError
	}{
		{"incomplete but valid", "PHQ-9", Answers{"q1": {"several_days"}}, nil},
		{"unknown option", "PHQ-9", Answers{"q1": {"sometimes"}},
			[]FieldError{{"q1", "Choose one of the listed answers."}}},
		{"option of another question", "AHC-HRSN", Answers{"q5": {"shut_off"}},
			[]FieldError{{"q5", "Choose one of the listed answers."}}},
		{"two answers to a single-choice question", "PHQ-9", Answers{"q3": {"not_at_all", "nearly_every_day"}},
			[]FieldError{{"q3", "Choose only one answer."}}},
		{"two answers to a single-choice AHC question", "AHC-HRSN", Answers{"q1": {"steady", "worried"}},
			[]FieldError{{"q1", "Choose only one answer."}}},
		{"same option twice on a multi-select question", "AHC-HRSN", Answers{"q2": {"mold", "mold"}},
			[]FieldError{{"q2", "Each answer can be chosen only once."}}},
		{"several problems on a multi-select question", "AHC-HRSN", Answers{"q2": {"mold", "heat", "water_leaks"}}, nil},
		{"unknown questions, listed last and sorted", "GAD-7",
			Answers{"q9": {"not_at_all"}, "q8": {"not_at_all"}, "q2": {"often"}},
			[]FieldError{
				{"q2", "Choose one of the listed answers."},
				{"q8", "This question isn't part of GAD-7 version 1."},
				{"q9", "This question isn't part of GAD-7 version 1."},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := mustCurrent(t, tt.code).Validate(tt.answers)
			if diff := cmp.Diff(tt.want, problemsOf(t, err)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestScore_RefusesIncompleteOrInvalidAnswers(t *testing.T) {
	t.Parallel()
	phq9 := mustCurrent(t, "PHQ-9")
	a := itemAnswers(t, 0, 0, 0, 0, 0, 0, 0, 0, 0)
	delete(a, "q4")
	delete(a, "q7")
	a["q2"] = []string{"nope"}

	r, err := phq9.Score(a)
	want := []FieldError{
		{"q2", "Choose one of the listed answers."},
		{"q4", "Please answer this question."},
		{"q7", "Please answer this question."},
	}
	if diff := cmp.Diff(want, problemsOf(t, err)); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(Result{}, r); diff != "" {
		t.Errorf("result on error (-want +got):\n%s", diff)
	}
}

func TestRegistry_RefusesASecondDefinitionOfAVersion(t *testing.T) {
	t.Parallel()
	changed := func() Instrument {
		in := phq9v1()
		in.Title = "Edited in place"
		return in
	}
	_, err := NewRegistry(phq9v1, gad7v1, changed)
	if err == nil || !strings.Contains(err.Error(), "PHQ-9 version 1 is already registered") {
		t.Errorf("NewRegistry with PHQ-9 v1 twice: err = %v, want already registered", err)
	}
}

func TestRegistry_OldVersionsStayAsPublished(t *testing.T) {
	t.Parallel()
	v2 := func() Instrument {
		in := phq9v1()
		in.Version = "2"
		in.Title = "PHQ-9, revised"
		return in
	}
	r, err := NewRegistry(phq9v1, gad7v1, v2)
	if err != nil {
		t.Fatal(err)
	}

	cur, _ := r.Current("PHQ-9")
	old, ok := r.Lookup("PHQ-9", "1")
	if !ok {
		t.Fatal(`Lookup("PHQ-9", "1") after v2: not found`)
	}
	got := []string{cur.Version, cur.Title, old.Version, old.Title}
	want := []string{"2", "PHQ-9, revised", "1", "Patient Health Questionnaire (PHQ-9)"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("current and old version (-want +got):\n%s", diff)
	}

	// A caller that edits what it was given changes nobody else's copy.
	old.Questions[0].Options[0].Points = 99
	again, _ := r.Lookup("PHQ-9", "1")
	if diff := cmp.Diff(phq9v1(), again); diff != "" {
		t.Errorf("definition after a caller edited its copy (-want +got):\n%s", diff)
	}

	var codes []string
	for _, in := range r.All() {
		codes = append(codes, in.Code+" "+in.Version)
	}
	if diff := cmp.Diff([]string{"PHQ-9 2", "GAD-7 1"}, codes); diff != "" {
		t.Errorf("All (-want +got):\n%s", diff)
	}
}

func TestLookup_UnknownCodeOrVersionIsNotFound(t *testing.T) {
	t.Parallel()
	for _, ref := range [][2]string{{"PHQ-9", "0"}, {"PHQ-2", "1"}, {"", ""}} {
		if _, ok := Lookup(ref[0], ref[1]); ok {
			t.Errorf("Lookup(%q, %q) found a definition", ref[0], ref[1])
		}
	}
	if _, ok := Current("PHQ-2"); ok {
		t.Error(`Current("PHQ-2") found a definition`)
	}
}

func TestAll_PublishesTheFourInstruments(t *testing.T) {
	t.Parallel()
	var got []string
	for _, in := range All() {
		got = append(got, in.Code+" "+in.Version)
	}
	want := []string{"PHQ-9 1", "GAD-7 1", "AHC-HRSN 2", "LACE 1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestAll_DefinitionsAreWellFormed walks every published definition, so a
// new instrument or version is checked without a test of its own.
func TestAll_DefinitionsAreWellFormed(t *testing.T) {
	t.Parallel()
	for _, in := range All() {
		t.Run(in.Code, func(t *testing.T) {
			t.Parallel()
			if in.Title == "" || in.Instructions == "" {
				t.Error("title or instructions empty")
			}
			questions := map[string]Question{}
			minTotal, maxTotal := 0, 0
			for _, q := range in.Questions {
				if _, dup := questions[q.ID]; dup || q.ID == "" {
					t.Errorf("question ID %q empty or not unique", q.ID)
				}
				questions[q.ID] = q
				if q.Text == "" || len(q.Options) < 2 {
					t.Errorf("question %s: no text or fewer than two options", q.ID)
				}
				options := map[string]bool{}
				lo, hi := q.Options[0].Points, q.Options[0].Points
				for _, o := range q.Options {
					if options[o.ID] || o.ID == "" || o.Label == "" {
						t.Errorf("question %s: option %q empty, unlabelled or not unique", q.ID, o.ID)
					}
					options[o.ID] = true
					if o.Points < 0 {
						t.Errorf("question %s option %s: negative points %d", q.ID, o.ID, o.Points)
					}
					if !q.Scored && o.Points != 0 {
						t.Errorf("question %s is unscored but option %s carries %d points", q.ID, o.ID, o.Points)
					}
					if o.Exclusive && !q.Multi {
						t.Errorf("question %s: exclusive option %s on a single-choice question", q.ID, o.ID)
					}
					lo, hi = min(lo, o.Points), max(hi, o.Points)
				}
				if q.Scored {
					minTotal += lo
					maxTotal += hi
				}
			}
			if len(in.Bands) > 0 {
				checkBandsTile(t, in.Bands, minTotal, maxTotal)
				if in.Measures == "" {
					t.Error("an instrument with a total must say what it measures")
				}
			}
			for _, d := range in.Domains {
				checkDomain(t, d, questions)
			}
			if len(in.Bands) == 0 && len(in.Domains) == 0 {
				t.Error("neither bands nor domains: nothing to score")
			}
		})
	}
}

// checkBandsTile checks that the bands cover every possible total, lowest
// first, without gaps or overlaps, in rising severity.
func checkBandsTile(t *testing.T, bands []Band, minTotal, maxTotal int) {
	t.Helper()
	next := minTotal
	for i, b := range bands {
		if b.Min != next || b.Max < b.Min {
			t.Errorf("band %q is %d–%d, want it to start at %d", b.Label, b.Min, b.Max, next)
		}
		if i > 0 && b.Severity <= bands[i-1].Severity {
			t.Errorf("band %q is no more severe than %q", b.Label, bands[i-1].Label)
		}
		if b.Label == "" || b.Interpretation == "" {
			t.Errorf("band %d–%d has no label or interpretation", b.Min, b.Max)
		}
		next = b.Max + 1
	}
	if last := bands[len(bands)-1].Max; last != maxTotal {
		t.Errorf("bands end at %d, want the highest possible total %d", last, maxTotal)
	}
}

func checkDomain(t *testing.T, d DomainScreen, questions map[string]Question) {
	t.Helper()
	if d.Code == "" || d.Label == "" || d.Need == "" || len(d.Questions) == 0 {
		t.Errorf("domain %+v incomplete", d.Domain)
	}
	for _, qid := range d.Questions {
		q, ok := questions[qid]
		if !ok {
			t.Errorf("domain %s reads unknown question %s", d.Code, qid)
			continue
		}
		if (d.Rule.Kind == RuleSumGreaterThan || d.Rule.Kind == RuleProductLessThan) && !q.Scored {
			t.Errorf("domain %s adds or multiplies unscored question %s", d.Code, qid)
		}
	}
	switch d.Rule.Kind {
	case RuleAnyOption:
		for _, id := range d.Rule.Options {
			found := false
			for _, qid := range d.Questions {
				_, ok := questions[qid].option(id)
				found = found || ok
			}
			if !found {
				t.Errorf("domain %s: positive option %s is on none of its questions", d.Code, id)
			}
		}
	case RuleSumGreaterThan, RuleProductLessThan:
	default:
		t.Errorf("domain %s: unknown rule kind %d", d.Code, d.Rule.Kind)
	}
}

func ExampleInstrument_Score() {
	phq9, _ := Current("PHQ-9")
	r, err := phq9.Score(Answers{
		"q1": {"more_than_half"}, "q2": {"more_than_half"}, "q3": {"nearly_every_day"},
		"q4": {"nearly_every_day"}, "q5": {"several_days"}, "q6": {"several_days"},
		"q7": {"several_days"}, "q8": {"not_at_all"}, "q9": {"not_at_all"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Total, r.Band.Label)
	for _, n := range r.ProposedNeeds() {
		fmt.Println(n.Need, n.Description)
	}
	// Output:
	// 13 Moderate
	// mental_health Depression symptoms (PHQ-9 13, moderate)
}
