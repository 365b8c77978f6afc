package contacts

import (
	"context"
	"net/url"
	"strings"
	"time"

	"carecoord/internal/audit"
	"carecoord/internal/calendar"
	"carecoord/internal/db"
	"carecoord/internal/fail"
	"carecoord/internal/forms"
	"carecoord/internal/patients"
	"carecoord/internal/tasks"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// TransitionKinds are the transitions of care a coordinator records.
var TransitionKinds = forms.Choices[string]{
	{Value: "admission", Label: "Hospital admission"},
	{Value: "discharge", Label: "Hospital discharge"},
	{Value: "emergency_visit", Label: "Emergency department visit"},
	{Value: "care_facility", Label: "Move to a care facility"},
}

// DischargeFollowUpDays is how many days after a hospital discharge the
// patient must have been reached.
const DischargeFollowUpDays = 7

// TransitionForm is a transition as typed.
type TransitionForm struct {
	Kind       string
	Facility   string
	OccurredOn string
	AdmittedOn string
	Notes      string
}

// ParseTransitionForm reads a posted transition.
func ParseTransitionForm(v url.Values) TransitionForm {
	g := func(k string) string { return strings.TrimSpace(v.Get(k)) }
	return TransitionForm{Kind: g("kind"), Facility: g("facility"), OccurredOn: g("occurred_on"), AdmittedOn: g("admitted_on"), Notes: g("notes")}
}

// NewTransition is a validated transition.
type NewTransition struct {
	Kind       string
	Facility   string
	OccurredOn time.Time
	AdmittedOn *time.Time
	Notes      string
}

// Validate checks the form against today's date in loc.
func (f TransitionForm) Validate(now time.Time, loc *time.Location, errs forms.Errors) NewTransition {
	t := NewTransition{Kind: f.Kind, Facility: f.Facility, Notes: f.Notes}
	choose(errs, "kind", f.Kind, TransitionKinds, "Choose what happened.")
	if f.Facility == "" {
		errs.Add("facility", "Enter the hospital or facility.")
	}
	errs.MaxLen("facility", f.Facility, 200)
	errs.MaxLen("notes", f.Notes, 4000)
	today := calendar.DateOf(now.In(loc))
	if on, ok := pastDay(errs, "occurred_on", f.OccurredOn, today, "Enter the day it happened."); ok {
		t.OccurredOn = on
	}
	if f.AdmittedOn != "" {
		if f.Kind != "discharge" {
			errs.Add("admitted_on", "Only a discharge has an admission date. Clear it, or choose a discharge.")
		} else if in, ok := pastDay(errs, "admitted_on", f.AdmittedOn, today, ""); ok {
			if !t.OccurredOn.IsZero() && in.After(t.OccurredOn) {
				errs.Add("admitted_on", "The admission can't be after the discharge.")
			} else {
				t.AdmittedOn = &in
			}
		}
	}
	return t
}

// pastDay reads a day typed into a form that may not lie after today.
func pastDay(errs forms.Errors, field, v string, today time.Time, missing string) (time.Time, bool) {
	if v == "" {
		errs.Add(field, missing)
		return time.Time{}, false
	}
	d, err := calendar.ParseDate(v)
	switch {
	case err != nil:
		errs.Add(field, "Enter a real date, for example 2026-03-02.")
	case d.After(today):
		errs.Add(field, "This can't be in the future. Record a planned admission when it happens.")
	case d.Before(today.AddDate(-1, 0, 0)):
		errs.Add(field, "That is more than a year ago. Check the year.")
	default:
		return d, true
	}
	return time.Time{}, false
}

// Recorded is what recording a transition did.
type Recorded struct {
	ID string
	// FollowUp is the discharge follow-up task, when one was created.
	FollowUp *tasks.Task
	// Closed is the follow-up closed at once, by an engagement since.
	Closed []Closed
	// Excluded are the earlier discharges this one excluded.
	Excluded []Excluded
}

// storeTransition stores a transition recorded by a. A discharge opens a
// follow-up task for assigneeID, due by the end of the seventh day after
// it (on loc's calendar), which closes as FollowUpOutcome decides: at once
// when the patient was engaged on a day after it already. The discharge
// keeps its engagement (settleFollowUps). An admission,
// a second discharge or a move to a care facility excludes the earlier
// discharges whose window it falls in (see excludeEarlierDischarges).
func storeTransition(ctx context.Context, q db.DBTX, a tenants.Actor, patientID, assigneeID string, t NewTransition, loc *time.Location) (Recorded, error) {
	var out Recorded
	if _, err := lockReach(ctx, q, a.TenantID, patientID); err != nil {
		return out, err
	}
	err := q.QueryRow(ctx, `
		insert into care_transitions (tenant_id, patient_id, kind, facility, occurred_on, admitted_on, notes, recorded_by, created_at)
		values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id`,
		a.TenantID, patientID, t.Kind, t.Facility, t.OccurredOn, t.AdmittedOn, t.Notes, a.UserID, a.At).Scan(&out.ID)
	if err != nil {
		return out, err
	}
	if out.Excluded, err = excludeEarlierDischarges(ctx, q, a, patientID, out.ID, t); err != nil || t.Kind != "discharge" {
		return out, err
	}
	taskID, _, err := tasks.Create(ctx, q, a.TenantID, tasks.NewTask{
		PatientID: patientID, Title: "Follow up after discharge from " + t.Facility,
		DueAt: calendar.EndOfDate(t.OccurredOn.AddDate(0, 0, DischargeFollowUpDays), loc), AssigneeID: assigneeID,
		Source: tasks.FromTransition, SourceID: out.ID, CreatedAt: a.At,
	})
	if err != nil {
		return out, err
	}
	if out.Closed, err = settleFollowUps(ctx, q, a, patientID, nil, loc, true); err != nil {
		return out, err
	}
	task, err := tasks.Get(ctx, q, a.TenantID, patientID, taskID)
	out.FollowUp = &task
	return out, err
}

// Transition is a recorded transition of care.
type Transition struct {
	ID           string
	PatientID    string
	Kind         string
	Facility     string
	OccurredOn   time.Time
	AdmittedOn   *time.Time
	Notes        string
	RecorderName string
	CreatedAt    time.Time
	// ExcludedReason (one of Exclusions) and ExcludedOn say why and since
	// when a discharge is left out of the follow-up measure; "" and nil
	// when it is not.
	ExcludedReason string
	ExcludedOn     *time.Time
	Version        int
}

const transitionSelect = `
	select t.id, t.patient_id, t.kind, t.facility, t.occurred_on, t.admitted_on, t.notes, u.name as recorder_name, t.created_at,
	       coalesce(t.excluded_reason, '') as excluded_reason, t.excluded_on, t.version
	  from care_transitions t join users u on u.id = t.recorded_by
	 where t.tenant_id = $1 and t.patient_id = $2 `

// Transitions lists the patient's transitions, latest first.
func Transitions(ctx context.Context, q db.DBTX, tenantID, patientID string, limit int) ([]Transition, error) {
	return transitionsQuery(tenantID, patientID, limit).All(ctx, q)
}

func transitionsQuery(tenantID, patientID string, limit int) db.Query[Transition] {
	return db.Query[Transition]{SQL: transitionSelect + `order by t.occurred_on desc, t.created_at desc limit $3`, Args: []any{tenantID, patientID, limit}, Scan: pgx.RowToStructByName[Transition]}
}

// TransitionOf reads one transition of the patient.
func TransitionOf(ctx context.Context, q db.DBTX, tenantID, patientID, id string) (Transition, error) {
	rows, _ := q.Query(ctx, transitionSelect+`and t.id = $3`, tenantID, patientID, id)
	t, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Transition])
	return t, db.NotFound(err)
}

// TransitionCount is how many transitions of one kind happened.
type TransitionCount struct {
	Kind  string
	Count int
}

// CountTransitions counts the tenant's transitions by kind on the days from
// since to until inclusive, for supervisors' measures.
func CountTransitions(ctx context.Context, q db.DBTX, tenantID string, since, until time.Time) ([]TransitionCount, error) {
	rows, _ := q.Query(ctx, `
		select kind, count(*)::int as count from care_transitions
		 where tenant_id = $1 and occurred_on between $2 and $3
		 group by kind order by kind`, tenantID, since, until)
	return pgx.CollectRows(rows, pgx.RowToStructByName[TransitionCount])
}

// Closed is a discharge follow-up task a contact closed, and how.
type Closed struct {
	Task     tasks.Task
	FollowUp FollowUp
}

// followUpContacts reads the patient's contacts from the day before since
// on (a margin for any time zone): those a follow-up of a discharge on or
// after since could count.
func followUpContacts(ctx context.Context, q db.DBTX, tenantID, patientID string, since time.Time) ([]FollowUpContact, error) {
	rows, _ := q.Query(ctx, `
		select occurred_at as at, method, party, outcome from contacts
		 where tenant_id = $1 and patient_id = $2 and occurred_at >= $3`,
		tenantID, patientID, since.AddDate(0, 0, -1))
	return pgx.CollectRows(rows, pgx.RowToStructByName[FollowUpContact])
}

// RecordTransition records an admission, discharge, emergency visit or
// move to a care facility on the chart and the timeline. A discharge
// opens a follow-up task for the patient's coordinator (or, for a patient
// without one, for whoever records it), due within DischargeFollowUpDays.
func (s *Service) RecordTransition(ctx context.Context, a tenants.Actor, patientID string, f TransitionForm) (Recorded, error) {
	errs := forms.Errors{}
	t := f.Validate(a.At, a.At.Location(), errs)
	if len(errs) > 0 {
		return Recorded{}, fail.Invalid(errs, "")
	}
	var rec Recorded
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		p, err := patients.Get(ctx, tx, a.TenantID, patientID)
		if err != nil {
			return err
		}
		assignee := a.UserID
		if p.CoordinatorID != nil {
			assignee = *p.CoordinatorID
		}
		if rec, err = storeTransition(ctx, tx, a, patientID, assignee, t, a.At.Location()); err != nil {
			return err
		}
		err = patients.Record(ctx, tx, a, patientID, "transition", TransitionKinds.Label(t.Kind)+": "+t.Facility+", "+t.OccurredOn.Format(calendar.Day),
			audit.Event{Action: "transition.recorded", EntityType: "care_transition", EntityID: rec.ID, Detail: map[string]any{"kind": t.Kind}})
		if err != nil {
			return err
		}
		if err := recordExclusions(ctx, tx, a, patientID, rec.Excluded); err != nil {
			return err
		}
		if err := s.onEvidence.Run(ctx, tx, a, patientID); err != nil || rec.FollowUp == nil {
			return err
		}
		line := "Follow-up task: " + rec.FollowUp.Title + ", due " + rec.FollowUp.DueAt.In(a.At.Location()).Format(calendar.Day)
		for _, c := range rec.Closed {
			line += " (" + c.FollowUp.Note(a.At.Location()) + ")"
		}
		return patients.Record(ctx, tx, a, patientID, "task", line, audit.Event{Action: "task.created", EntityType: "task", EntityID: rec.FollowUp.ID,
			Detail: map[string]any{"source": string(tasks.FromTransition), "transition": rec.ID, "assignee": assignee}})
	})
	return rec, err
}

// EmergencyVisits lists the patient's emergency department visits on or
// after since, latest first: the evidence of the risk rules.
func EmergencyVisits(ctx context.Context, q db.DBTX, tenantID, patientID string, since time.Time) ([]Transition, error) {
	rows, _ := q.Query(ctx, transitionSelect+`and t.kind = 'emergency_visit' and t.occurred_on >= $3
		 order by t.occurred_on desc, t.created_at desc`, tenantID, patientID, since)
	return pgx.CollectRows(rows, pgx.RowToStructByName[Transition])
}
