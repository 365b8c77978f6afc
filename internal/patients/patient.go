// Package patients holds the patient record: intake and its validation,
// possible-duplicate detection, search, the care team, coverage, consents,
// status changes and the chart's timeline.
package patients

import (
	"time"
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

// Statuses lists every status, for filters and checks.
var Statuses = []Status{Referred, Active, OnHold, Discharged}

// Label is how the status reads on screen.
func (s Status) Label() string {
	switch s {
	case Referred:
		return "Referred"
	case Active:
		return "Active"
	case OnHold:
		return "On hold"
	case Discharged:
		return "Discharged"
	}
	return string(s)
}

// RiskTier sets how closely a patient is followed.
type RiskTier string

// Risk tiers.
const (
	Low      RiskTier = "low"
	Moderate RiskTier = "moderate"
	High     RiskTier = "high"
)

// RiskTiers lists every tier, lowest first.
var RiskTiers = []RiskTier{Low, Moderate, High}

// Label is how the tier reads on screen.
func (r RiskTier) Label() string {
	switch r {
	case Low:
		return "Low risk"
	case Moderate:
		return "Moderate risk"
	case High:
		return "High risk"
	}
	return string(r)
}

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

// Option is a value with its label, for enums offered in forms.
type Option struct {
	Value string
	Label string
}

// Sexes are the recorded sex options (gender identity is free text).
var Sexes = []Option{{"female", "Female"}, {"male", "Male"}, {"intersex", "Intersex"}, {"unknown", "Unknown / not disclosed"}}

// ContactMethods are the ways a patient can prefer to be reached.
var ContactMethods = []Option{{"phone", "Phone call"}, {"text", "Text message"}, {"email", "Email"}, {"mail", "Post"}, {"in_person", "In person"}}

// CareTeamKinds are the kinds of people on a care team.
var CareTeamKinds = []Option{
	{"caregiver", "Family or caregiver"},
	{"primary_care", "Primary care provider"},
	{"specialist", "Specialist"},
	{"behavioral_health", "Behavioural health"},
	{"payer", "Payer / health plan"},
	{"community", "Community organisation"},
	{"other", "Other"},
}

// ConsentKinds are the consents a patient can give.
var ConsentKinds = []Option{
	{"treatment", "Consent to care coordination"},
	{"information_sharing", "Sharing information with the care team"},
	{"text_messages", "Text messages"},
}

// LabelOf returns the label of value among opts, or value itself.
func LabelOf(opts []Option, value string) string {
	for _, o := range opts {
		if o.Value == value {
			return o.Label
		}
	}
	return value
}

func validOption(opts []Option, value string) bool {
	for _, o := range opts {
		if o.Value == value {
			return true
		}
	}
	return false
}
