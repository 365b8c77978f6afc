package web

import "net/url"

// Hidden is a hidden form value.
type Hidden struct {
	Name  string
	Value string
}

// directoryClearHref is the search without text or filters, keeping what
// the form carries along.
func directoryClearHref(v DirectoryView) string {
	q := url.Values{}
	for _, k := range v.Keep {
		q.Set(k.Name, k.Value)
	}
	if len(q) == 0 {
		return v.Action
	}
	return v.Action + "?" + q.Encode()
}

// DirectoryView is the resource directory's search and its results, on the
// directory page and when choosing where to refer a patient.
type DirectoryView struct {
	// Action is where the search form goes (GET); Keep are hidden values
	// it carries along (the need and goal of a referral being written).
	Action    string
	Keep      []Hidden
	Text      string
	Domain    string
	Language  string
	Archived  bool
	Domains   []SelectOption
	Languages []SelectOption
	// CanSeeArchived offers the archived resources (maintainers).
	CanSeeArchived bool
	Results        []ResourceCard
	// More says the search found more than it lists.
	More bool
	// Filtered says any filter or text was given.
	Filtered bool
}

// ResourceCard is one resource in a list.
type ResourceCard struct {
	ID        string
	Name      string
	Href      string
	Services  string
	Domains   []string
	Address   string
	Phone     string
	Hours     string
	Languages string
	Cost      string
	// SpeaksLanguage: the resource lists the language searched for.
	SpeaksLanguage bool
	// Record is how referrals to it went ("Referred 12 times · 8 of 10
	// closed referrals met the need"); only for people who work with
	// patients.
	Record string
	// Earlier are this patient's earlier referrals to it, when choosing
	// where to refer a patient.
	Earlier []string
	// ReferHref, when set, writes a referral to it.
	ReferHref string
	Archived  bool
}

// ResourceListView is the directory page.
type ResourceListView struct {
	Shell       Shell
	Directory   DirectoryView
	CanMaintain bool
	NewHref     string
}

// ResourceView is one resource's page.
type ResourceView struct {
	Shell       Shell
	ListHref    string
	Card        ResourceCard
	Facts       []ChartFact
	CanMaintain bool
	EditHref    string
	// ArchiveAction archives or restores it; Version guards the change.
	ArchiveAction string
	Version       int
	// Patients are the signed-in coordinator's patients referred to it;
	// ShowPatients is false for administrators, who see no patient data.
	ShowPatients bool
	Patients     []ResourceReferralRow
}

// ResourceReferralRow is a patient's referral to a resource.
type ResourceReferralRow struct {
	PatientName string
	Href        string
	Status      ChartBadge
	When        string
}

// ResourceFormView adds or edits a resource.
type ResourceFormView struct {
	Shell       Shell
	Title       string
	Action      string
	CancelHref  string
	Version     int
	Name        string
	Services    string
	Domains     []CheckOption
	AddressLine string
	City        string
	Region      string
	PostalCode  string
	Phone       string
	Fax         string
	Email       string
	Website     string
	Hours       string
	Eligibility string
	Languages   string
	Cost        string
	Costs       []SelectOption
	ReferBy     []CheckOption
	HowToRefer  string
	Errors      map[string]string
	Problem     string
	Conflict    bool
}

// CheckOption is one checkbox of a group.
type CheckOption struct {
	Value   string
	Label   string
	Checked bool
}

// ReferralPickView chooses where to refer a patient: a resource of the
// directory or a clinical provider of the care team.
type ReferralPickView struct {
	Shell         Shell
	Base          string
	PatientName   string
	Need          string
	Directory     DirectoryView
	Providers     []ProviderChoice
	AddMemberHref string
}

// ProviderChoice is a clinical provider of the care team to refer to.
type ProviderChoice struct {
	Name      string
	Detail    string
	ReferHref string
}

// ReferralFormView writes a referral to one chosen party.
type ReferralFormView struct {
	Shell       Shell
	Base        string
	PatientName string
	Action      string
	BackHref    string
	ToName      string
	ToDetail    string
	ResourceID  string
	MemberID    string
	Clinical    bool
	NeedID      string
	GoalID      string
	Reason      string
	CoverageID  string
	PriorAuth   bool
	Needs       []SelectOption
	Goals       []SelectOption
	Coverages   []SelectOption
	Errors      map[string]string
	Problem     string
}

// ReferralView is one referral: where it stands, its steps, and what can
// be done next.
type ReferralView struct {
	Shell       Shell
	Base        string
	Href        string
	PatientName string
	Version     int
	ToName      string
	ToKind      string
	ToFacts     []ChartFact
	Need        string
	Goal        string
	Reason      string
	Status      ChartBadge
	Age         string
	Outcome     string
	OutcomeNote string
	FollowUp    string
	Steps       []ReferralStep
	Shared      []string
	Basis       string
	// Send is set while the referral is a draft.
	Send *ReferralSend
	// Next are the steps it may take; StepForm keeps what was typed.
	Next        []SelectOption
	StepTo      string
	StepNote    string
	StepOutcome string
	Outcomes    []SelectOption
	StepErrors  map[string]string
	// Proposal is shown after an outcome of "need met".
	Proposal *LoopProposal
	// Clinical referrals: the coverage and the payer's authorisation.
	Clinical           bool
	Payer              string
	PriorAuth          bool
	Auth               *AuthSummary
	AuthForm           AuthFormView
	Appointments       []ChartAppointmentRow
	NewAppointmentHref string
	PrintOrgHref       string
	PrintPatientHref   string
	Problem            string
}

// ReferralSend is the send step with the consent check.
type ReferralSend struct {
	Action  string
	Allowed bool
	Reason  string
	Fix     string
	// FixHref records what is missing (a consent, a care-team answer).
	FixHref      string
	FixLabel     string
	Fields       []CheckOption
	AskAgreement bool
	PartyAgreed  bool
	Errors       map[string]string
}

// ReferralStep is one step of a referral's history.
type ReferralStep struct {
	Status string
	When   string
	Who    string
	Note   string
}

// LoopProposal offers to close the loop on the plan after a referral met
// the need: resolve the need and mark the goal achieved.
type LoopProposal struct {
	Action    string
	NeedLabel string
	GoalWords string
}

// AuthSummary is the payer's authorisation as it stands.
type AuthSummary struct {
	Status   ChartBadge
	Number   string
	Units    string
	Valid    string
	Notes    string
	Expiring bool
}

// AuthFormView records the payer's answer.
type AuthFormView struct {
	Action   string
	Version  int
	Status   string
	Number   string
	Units    string
	Unit     string
	From     string
	To       string
	Notes    string
	Statuses []SelectOption
	UnitList []SelectOption
	Errors   map[string]string
	Open     bool
}

// ChartReferralRow is one referral on the chart.
type ChartReferralRow struct {
	To     string
	Need   string
	Status ChartBadge
	Age    string
	Href   string
	Open   bool
}

// ChartAppointmentRow is one appointment on the chart or a referral.
type ChartAppointmentRow struct {
	ID       string
	When     string
	With     string
	Purpose  string
	Location string
	Status   ChartBadge
	// Prep lists what is still to be arranged; Marks are the buttons that
	// record it, and how it went once it has begun.
	Prep    []string
	Marks   []AppointmentMark
	Action  string
	Version int
	Note    string
	// From is "referral" when the row is on a referral's page, so that
	// recording something comes back there.
	From string
}

// AppointmentMark is one button recording something about an appointment.
type AppointmentMark struct {
	Mark  string
	Label string
	// NeedsNote asks for a short note (missed, cancelled).
	NeedsNote bool
}

// AppointmentFormView schedules an appointment.
type AppointmentFormView struct {
	Shell       Shell
	Base        string
	PatientName string
	Action      string
	BackHref    string
	With        string
	WithName    string
	Date        string
	Time        string
	Minutes     string
	Location    string
	Purpose     string
	Transport   bool
	Interpreter bool
	ReferralID  string
	WithOptions []SelectOption
	Errors      map[string]string
	Problem     string
}

// OpenReferralsView lists open referrals with their age.
type OpenReferralsView struct {
	Shell Shell
	// Team is set for a supervisor's view of every coordinator's patients.
	Team bool
	Rows []OpenReferralRow
	// NextHref and FirstHref page through the list ("": no such page).
	NextHref, FirstHref string
}

// OpenReferralRow is one open referral of many patients'.
type OpenReferralRow struct {
	PatientName string
	PatientHref string
	To          string
	Need        string
	Status      ChartBadge
	Age         string
	Late        bool
	Coordinator string
	Href        string
}

// ReferralPrintView is a printed referral summary: for the receiving
// organisation (only what the patient agreed to share) or for the patient
// (what was arranged, in plain words).
type ReferralPrintView struct {
	Organisation string
	BackHref     string
	ForPatient   bool
	PatientName  string
	// Shared are the patient's details the organisation may see; Withheld
	// says why there are none when consent is no longer in force.
	Shared             []ChartFact
	Withheld           string
	ToName             string
	ToAddress          string
	ToPhone            string
	ToHours            string
	ToHowTo            string
	Need               string
	Reason             string
	SentOn             string
	Coordinator        string
	CoordinatorContact string
	Appointments       []ChartAppointmentRow
	PrintedOn          string
}

func referralPrintTitle(v ReferralPrintView) string {
	if v.ForPatient {
		return "Your referral to " + v.ToName
	}
	return "Referral to " + v.ToName
}
