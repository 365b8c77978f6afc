package patients

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"carecoord/internal/calendar"
	"carecoord/internal/forms"
)

// Errors maps a form field's name to the message shown beside it.
type Errors = forms.Errors

// DetailsForm is the patient's own record as typed: identity, contact,
// language, referral and assignment. Intake and "edit details" share it.
type DetailsForm struct {
	GivenName              string
	FamilyName             string
	PreferredName          string
	DateOfBirth            string
	Sex                    string
	GenderIdentity         string
	Pronouns               string
	Phone                  string
	PhoneAlt               string
	BestTimeToCall         string
	Email                  string
	AddressLine1           string
	AddressLine2           string
	City                   string
	Region                 string
	PostalCode             string
	PreferredContactMethod string
	PreferredLanguage      string
	InterpreterNeeded      bool
	ExternalID             string
	RiskTier               string
	CoordinatorID          string
	ReferralSource         string
	ReferralDate           string
	ReferralReason         string
}

// ParseDetails reads the details fields of a posted form.
func ParseDetails(v url.Values) DetailsForm {
	g := func(k string) string { return strings.TrimSpace(v.Get(k)) }
	return DetailsForm{
		GivenName: g("given_name"), FamilyName: g("family_name"), PreferredName: g("preferred_name"),
		DateOfBirth: g("date_of_birth"), Sex: g("sex"), GenderIdentity: g("gender_identity"), Pronouns: g("pronouns"),
		Phone: g("phone"), PhoneAlt: g("phone_alt"), BestTimeToCall: g("best_time_to_call"), Email: g("email"),
		AddressLine1: g("address_line1"), AddressLine2: g("address_line2"), City: g("city"), Region: g("region"),
		PostalCode: g("postal_code"), PreferredContactMethod: g("preferred_contact_method"),
		PreferredLanguage: g("preferred_language"), InterpreterNeeded: v.Get("interpreter_needed") == "yes",
		ExternalID: g("external_id"), RiskTier: g("risk_tier"), CoordinatorID: g("coordinator_id"),
		ReferralSource: g("referral_source"), ReferralDate: g("referral_date"), ReferralReason: g("referral_reason"),
	}
}

// DetailsFormOf fills the form from a stored patient, for editing.
func DetailsFormOf(p Patient) DetailsForm {
	f := DetailsForm{
		GivenName: p.GivenName, FamilyName: p.FamilyName, PreferredName: p.PreferredName,
		DateOfBirth: p.DateOfBirth.Format(calendar.DateLayout), Sex: p.Sex, GenderIdentity: p.GenderIdentity, Pronouns: p.Pronouns,
		Phone: p.Phone, PhoneAlt: p.PhoneAlt, BestTimeToCall: p.BestTimeToCall, Email: p.Email,
		AddressLine1: p.AddressLine1, AddressLine2: p.AddressLine2, City: p.City, Region: p.Region, PostalCode: p.PostalCode,
		PreferredContactMethod: p.PreferredContactMethod, PreferredLanguage: p.PreferredLanguage,
		InterpreterNeeded: p.InterpreterNeeded, ExternalID: p.ExternalID, RiskTier: string(p.RiskTier),
		ReferralSource: p.ReferralSource, ReferralReason: p.ReferralReason,
	}
	if p.CoordinatorID != nil {
		f.CoordinatorID = *p.CoordinatorID
	}
	if p.ReferralDate != nil {
		f.ReferralDate = p.ReferralDate.Format(calendar.DateLayout)
	}
	return f
}

// Details is a validated DetailsForm, ready to store.
type Details struct {
	DetailsForm
	DOB         time.Time
	Referred    *time.Time
	Tier        RiskTier
	Coordinator *string
}

// Validate checks every field, filling errs, and returns the typed details.
// today bounds dates; coordinators holds the IDs patients may be assigned to.
func (f DetailsForm) Validate(today time.Time, coordinators map[string]bool, errs Errors) Details {
	d := Details{DetailsForm: f}
	errs.Required("given_name", f.GivenName, "Enter the patient's first name.")
	errs.Required("family_name", f.FamilyName, "Enter the patient's last name.")
	for field, v := range map[string]string{"given_name": f.GivenName, "family_name": f.FamilyName, "preferred_name": f.PreferredName, "gender_identity": f.GenderIdentity, "city": f.City, "region": f.Region, "best_time_to_call": f.BestTimeToCall} {
		errs.MaxLen(field, v, 100)
	}
	errs.MaxLen("pronouns", f.Pronouns, 40)
	errs.MaxLen("address_line1", f.AddressLine1, 200)
	errs.MaxLen("address_line2", f.AddressLine2, 200)
	errs.MaxLen("postal_code", f.PostalCode, 20)
	errs.MaxLen("external_id", f.ExternalID, 60)
	errs.MaxLen("referral_source", f.ReferralSource, 200)
	errs.MaxLen("referral_reason", f.ReferralReason, 2000)

	if f.DateOfBirth == "" {
		errs.Add("date_of_birth", "Enter the date of birth.")
	} else if dob, ok := pastDate(errs, "date_of_birth", f.DateOfBirth, today, "Date of birth"); ok {
		if dob.Before(today.AddDate(-120, 0, 0)) {
			errs.Add("date_of_birth", "Date of birth is more than 120 years ago. Check the year.")
		}
		d.DOB = dob
	}
	if f.Sex != "" && !Sexes.Has(f.Sex) {
		errs.Add("sex", "Choose one of the listed options.")
	}
	phone(errs, "phone", f.Phone)
	phone(errs, "phone_alt", f.PhoneAlt)
	errs.Email("email", f.Email)
	if f.Phone == "" && f.Email == "" && (f.AddressLine1 == "" || f.City == "") {
		errs.Add("phone", "Give at least one way to reach the patient: a phone number, an email address or a postal address.")
	}
	if f.PreferredContactMethod != "" && !ContactMethods.Has(f.PreferredContactMethod) {
		errs.Add("preferred_contact_method", "Choose one of the listed contact methods.")
	}
	if f.PreferredLanguage == "" {
		d.PreferredLanguage = "English"
	}
	errs.MaxLen("preferred_language", d.PreferredLanguage, 60)

	d.Tier = RiskTier(f.RiskTier)
	if f.RiskTier == "" {
		d.Tier = Moderate
	} else if !RiskTiers.Has(d.Tier) {
		errs.Add("risk_tier", "Choose low, moderate or high risk.")
	}
	if f.CoordinatorID != "" {
		if !coordinators[f.CoordinatorID] {
			errs.Add("coordinator_id", "Choose a coordinator from the list.")
		} else {
			id := f.CoordinatorID
			d.Coordinator = &id
		}
	}
	if f.ReferralDate != "" {
		if rd, ok := pastDate(errs, "referral_date", f.ReferralDate, today, "Referral date"); ok {
			if !d.DOB.IsZero() && rd.Before(d.DOB) {
				errs.Add("referral_date", "Referral date is before the date of birth.")
			}
			d.Referred = &rd
		}
	}
	return d
}

// CoverageForm is one insurance coverage as typed.
type CoverageForm struct {
	Payer         string
	PlanName      string
	MemberID      string
	GroupNumber   string
	EffectiveFrom string
	EffectiveTo   string
	Primary       bool
}

func (c CoverageForm) empty() bool {
	return c.Payer == "" && c.PlanName == "" && c.MemberID == "" && c.GroupNumber == "" && c.EffectiveFrom == "" && c.EffectiveTo == ""
}

// Coverage is a validated coverage.
type Coverage struct {
	ID            string
	Payer         string
	PlanName      string
	MemberID      string
	GroupNumber   string
	EffectiveFrom *time.Time
	EffectiveTo   *time.Time
	Primary       bool `db:"is_primary"`
}

// ParseCoverage reads one coverage whose fields are named prefix+"payer" etc.
func ParseCoverage(v url.Values, prefix string) CoverageForm {
	g := func(k string) string { return strings.TrimSpace(v.Get(prefix + k)) }
	return CoverageForm{
		Payer: g("payer"), PlanName: g("plan_name"), MemberID: g("member_id"), GroupNumber: g("group_number"),
		EffectiveFrom: g("effective_from"), EffectiveTo: g("effective_to"), Primary: v.Get(prefix+"primary") == "yes",
	}
}

// Validate checks the coverage; prefix names its fields in errs.
func (c CoverageForm) Validate(prefix string, errs Errors) Coverage {
	out := Coverage{Payer: c.Payer, PlanName: c.PlanName, MemberID: c.MemberID, GroupNumber: c.GroupNumber, Primary: c.Primary}
	errs.Required(prefix+"payer", c.Payer, "Enter the payer (the insurer or programme).")
	errs.MaxLen(prefix+"payer", c.Payer, 200)
	errs.MaxLen(prefix+"plan_name", c.PlanName, 200)
	errs.MaxLen(prefix+"member_id", c.MemberID, 60)
	errs.MaxLen(prefix+"group_number", c.GroupNumber, 60)
	out.EffectiveFrom = optionalDate(errs, prefix+"effective_from", c.EffectiveFrom)
	out.EffectiveTo = optionalDate(errs, prefix+"effective_to", c.EffectiveTo)
	if out.EffectiveFrom != nil && out.EffectiveTo != nil && out.EffectiveTo.Before(*out.EffectiveFrom) {
		errs.Add(prefix+"effective_to", "The end date is before the start date.")
	}
	return out
}

// MemberForm is one care-team member as typed.
type MemberForm struct {
	Kind             string
	Name             string
	Relationship     string
	Organisation     string
	Phone            string
	Email            string
	EmergencyContact bool
	ConsentToShare   bool
}

func (m MemberForm) empty() bool {
	return m.Name == "" && m.Relationship == "" && m.Organisation == "" && m.Phone == "" && m.Email == ""
}

// ParseMember reads one care-team member whose fields start with prefix.
func ParseMember(v url.Values, prefix string) MemberForm {
	g := func(k string) string { return strings.TrimSpace(v.Get(prefix + k)) }
	return MemberForm{
		Kind: g("kind"), Name: g("name"), Relationship: g("relationship"), Organisation: g("organisation"),
		Phone: g("phone"), Email: g("email"),
		EmergencyContact: v.Get(prefix+"emergency_contact") == "yes", ConsentToShare: v.Get(prefix+"consent_to_share") == "yes",
	}
}

// Validate checks the member; prefix names its fields in errs.
func (m MemberForm) Validate(prefix string, errs Errors) MemberForm {
	if !CareTeamKinds.Has(m.Kind) {
		errs.Add(prefix+"kind", "Choose who this person is to the patient.")
	}
	errs.Required(prefix+"name", m.Name, "Enter the person's name.")
	errs.MaxLen(prefix+"name", m.Name, 200)
	errs.MaxLen(prefix+"relationship", m.Relationship, 100)
	errs.MaxLen(prefix+"organisation", m.Organisation, 200)
	phone(errs, prefix+"phone", m.Phone)
	errs.Email(prefix+"email", m.Email)
	return m
}

// ConsentForm is one consent as typed.
type ConsentForm struct {
	Kind      string
	GivenOn   string
	GivenBy   string
	ExpiresOn string
}

func (c ConsentForm) empty() bool { return c.GivenOn == "" && c.GivenBy == "" && c.ExpiresOn == "" }

// Consent is a validated consent.
type Consent struct {
	ID        string
	Kind      string
	GivenOn   time.Time
	GivenBy   string
	ExpiresOn *time.Time
	RevokedOn *time.Time
}

// ParseConsent reads one consent whose fields start with prefix.
func ParseConsent(v url.Values, prefix string) ConsentForm {
	g := func(k string) string { return strings.TrimSpace(v.Get(prefix + k)) }
	return ConsentForm{Kind: g("kind"), GivenOn: g("given_on"), GivenBy: g("given_by"), ExpiresOn: g("expires_on")}
}

// Validate checks the consent; prefix names its fields in errs.
func (c ConsentForm) Validate(prefix string, today time.Time, errs Errors) Consent {
	out := Consent{Kind: c.Kind, GivenBy: c.GivenBy}
	if !ConsentKinds.Has(c.Kind) {
		errs.Add(prefix+"kind", "Choose the kind of consent.")
	}
	if c.GivenOn == "" {
		errs.Add(prefix+"given_on", "Enter the date the consent was given.")
	} else if d, ok := pastDate(errs, prefix+"given_on", c.GivenOn, today, "The consent date"); ok {
		out.GivenOn = d
	}
	errs.Required(prefix+"given_by", c.GivenBy, "Enter who gave the consent (the patient, or their representative).")
	errs.MaxLen(prefix+"given_by", c.GivenBy, 200)
	out.ExpiresOn = optionalDate(errs, prefix+"expires_on", c.ExpiresOn)
	if out.ExpiresOn != nil && !out.GivenOn.IsZero() && out.ExpiresOn.Before(out.GivenOn) {
		errs.Add(prefix+"expires_on", "The consent cannot expire before it was given.")
	}
	return out
}

// Intake sizes: how many blank rows of each kind the intake form offers.
// Without JavaScript a form cannot grow, and these cover a first call; more
// can be added from the chart.
const (
	IntakeCoverages = 2
	IntakeMembers   = 3
)

// IntakeForm is the whole intake as typed.
type IntakeForm struct {
	DetailsForm
	Coverages []CoverageForm
	// PrimaryCoverage is the index of the coverage marked primary, as typed.
	PrimaryCoverage string
	CareTeam        []MemberForm
	// Consents has one entry per kind in ConsentKinds order.
	Consents []ConsentForm
	// ConfirmedNew: the coordinator has seen the possible duplicates and
	// says this is a different person.
	ConfirmedNew bool
}

// NewIntakeForm is an empty intake with its blank rows, assigned to the
// coordinator doing the intake.
func NewIntakeForm(coordinatorID string) IntakeForm {
	f := IntakeForm{
		DetailsForm: DetailsForm{CoordinatorID: coordinatorID, RiskTier: string(Moderate), PreferredLanguage: "English"},
		Coverages:   make([]CoverageForm, IntakeCoverages),
		CareTeam:    make([]MemberForm, IntakeMembers),
		Consents:    make([]ConsentForm, len(ConsentKinds)),
	}
	for i, k := range ConsentKinds {
		f.Consents[i].Kind = k.Value
	}
	return f
}

// ParseIntake reads a posted intake form.
func ParseIntake(v url.Values) IntakeForm {
	f := NewIntakeForm("")
	f.DetailsForm = ParseDetails(v)
	for i := range f.Coverages {
		f.Coverages[i] = ParseCoverage(v, "coverage."+strconv.Itoa(i)+".")
	}
	f.PrimaryCoverage = v.Get("coverage_primary")
	for i := range f.CareTeam {
		f.CareTeam[i] = ParseMember(v, "team."+strconv.Itoa(i)+".")
	}
	for i, k := range ConsentKinds {
		c := ParseConsent(v, "consent."+k.Value+".")
		c.Kind = k.Value
		f.Consents[i] = c
	}
	f.ConfirmedNew = v.Get("confirmed_new") == "yes"
	return f
}

// NewPatient is a validated intake, ready to store.
type NewPatient struct {
	Details
	Coverages []Coverage
	CareTeam  []MemberForm
	Consents  []Consent
}

// Validate checks the whole intake. Blank rows are skipped; a partly filled
// row must be complete.
func (f IntakeForm) Validate(today time.Time, coordinators map[string]bool) (NewPatient, Errors) {
	errs := Errors{}
	np := NewPatient{Details: f.DetailsForm.Validate(today, coordinators, errs)}
	for i, c := range f.Coverages {
		if c.empty() {
			continue
		}
		prefix := "coverage." + strconv.Itoa(i) + "."
		cov := c.Validate(prefix, errs)
		cov.Primary = f.PrimaryCoverage == strconv.Itoa(i)
		np.Coverages = append(np.Coverages, cov)
	}
	switch {
	case len(np.Coverages) == 1:
		np.Coverages[0].Primary = true
	case len(np.Coverages) > 1 && !anyPrimary(np.Coverages):
		errs.Add("coverage_primary", "Mark which coverage is primary.")
	}
	for i, m := range f.CareTeam {
		if m.empty() {
			continue
		}
		np.CareTeam = append(np.CareTeam, m.Validate("team."+strconv.Itoa(i)+".", errs))
	}
	for _, c := range f.Consents {
		if c.empty() {
			continue
		}
		prefix := "consent." + c.Kind + "."
		consent := c.Validate(prefix, today, errs)
		consentAfterBirth(errs, prefix, consent, np.DOB)
		np.Consents = append(np.Consents, consent)
	}
	return np, errs
}

// consentAfterBirth refuses a consent given before the patient was born
// (dob zero: not known, nothing to compare).
func consentAfterBirth(errs Errors, prefix string, c Consent, dob time.Time) {
	if !dob.IsZero() && !c.GivenOn.IsZero() && c.GivenOn.Before(dob) {
		errs.Add(prefix+"given_on", "The consent date is before the patient's date of birth. Check the year.")
	}
}

func anyPrimary(cs []Coverage) bool {
	for _, c := range cs {
		if c.Primary {
			return true
		}
	}
	return false
}

// pastDate parses a form date that may not lie in the future.
func pastDate(errs Errors, field, v string, today time.Time, what string) (time.Time, bool) {
	d, err := calendar.ParseDate(v)
	if errors.Is(err, calendar.ErrDateOutOfRange) {
		errs.Add(field, calendar.OutOfRangeMessage)
		return time.Time{}, false
	}
	if err != nil {
		errs.Add(field, "Enter a real date, for example 1958-03-21.")
		return time.Time{}, false
	}
	if d.After(today) {
		errs.Add(field, what+" can't be in the future.")
		return time.Time{}, false
	}
	return d, true
}

func optionalDate(errs Errors, field, v string) *time.Time {
	if v == "" {
		return nil
	}
	d, err := calendar.ParseDate(v)
	if errors.Is(err, calendar.ErrDateOutOfRange) {
		errs.Add(field, calendar.OutOfRangeMessage)
		return nil
	}
	if err != nil {
		errs.Add(field, "Enter a real date, for example 2026-01-31.")
		return nil
	}
	return &d
}

// phone accepts the ways people write phone numbers (+, spaces, dashes,
// dots, brackets) with 7 to 15 digits, the ITU limit.
func phone(errs Errors, field, v string) {
	if v == "" {
		return
	}
	digits := 0
	for i, r := range v {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0, r == ' ', r == '-', r == '.', r == '(', r == ')':
		default:
			errs.Add(field, "Enter a phone number using digits, for example 555-201-3344.")
			return
		}
	}
	if digits < 7 || digits > 15 {
		errs.Add(field, "A phone number has 7 to 15 digits. Check the number.")
	}
}
