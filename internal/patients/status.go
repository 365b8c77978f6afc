package patients

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"carecoord/internal/audit"
	"carecoord/internal/calendar"
	"carecoord/internal/db"
	"carecoord/internal/fail"
	"carecoord/internal/forms"
	"carecoord/internal/tenants"
)

// StatusAction is a coordinator's decision to move a patient to another
// status. Status never changes as a side effect of an edit: each move is one
// of these, recorded on the timeline.
type StatusAction string

// Status actions.
const (
	Enrol     StatusAction = "enrol"
	Hold      StatusAction = "hold"
	Discharge StatusAction = "discharge"
	Reopen    StatusAction = "reopen"
)

// StatusActions lists every action, in the order the chart offers them,
// with how each reads on its button.
var StatusActions = forms.Choices[StatusAction]{
	{Value: Enrol, Label: "Enrol"},
	{Value: Reopen, Label: "Re-open"},
	{Value: Hold, Label: "Put on hold"},
	{Value: Discharge, Label: "Discharge"},
}

// transition is where an action may start and where it leads.
type transition struct {
	from        []Status
	to          Status
	needsReason bool
	// done is the action in the past tense, for the timeline.
	done string
}

var transitions = map[StatusAction]transition{
	Enrol:     {from: []Status{Referred}, to: Active, done: "Enrolled"},
	Hold:      {from: []Status{Active}, to: OnHold, needsReason: true, done: "Put on hold"},
	Discharge: {from: []Status{Referred, Active, OnHold}, to: Discharged, needsReason: true, done: "Discharged"},
	// Taking a held patient back and re-opening a discharged one both lead
	// to active, and both read as "re-open" to a coordinator.
	Reopen: {from: []Status{OnHold, Discharged}, to: Active, done: "Re-opened"},
}

// Label is how the action reads on its button.
func (a StatusAction) Label() string { return StatusActions.Label(a) }

// NeedsReason reports whether the coordinator must say why.
func (a StatusAction) NeedsReason() bool { return transitions[a].needsReason }

// AllowedFrom reports whether the action may be taken from status s.
func (a StatusAction) AllowedFrom(s Status) bool {
	t, ok := transitions[a]
	if !ok {
		return false
	}
	for _, f := range t.from {
		if f == s {
			return true
		}
	}
	return false
}

// ActionsFrom lists the actions a patient in status s can take.
func ActionsFrom(s Status) []StatusAction {
	var out []StatusAction
	for _, a := range StatusActions.Values() {
		if a.AllowedFrom(s) {
			out = append(out, a)
		}
	}
	return out
}

// ErrTransitionNotAllowed means the patient's status does not allow the
// action, e.g. putting a discharged patient on hold.
var ErrTransitionNotAllowed = fail.Precondition("The patient's status does not allow that change.")

// ErrStatusChanged means the patient changed since the page was read.
var ErrStatusChanged = db.ErrConflict.Because("Someone changed this patient while you were working, so the status was not changed. " +
	"The chart below is up to date: check it, then try again.")

// maxReason keeps the timeline line within its 500 characters.
const maxReason = 400

// StatusForm is a status change as posted from the chart.
type StatusForm struct {
	Action  string
	Reason  string
	Version string
}

// ParseStatusForm reads a posted status change.
func ParseStatusForm(v url.Values) StatusForm {
	return StatusForm{
		Action:  strings.TrimSpace(v.Get("action")),
		Reason:  strings.TrimSpace(v.Get("reason")),
		Version: strings.TrimSpace(v.Get("version")),
	}
}

// StatusChange is a validated StatusForm.
type StatusChange struct {
	Action  StatusAction
	Reason  string
	Version int
}

// Validate checks the form, filling errs; the status it starts from is
// checked when the change is stored.
func (f StatusForm) Validate(errs Errors) StatusChange {
	c := StatusChange{Action: StatusAction(f.Action), Reason: f.Reason}
	if _, ok := transitions[c.Action]; !ok {
		errs.Add("action", "Choose what to do with the patient's status.")
		return c
	}
	if c.Action.NeedsReason() {
		errs.Required("reason", f.Reason, "Say why, so the team knows later.")
	}
	errs.MaxLen("reason", f.Reason, maxReason)
	c.Version = forms.Version(f.Version)
	return c
}

// StatusChanged is what a status change did.
type StatusChanged struct {
	From, To Status
}

// ChangeStatus enrols, holds, discharges or re-opens the patient as f
// asks, if the patient is still as the coordinator saw them, with its
// timeline line and audit event.
func (s *Service) ChangeStatus(ctx context.Context, a tenants.Actor, patientID string, f StatusForm) (StatusChanged, error) {
	errs := Errors{}
	c := f.Validate(errs)
	if len(errs) > 0 {
		return StatusChanged{}, fail.Invalid(errs, "")
	}
	var out StatusChanged
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		if out.From, out.To, err = changeStatus(ctx, tx, a, patientID, c); err != nil {
			return err
		}
		return a.Audit(ctx, tx, audit.Event{Action: "patient.status_changed", EntityType: "patient", EntityID: patientID,
			PatientID: patientID, Detail: map[string]any{"action": string(c.Action), "from": string(out.From), "to": string(out.To)}})
	})
	return out, err
}

// changeStatus applies c to the patient if the patient is still at
// c.Version and the action is allowed from the current status, and writes
// the timeline line. It returns the status before and after. A stale
// version is ErrStatusChanged and a disallowed action
// ErrTransitionNotAllowed; neither changes anything.
func changeStatus(ctx context.Context, q db.DBTX, a tenants.Actor, patientID string, c StatusChange) (from, to Status, err error) {
	var version int
	err = q.QueryRow(ctx, `
		select status, version from patients where tenant_id = $1 and id = $2 for update`,
		a.TenantID, patientID).Scan(&from, &version)
	if err != nil {
		return "", "", db.NotFound(err)
	}
	// The version first: a coordinator acting on an old page should hear
	// that the record changed, not that their button no longer applies.
	if version != c.Version {
		return from, "", ErrStatusChanged
	}
	if !c.Action.AllowedFrom(from) {
		return from, "", ErrTransitionNotAllowed.Because("The patient is " + strings.ToLower(from.Label()) +
			", so “" + c.Action.Label() + "” does not apply. The actions that do are below.")
	}
	to = transitions[c.Action].to
	_, err = q.Exec(ctx, `
		update patients set status = $3, version = version + 1, updated_at = $4
		 where tenant_id = $1 and id = $2`,
		a.TenantID, patientID, to, a.At)
	if err != nil {
		return "", "", err
	}
	summary := transitions[c.Action].done
	if c.Reason != "" {
		summary += ": " + c.Reason
	}
	return from, to, AddEvent(ctx, q, a.TenantID, patientID, a.UserID, "status", summary)
}

// ConsentState is where one kind of consent stands today.
type ConsentState string

// Consent states.
const (
	ConsentGiven       ConsentState = "given"
	ConsentExpired     ConsentState = "expired"
	ConsentRevoked     ConsentState = "revoked"
	ConsentNotRecorded ConsentState = "not_recorded"
)

// ConsentStateChoices are how each consent state reads on screen.
var ConsentStateChoices = forms.Choices[ConsentState]{
	{Value: ConsentGiven, Label: "Given"},
	{Value: ConsentExpired, Label: "Expired"},
	{Value: ConsentRevoked, Label: "Revoked"},
	{Value: ConsentNotRecorded, Label: "Not recorded"},
}

// Label is how the state reads on screen.
func (s ConsentState) Label() string { return ConsentStateChoices.Label(s) }

// State is where this one consent stands on the given day. The day, not
// the hour, decides: a consent expiring today is still in force today.
func (c Consent) State(today time.Time) ConsentState {
	switch {
	case c.RevokedOn != nil:
		return ConsentRevoked
	case c.ExpiresOn != nil && c.ExpiresOn.Before(calendar.DateOf(today)):
		return ConsentExpired
	}
	return ConsentGiven
}

// KindState is the standing of one kind of consent.
type KindState struct {
	Kind  forms.Choice[string]
	State ConsentState
	// Expires is when the consent in force ends, if it does.
	Expires *time.Time
}

// ConsentStates tells, for every kind in ConsentKinds order, whether the
// patient's consent is in force today. Any consent in force counts as
// given; otherwise the most recently given one decides.
func ConsentStates(cs []Consent, today time.Time) []KindState {
	out := make([]KindState, len(ConsentKinds))
	for i, k := range ConsentKinds {
		out[i] = kindState(k, cs, today)
	}
	return out
}

func kindState(k forms.Choice[string], cs []Consent, today time.Time) KindState {
	ks := KindState{Kind: k, State: ConsentNotRecorded}
	var newest *Consent
	for i := range cs {
		c := &cs[i]
		if c.Kind != k.Value {
			continue
		}
		if c.State(today) == ConsentGiven {
			return KindState{Kind: k, State: ConsentGiven, Expires: c.ExpiresOn}
		}
		if newest == nil || c.GivenOn.After(newest.GivenOn) {
			newest = c
		}
	}
	if newest != nil {
		ks.State = newest.State(today)
	}
	return ks
}
