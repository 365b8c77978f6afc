// Package assessments defines the screening instruments a coordinator
// administers (PHQ-9, GAD-7, the CMS AHC social needs screen, LACE) and
// scores completed answers into bands, positive need domains, alerts and
// proposed needs.
//
// Definitions are data: every instrument is "choose one option per question"
// (or several, for a multi-select question), options carry their points, and
// bands, domains and alerts are tables read by one scorer. Definitions are
// versioned by code; see Registry.
package assessments

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Instrument is one version of a questionnaire and how to score it.
type Instrument struct {
	Code         string // stable short name, e.g. "PHQ-9"
	Version      string
	Title        string
	Instructions string // read to, or by, the patient before the questions
	// Measures names what the total measures, for need descriptions
	// ("Depression symptoms"); empty for instruments without a total.
	Measures  string
	Questions []Question
	// Bands, when present, tile the possible totals; the total is the sum
	// of the points of the options chosen on scored questions.
	Bands []Band
	// Domains are screened independently of any total (AHC).
	Domains []DomainScreen
}

// Question is one item. Option IDs are unique within their question.
type Question struct {
	ID       string
	Text     string
	Options  []Option
	Multi    bool // several options may be chosen
	Required bool
	Scored   bool // its points count towards the total or a domain sum
	// Number is the question's number where the published instrument
	// numbers it otherwise than by its place ("23a").
	Number string
	// Section, on the first question of a part of the form, is that
	// part's heading, and SectionNote what it asks of the coordinator.
	Section, SectionNote string
}

// Option is one answer a patient may choose.
type Option struct {
	ID     string
	Label  string
	Points int
	// Exclusive options ("None of the above") can't be chosen together
	// with another option of a multi-select question.
	Exclusive bool
	// Alert, when set, is raised whenever this option is chosen.
	Alert string
}

// Severity orders bands across instruments, so "moderate or worse" can be
// asked of any result.
type Severity int

// Severities, lowest first.
const (
	SeverityLow      Severity = iota // minimal symptoms, low risk
	SeverityMild                     // mild symptoms
	SeverityModerate                 // moderate symptoms or risk
	SeverityHigh                     // moderately severe symptoms, high risk
	SeveritySevere                   // severe symptoms
)

// Band is an inclusive range of totals.
type Band struct {
	Min, Max       int
	Label          string
	Severity       Severity
	Interpretation string // plain words for a coordinator; never a diagnosis
	// Need, when set, is proposed for the care plan when a total falls in
	// this band.
	Need Need
}

// Domain is a social-needs area a screen can find positive.
type Domain struct {
	Code  string
	Label string
	Need  Need
	// Group names the domain CMS counts this screen under when several
	// screens make one domain (housing instability and housing quality are
	// both "Living situation"); "" counts the screen as its own domain.
	Group string
}

// Counted is the name the domain is counted under.
func (d Domain) Counted() string {
	if d.Group != "" {
		return d.Group
	}
	return d.Label
}

// CountDomains names the domains of positive screens as CMS counts them,
// each once, in order: two positive living-situation screens are one
// domain. Everything that counts positive domains counts these.
func CountDomains(positive []Domain) []string {
	var out []string
	for _, d := range positive {
		if !slices.Contains(out, d.Counted()) {
			out = append(out, d.Counted())
		}
	}
	return out
}

// CountRefs names a stored result's positive domains as CountDomains
// counts them, by the definitions of the instrument's current version.
func CountRefs(instrument string, refs []DomainRef) []string {
	in, _ := Current(instrument)
	return CountDomains(in.domainsOf(refs))
}

// CountedDomains names the result's positive domains as CMS counts them.
func (r Result) CountedDomains() []string { return CountDomains(r.PositiveDomains) }

// DomainScreen decides from the answers to some questions whether a domain
// is positive.
type DomainScreen struct {
	Domain
	Questions []string
	Rule      Rule
	Alert     string // raised when the domain is positive
}

// RuleKind says how a Rule reads the answers.
type RuleKind int

// Rule kinds.
const (
	// RuleAnyOption is positive when any listed option is chosen on any of
	// the domain's questions.
	RuleAnyOption RuleKind = iota + 1
	// RuleSumGreaterThan is positive when the points of the options chosen
	// on the domain's questions add up to more than Threshold.
	RuleSumGreaterThan
	// RuleProductLessThan is positive when the points of the domain's
	// questions multiplied are less than Threshold: days a week times
	// minutes a day of exercise. Unanswered questions screen nothing,
	// unless one answered is 0 (no exercise at all).
	RuleProductLessThan
)

// Rule is the positivity rule of a domain.
type Rule struct {
	Kind      RuleKind
	Options   []string
	Threshold int
}

func anyOf(options ...string) Rule {
	return Rule{Kind: RuleAnyOption, Options: options}
}

func sumGreaterThan(n int) Rule {
	return Rule{Kind: RuleSumGreaterThan, Threshold: n}
}

func productLessThan(n int) Rule {
	return Rule{Kind: RuleProductLessThan, Threshold: n}
}

// MaxTotal is the highest total the instrument's bands allow.
func (in Instrument) MaxTotal() int {
	m := 0
	for _, b := range in.Bands {
		m = max(m, b.Max)
	}
	return m
}

// AlertSafety means the patient may be at risk of harm and a person should
// look at the result today.
const AlertSafety = "safety"

var alertMessages = map[string]string{
	AlertSafety: "Safety alert: review this result today and follow your organisation's safety protocol.",
}

// Answers maps a question ID to the IDs of the options chosen. Every
// instrument shares this shape, so answers store as one JSON object.
type Answers map[string][]string

// AnswersFrom reads the answers to the instrument's questions from posted
// form values: other fields and blank choices are left out.
func (in Instrument) AnswersFrom(posted map[string][]string) Answers {
	a := Answers{}
	for _, q := range in.Questions {
		var chosen []string
		for _, v := range posted[q.ID] {
			if v != "" {
				chosen = append(chosen, v)
			}
		}
		if len(chosen) > 0 {
			a[q.ID] = chosen
		}
	}
	return a
}

// Result is a scored assessment.
type Result struct {
	Code, Version   string
	Measures        string
	Total           int
	HasTotal        bool
	Band            Band
	PositiveDomains []Domain
	Alerts          []string
	Interpretation  string
}

// FieldError is a problem with the answer to one question.
type FieldError struct {
	QuestionID string
	Message    string
}

// InvalidAnswersError lists the problems found in a set of answers, in
// question order, answers to unknown questions last.
type InvalidAnswersError struct {
	Problems []FieldError
}

func (e *InvalidAnswersError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.QuestionID + ": " + p.Message
	}
	return "invalid answers: " + strings.Join(parts, "; ")
}

// Missing returns the IDs of required questions left unanswered, in order.
func (in Instrument) Missing(a Answers) []string {
	var ids []string
	for _, q := range in.Questions {
		if q.Required && len(a[q.ID]) == 0 {
			ids = append(ids, q.ID)
		}
	}
	return ids
}

// Validate reports answers that can't belong to this instrument: unknown
// questions or options, several answers to a single-choice question. An
// incomplete set of answers is valid; see Missing.
func (in Instrument) Validate(a Answers) error {
	return asError(in.problems(a, false))
}

// Score validates complete answers and scores them.
func (in Instrument) Score(a Answers) (Result, error) {
	if err := asError(in.problems(a, true)); err != nil {
		return Result{}, err
	}
	r := Result{Code: in.Code, Version: in.Version, Measures: in.Measures}
	if len(in.Bands) > 0 {
		r.HasTotal = true
		for _, q := range in.Questions {
			if q.Scored {
				r.Total += q.points(a[q.ID])
			}
		}
		for _, b := range in.Bands {
			if b.Min <= r.Total && r.Total <= b.Max {
				r.Band = b
			}
		}
	}
	for _, d := range in.Domains {
		if in.positive(d, a) {
			r.PositiveDomains = append(r.PositiveDomains, d.Domain)
		}
	}
	r.Alerts = in.Alerts(a)
	r.Interpretation = interpret(r)
	return r, nil
}

// Alerts returns the alerts the answers raise, each once. It reads partial
// answers too, so a form that comes back with errors still shows a safety
// alert.
func (in Instrument) Alerts(a Answers) []string {
	var alerts []string
	add := func(alert string) {
		if alert != "" && !slices.Contains(alerts, alert) {
			alerts = append(alerts, alert)
		}
	}
	for _, q := range in.Questions {
		for _, id := range a[q.ID] {
			if o, ok := q.option(id); ok {
				add(o.Alert)
			}
		}
	}
	for _, d := range in.Domains {
		if in.positive(d, a) {
			add(d.Alert)
		}
	}
	return alerts
}

func (in Instrument) problems(a Answers, requireAll bool) []FieldError {
	var problems []FieldError
	add := func(q, msg string) { problems = append(problems, FieldError{QuestionID: q, Message: msg}) }
	known := make(map[string]bool, len(in.Questions))
	for _, q := range in.Questions {
		known[q.ID] = true
		chosen := a[q.ID]
		switch {
		case len(chosen) == 0:
			if requireAll && q.Required {
				add(q.ID, "Please answer this question.")
			}
		case !q.Multi && len(chosen) > 1:
			add(q.ID, "Choose only one answer.")
		default:
			if msg := q.checkChoice(chosen); msg != "" {
				add(q.ID, msg)
			}
		}
	}
	var unknown []string
	for id := range a {
		if !known[id] {
			unknown = append(unknown, id)
		}
	}
	sort.Strings(unknown)
	for _, id := range unknown {
		add(id, fmt.Sprintf("This question isn't part of %s version %s.", in.Code, in.Version))
	}
	return problems
}

func (q Question) checkChoice(chosen []string) string {
	for i, id := range chosen {
		o, ok := q.option(id)
		if !ok {
			return "Choose one of the listed answers."
		}
		if slices.Contains(chosen[:i], id) {
			return "Each answer can be chosen only once."
		}
		if o.Exclusive && len(chosen) > 1 {
			return fmt.Sprintf("%q can't be chosen together with other answers.", o.Label)
		}
	}
	return ""
}

// NumberAt is the number of the question at index i of its instrument.
func (q Question) NumberAt(i int) string {
	if q.Number != "" {
		return q.Number
	}
	return strconv.Itoa(i + 1)
}

// Labels are the labels of the chosen options, in the question's order.
func (q Question) Labels(chosen []string) []string {
	var labels []string
	for _, o := range q.Options {
		if slices.Contains(chosen, o.ID) {
			labels = append(labels, o.Label)
		}
	}
	return labels
}

func (q Question) option(id string) (Option, bool) {
	for _, o := range q.Options {
		if o.ID == id {
			return o, true
		}
	}
	return Option{}, false
}

func (q Question) points(chosen []string) int {
	sum := 0
	for _, id := range chosen {
		if o, ok := q.option(id); ok {
			sum += o.Points
		}
	}
	return sum
}

func (in Instrument) question(id string) (Question, bool) {
	for _, q := range in.Questions {
		if q.ID == id {
			return q, true
		}
	}
	return Question{}, false
}

func (in Instrument) positive(d DomainScreen, a Answers) bool {
	if d.Rule.Kind == RuleProductLessThan {
		return in.productLess(d, a)
	}
	sum := 0
	for _, qid := range d.Questions {
		q, _ := in.question(qid)
		switch d.Rule.Kind {
		case RuleAnyOption:
			for _, id := range a[qid] {
				if slices.Contains(d.Rule.Options, id) {
					return true
				}
			}
		case RuleSumGreaterThan:
			sum += q.points(a[qid])
		}
	}
	return d.Rule.Kind == RuleSumGreaterThan && sum > d.Rule.Threshold
}

// productLess applies a RuleProductLessThan: every question answered, or
// one answered with 0 (no days of exercise leave no minutes to ask about).
func (in Instrument) productLess(d DomainScreen, a Answers) bool {
	product, answered := 1, 0
	for _, qid := range d.Questions {
		q, _ := in.question(qid)
		if len(a[qid]) == 0 {
			continue
		}
		answered++
		product *= q.points(a[qid])
	}
	if answered == 0 || (answered < len(d.Questions) && product != 0) {
		return false
	}
	return product < d.Rule.Threshold
}

// SafetyTotal is the points of the answers to the questions of the
// instrument's summed safety screen (AHC-HRSN questions 7–10, 4 to 20,
// positive above 10), its threshold, and whether the instrument has one.
func (in Instrument) SafetyTotal(a Answers) (total, threshold int, ok bool) {
	for _, d := range in.Domains {
		if d.Alert != AlertSafety || d.Rule.Kind != RuleSumGreaterThan {
			continue
		}
		for _, qid := range d.Questions {
			q, _ := in.question(qid)
			total += q.points(a[qid])
		}
		return total, d.Rule.Threshold, true
	}
	return 0, 0, false
}

func interpret(r Result) string {
	var parts []string
	if r.HasTotal {
		parts = append(parts, r.Band.Interpretation)
	} else if len(r.PositiveDomains) == 0 {
		parts = append(parts, "No health-related social needs identified on this screen.")
	} else {
		labels := make([]string, len(r.PositiveDomains))
		for i, d := range r.PositiveDomains {
			labels[i] = d.Label
		}
		parts = append(parts, "Positive for: "+strings.Join(labels, "; ")+
			". Ask the patient which of these they would like help with.")
	}
	for _, a := range r.Alerts {
		parts = append(parts, alertMessages[a])
	}
	return strings.Join(parts, " ")
}

func asError(problems []FieldError) error {
	if len(problems) == 0 {
		return nil
	}
	return &InvalidAnswersError{Problems: problems}
}
