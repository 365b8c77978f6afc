// Package patients holds the patient record: intake and its validation,
// possible-duplicate detection, search, the care team, coverage, consents,
// status changes and the chart's timeline.
package patients

import (
	"time"

	"carecoord/internal/forms"
)

// Status is where the patient stands in the programme.
type Status string

// Patient statuses, in the order a patient usually passes through them.
const (
	Referred   Status = "referred"
	Active     Status = "active"
	OnHold     Status = "on_hold"
	Discharged Status = "discharged"
)

// Statuses lists every status, for filters and checks, with how each reads
// on screen.
var Statuses = forms.Choices[Status]{
	{Value: Referred, Label: "Referred"},
	{Value: Active, Label: "Active"},
	{Value: OnHold, Label: "On hold"},
	{Value: Discharged, Label: "Discharged"},
}

// Label is how the status reads on screen.
func (s Status) Label() string { return Statuses.Label(s) }

// RiskTier sets how closely a patient is followed.
type RiskTier string

// Risk tiers.
const (
	Low      RiskTier = "low"
	Moderate RiskTier = "moderate"
	High     RiskTier = "high"
)

// RiskTiers lists every tier, lowest first, with how each reads on screen.
var RiskTiers = forms.Choices[RiskTier]{
	{Value: Low, Label: "Low risk"},
	{Value: Moderate, Label: "Moderate risk"},
	{Value: High, Label: "High risk"},
}

// Label is how the tier reads on screen.
func (r RiskTier) Label() string { return RiskTiers.Label(r) }

// Patient is the record at the centre of the chart.
type Patient struct {
	ID                     string
	GivenName              string
	FamilyName             string
	PreferredName          string
	DateOfBirth            time.Time
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
	Status                 Status
	RiskTier               RiskTier
	CoordinatorID          *string
	CoordinatorName        string
	ReferralSource         string
	ReferralDate           *time.Time
	ReferralReason         string
	Version                int
	CreatedAt              time.Time
	UpdatedAt              time.Time
}

// DisplayName is the name to address the patient by: preferred name first
// when they have one.
func (p Patient) DisplayName() string {
	if p.PreferredName != "" && p.PreferredName != p.GivenName {
		return p.PreferredName + " (" + p.GivenName + ") " + p.FamilyName
	}
	return p.GivenName + " " + p.FamilyName
}

// Age is the patient's age in whole years on the given day.
func (p Patient) Age(on time.Time) int {
	return Age(p.DateOfBirth, on)
}

// Age is the age in whole years of someone born on dob, on the given day.
func Age(dob, on time.Time) int {
	years := on.Year() - dob.Year()
	if on.Month() < dob.Month() || (on.Month() == dob.Month() && on.Day() < dob.Day()) {
		years--
	}
	return years
}

// Sexes are the recorded sex options (gender identity is free text).
var Sexes = forms.Choices[string]{{Value: "female", Label: "Female"}, {Value: "male", Label: "Male"}, {Value: "intersex", Label: "Intersex"}, {Value: "unknown", Label: "Unknown / not disclosed"}}

// ContactMethods are the ways a patient can prefer to be reached.
var ContactMethods = forms.Choices[string]{{Value: "phone", Label: "Phone call"}, {Value: "text", Label: "Text message"}, {Value: "email", Label: "Email"}, {Value: "mail", Label: "Post"}, {Value: "in_person", Label: "In person"}}

// CareTeamKinds are the kinds of people on a care team.
var CareTeamKinds = forms.Choices[string]{
	{Value: "caregiver", Label: "Family or caregiver"},
	{Value: "primary_care", Label: "Primary care provider"},
	{Value: "specialist", Label: "Specialist"},
	{Value: "behavioral_health", Label: "Behavioural health"},
	{Value: "payer", Label: "Payer / health plan"},
	{Value: "community", Label: "Community organisation"},
	{Value: "other", Label: "Other"},
}

// ConsentKinds are the consents a patient can give.
var ConsentKinds = forms.Choices[string]{
	{Value: "treatment", Label: "Consent to care coordination"},
	{Value: "information_sharing", Label: "Sharing information with the care team"},
	{Value: "text_messages", Label: "Text messages"},
}
