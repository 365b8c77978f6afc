package web

// AssessmentStartView chooses the instrument and method of a new
// assessment.
type AssessmentStartView struct {
	Shell       Shell
	Base        string // the patient's chart
	PatientName string
	Instruments []SelectOption
	Methods     []SelectOption
	Instrument  string
	Method      string
	Errors      FieldErrors
	Problem     string
}

// AssessmentFormView is an assessment in progress: its questions with the
// answers chosen so far.
type AssessmentFormView struct {
	Shell        Shell
	Base         string // the patient's chart
	Action       string // the assessment's address
	PatientName  string
	Title        string
	Instructions string
	Method       string
	Version      int
	Questions    []AssessmentQuestion
	Problem      string
	// SafetyAlert is shown as soon as a chosen answer raises it, before
	// the assessment is complete.
	SafetyAlert string
	// AmendsHref links to the assessment this one corrects, with the reason.
	AmendsHref  string
	AmendReason string
}

// AssessmentQuestion is one question of the form.
type AssessmentQuestion struct {
	ID     string
	Number string
	// Section, on the first question of a part of the form, heads that
	// part; SectionNote says what it asks.
	Section, SectionNote string
	Text                 string
	Multi                bool
	Optional             bool
	Options              []AssessmentOption
	Error                string
}

// AssessmentOption is one answer a question offers.
type AssessmentOption struct {
	ID     string
	Label  string
	Chosen bool
}

// AssessmentResultView is a completed assessment, or one entered in error.
type AssessmentResultView struct {
	Shell          Shell
	Base           string
	Action         string
	PatientName    string
	Title          string
	EnteredInError bool
	ErrorReason    string
	HasTotal       bool
	Total          string
	MaxTotal       string
	Band           string
	Interpretation string
	SafetyAlert    string
	Domains        []string
	// DomainCount counts the positive domains as CMS counts them ("3
	// positive domains"), "" when none.
	DomainCount string
	// SafetyTotal is the interpersonal-safety total in words, and
	// SafetyPositive whether it is at the threshold or above; "" for an
	// instrument without one.
	SafetyTotal    string
	SafetyPositive bool
	Answers        []AssessmentAnswer
	Facts          []ChartFact
	AmendsHref     string
	AmendReason    string
	AmendedByHref  string
	// CanChange offers the amend and entered-in-error forms.
	CanChange bool
	// Trend is this instrument's results for the patient, this one
	// included; nil when the result doesn't count or has no total.
	Trend   *TrendView
	Amend   AssessmentReasonForm
	Error   AssessmentReasonForm
	Problem string
	// Needs is what the result proposes for the care plan.
	Needs NeedProposalsView
}

// AssessmentReasonForm is the reason typed into an amend or
// entered-in-error form, kept with its message when it was refused.
type AssessmentReasonForm struct {
	Open   bool
	Reason string
	Error  string
}

// AssessmentAnswer is one question with the answer given.
type AssessmentAnswer struct {
	Number   string
	Question string
	Answer   string
}

// ChartAssessmentRow is one assessment on the chart.
type ChartAssessmentRow struct {
	Href           string
	Title          string
	Date           string
	Result         string // "14 · Moderate", "In progress", …
	EnteredInError bool
	Alert          bool
	Amended        bool
}

// ChartAssessmentsDue is when instruments are due again for the patient.
type ChartAssessmentsDue struct {
	// Badges say "PHQ-9 due 12 Feb 2027" or "… overdue since …".
	Badges []ChartBadge
	// ScreenHref, when set, starts the social needs screen the patient has
	// never had.
	ScreenHref string
}
