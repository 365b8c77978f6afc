// Package tasks owns the tasks table and its history: one thing someone on
// the team must do for a patient by a date. Every other package creates,
// completes, moves and cancels tasks through this one, so the rules of a
// task (one per source where a source may raise only one, a version on
// every change, a history line for every action) live in one place.
package tasks

import (
	"time"

	"carecoord/internal/forms"
)

// Status is where a task stands.
type Status string

// Task statuses. Only open tasks appear on worklists.
const (
	Open      Status = "open"
	Done      Status = "done"
	Cancelled Status = "cancelled"
)

// Priority orders tasks; urgent ones are marked wherever they are shown.
type Priority string

// Task priorities.
const (
	Urgent Priority = "urgent"
	Normal Priority = "normal"
)

// Source is what raised a task.
type Source string

// Task sources. Cadence is not raised as tasks: patients due for contact
// are worked out from the cadence rules whenever a worklist is shown, so a
// new setting or a contact changes them at once.
const (
	SafetyAlert       Source = "safety_alert"
	FromContact       Source = "contact"
	FromIntervention  Source = "intervention"
	FromCadence       Source = "cadence"
	FromTransition    Source = "transition"
	FromReferral      Source = "referral"
	FromAuthorization Source = "authorization"
	FromAppointment   Source = "appointment"
	Manual            Source = "manual"
)

// Sources names every source, for the task page.
var Sources = forms.Choices[Source]{
	{Value: SafetyAlert, Label: "Safety alert"},
	{Value: FromContact, Label: "Follow-up of a contact"},
	{Value: FromIntervention, Label: "Care plan"},
	{Value: FromCadence, Label: "Contact cadence"},
	{Value: FromTransition, Label: "Transition of care"},
	{Value: FromReferral, Label: "Referral"},
	{Value: FromAuthorization, Label: "Authorisation"},
	{Value: FromAppointment, Label: "Appointment"},
	{Value: Manual, Label: "Added by hand"},
}

// Label names the source.
func (s Source) Label() string { return Sources.Label(s) }

// sourceColumn is the column that names the record a source's task is
// about; a source not listed names none.
var sourceColumn = map[Source]string{
	SafetyAlert:       "source_assessment_id",
	FromContact:       "source_contact_id",
	FromIntervention:  "source_intervention_id",
	FromTransition:    "source_transition_id",
	FromReferral:      "source_referral_id",
	FromAuthorization: "source_authorization_id",
	FromAppointment:   "source_appointment_id",
}

// onlyOne are the sources that raise at most one task per record, kept by
// a partial unique index each: raising one again finds the first.
var onlyOne = map[Source]bool{SafetyAlert: true, FromIntervention: true, FromReferral: true, FromAppointment: true}

// Task is a task with the names a list shows next to it.
type Task struct {
	ID           string
	PatientID    string
	PatientName  string
	Title        string
	DueAt        time.Time
	AssigneeID   string
	AssigneeName string
	Status       Status
	Priority     Priority
	Source       Source
	// SourceAssessmentID, SourceInterventionID, SourceContactID and
	// SourceTransitionID name the assessment (of a safety alert),
	// care-plan intervention, contact or transition that raised it.
	SourceAssessmentID   string
	SourceInterventionID string
	SourceContactID      string
	SourceTransitionID   string
	// CompletionNote, CompletedAt and CompletedByName say how a done task
	// ended.
	CompletionNote  string
	CompletedAt     *time.Time
	CompletedByName string
	CreatedAt       time.Time
	Version         int
}

// NewTask is a task to create.
type NewTask struct {
	PatientID string
	Title     string
	DueAt     time.Time
	// AssigneeID is who does it. With ToCoordinator, the patient's
	// coordinator does it, and AssigneeID only when the patient has none.
	AssigneeID    string
	ToCoordinator bool
	Priority      Priority
	Source        Source
	// SourceID is the record of Source the task is about: the assessment
	// of a safety alert, the contact of a follow-up, …
	SourceID string
	// CreatedAt is when the task was raised: the acting person's clock
	// reading; zero is the transaction's time.
	CreatedAt time.Time
}

// Title fits text into a task title (titles hold 200 characters).
func Title(text string) string {
	if r := []rune(text); len(r) > 200 {
		return string(r[:199]) + "…"
	}
	return text
}
