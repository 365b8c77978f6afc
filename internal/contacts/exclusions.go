package contacts

import (
	"context"
	"net/url"
	"strconv"
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

// Excluded is a discharge left out of the follow-up measure, and its task
// cancelled for it.
type Excluded struct {
	ID, Facility   string
	On             time.Time // the discharge date
	Reason         string
	ExcludedOn     time.Time
	CancelledTasks []string
}

// Line is the exclusion as the timeline says it.
func (e Excluded) Line() string {
	line := "Discharge from " + e.Facility + " on " + e.On.Format(calendar.Day) + " left out of the 7-day follow-up: " +
		strings.ToLower(Exclusions.Label(e.Reason)) + " on " + e.ExcludedOn.Format(calendar.Day) + "."
	if len(e.CancelledTasks) > 0 {
		line += " Its follow-up task was cancelled."
	}
	return line
}

// exclusionNote is the note a cancelled follow-up task keeps.
func exclusionNote(reason string, on time.Time) string {
	return "Cancelled: " + strings.ToLower(Exclusions.Label(reason)) + " on " + on.Format(calendar.Day) +
		", so this discharge is left out of the 7-day follow-up."
}

// ErrTransitionChanged means someone changed the transition's exclusion
// since the person read it.
var ErrTransitionChanged = db.ErrConflict.Because("Someone changed this discharge while you were editing it, so your change was not saved. " +
	"Your answers are kept below; look at the discharge again, then save.")

// ErrNotADischarge means an exclusion was asked of a transition that is
// not a hospital discharge.
var ErrNotADischarge = fail.Precondition("Only a hospital discharge has a follow-up to exclude.")

// excludeEarlierDischarges records, for a transition t just stored as
// newID, the exclusion of the patient's earlier discharges whose window it
// falls in: an admission on days 1 to 7 after a discharge, or a second
// discharge then, is a readmission; a move to a care facility on days 0 to
// 7 a transfer. The day of the exclusion is the admission's (a second
// discharge's stay began on admitted_on, when known).
func excludeEarlierDischarges(ctx context.Context, q db.DBTX, a tenants.Actor, patientID, newID string, t NewTransition) ([]Excluded, error) {
	reason, day, sameDay := "readmitted", t.OccurredOn, false
	switch t.Kind {
	case "care_facility":
		reason, sameDay = "transferred", true
	case "discharge":
		if t.AdmittedOn != nil {
			day = *t.AdmittedOn
		}
	case "admission":
	default:
		return nil, nil
	}
	rows, err := q.Query(ctx, `
		update care_transitions
		   set excluded_reason = $4, excluded_on = greatest(occurred_on, $5::date), excluded_by = $6, excluded_at = $7, version = version + 1
		 where tenant_id = $1 and patient_id = $2 and id <> $3 and kind = 'discharge' and excluded_reason is null
		   and occurred_on >= $8::date - $9::int and (occurred_on < $8::date or ($10 and occurred_on = $8::date))
		returning id, facility, occurred_on, excluded_reason, excluded_on`,
		a.TenantID, patientID, newID, reason, day, a.UserID, a.At, t.OccurredOn, DischargeFollowUpDays, sameDay)
	if err != nil {
		return nil, err
	}
	ex, err := pgx.CollectRows(rows, scanExcluded)
	if err != nil {
		return nil, err
	}
	return ex, cancelExcluded(ctx, q, a.TenantID, ex)
}

func scanExcluded(r pgx.CollectableRow) (e Excluded, err error) {
	return e, r.Scan(&e.ID, &e.Facility, &e.On, &e.Reason, &e.ExcludedOn)
}

// cancelExcluded cancels the open follow-up tasks of excluded discharges,
// each with its reason.
func cancelExcluded(ctx context.Context, q db.DBTX, tenantID string, ex []Excluded) (err error) {
	for i, e := range ex {
		ex[i].CancelledTasks, err = tasks.CancelRaisedByBecause(ctx, q, tenantID, tasks.FromTransition, []string{e.ID}, exclusionNote(e.Reason, e.ExcludedOn))
		if err != nil {
			return err
		}
	}
	return nil
}

// recordExclusions puts each exclusion, and the task it cancelled, on the
// patient's timeline and in the audit log.
func recordExclusions(ctx context.Context, q db.DBTX, a tenants.Actor, patientID string, ex []Excluded) error {
	for _, e := range ex {
		err := patients.Record(ctx, q, a, patientID, "transition", e.Line(), audit.Event{Action: "transition.excluded",
			EntityType: "care_transition", EntityID: e.ID,
			Detail: map[string]any{"reason": e.Reason, "on": e.ExcludedOn.Format(calendar.DateLayout), "cancelled_tasks": e.CancelledTasks}})
		if err != nil {
			return err
		}
	}
	return nil
}

// ExclusionForm is an exclusion of a discharge as typed.
type ExclusionForm struct {
	Reason, On string
	Version    int
}

// ParseExclusionForm reads a posted exclusion.
func ParseExclusionForm(v url.Values) ExclusionForm {
	n, _ := strconv.Atoi(v.Get("version"))
	return ExclusionForm{Reason: strings.TrimSpace(v.Get("reason")), On: strings.TrimSpace(v.Get("excluded_on")), Version: n}
}

// Validate checks the exclusion against the discharge d and today's date:
// on or after the discharge, not in the future, and a readmission or
// transfer within the 7-day window.
func (f ExclusionForm) Validate(d Transition, today time.Time, errs forms.Errors) time.Time {
	choose(errs, "reason", f.Reason, Exclusions, "Choose why this discharge is left out.")
	if f.On == "" {
		errs.Add("excluded_on", "Enter the day it happened.")
		return time.Time{}
	}
	on, err := calendar.ParseDate(f.On)
	switch {
	case err != nil:
		errs.Add("excluded_on", "Enter a real date, for example 2026-03-02.")
	case on.After(today):
		errs.Add("excluded_on", "This can't be in the future.")
	case on.Before(d.OccurredOn):
		errs.Add("excluded_on", "This can't be before the discharge on "+d.OccurredOn.Format(calendar.Day)+".")
	case withinWindowOnly[f.Reason] && daysBetween(d.OccurredOn, on) > DischargeFollowUpDays:
		errs.Add("excluded_on", "A readmission or transfer after day 7 ("+d.OccurredOn.AddDate(0, 0, DischargeFollowUpDays).Format(calendar.Day)+
			") does not exclude this discharge: the 7-day window had closed.")
	}
	return on
}

// ExcludeDischarge records why a discharge of the patient leaves the
// follow-up measure (f), from the version the person read; its open
// follow-up task is cancelled with the reason, on the timeline and in the
// audit log, in one transaction. A follow-up already met or late stays
// done: the measure leaves the discharge out all the same.
func (s *Service) ExcludeDischarge(ctx context.Context, a tenants.Actor, patientID, transitionID string, f ExclusionForm) (Excluded, error) {
	var out Excluded
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		d, err := TransitionOf(ctx, tx, a.TenantID, patientID, transitionID)
		if err != nil {
			return err
		}
		if d.Kind != "discharge" {
			return ErrNotADischarge
		}
		errs := forms.Errors{}
		on := f.Validate(d, calendar.DateOf(a.At), errs)
		if len(errs) > 0 {
			return fail.Invalid(errs, "")
		}
		if out, err = exclude(ctx, tx, a, d, f, on); err != nil {
			return err
		}
		return recordExclusions(ctx, tx, a, patientID, []Excluded{out})
	})
	return out, err
}

// exclude stores the exclusion of discharge d under the version read and
// cancels its open follow-up task.
func exclude(ctx context.Context, q db.DBTX, a tenants.Actor, d Transition, f ExclusionForm, on time.Time) (Excluded, error) {
	rows, _ := q.Query(ctx, `
		update care_transitions
		   set excluded_reason = $4, excluded_on = $5, excluded_by = $6, excluded_at = $7, version = version + 1
		 where tenant_id = $1 and patient_id = $2 and id = $3 and version = $8
		returning id, facility, occurred_on, excluded_reason, excluded_on`,
		a.TenantID, d.PatientID, d.ID, f.Reason, on, a.UserID, a.At, f.Version)
	ex, err := pgx.CollectRows(rows, scanExcluded)
	if err != nil {
		return Excluded{}, err
	}
	if len(ex) == 0 {
		return Excluded{}, ErrTransitionChanged
	}
	return ex[0], cancelExcluded(ctx, q, a.TenantID, ex)
}

// ExclusionPage is what the exclusion form of a discharge shows.
type ExclusionPage struct {
	PatientName string
	Discharge   Transition
	// FollowUp is where the discharge's follow-up stands now.
	FollowUp FollowUp
}

// DischargeExclusionPage reads a discharge of the patient for its
// exclusion form, with where its follow-up stands; reading it is audited.
func (s *Service) DischargeExclusionPage(ctx context.Context, a tenants.Actor, patientID, transitionID string) (ExclusionPage, error) {
	var pg ExclusionPage
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		p, err := patients.Get(ctx, tx, a.TenantID, patientID)
		if err != nil {
			return err
		}
		pg.PatientName = p.DisplayName()
		if pg.Discharge, err = TransitionOf(ctx, tx, a.TenantID, patientID, transitionID); err != nil {
			return err
		}
		if pg.Discharge.Kind != "discharge" {
			return ErrNotADischarge
		}
		cs, err := followUpContacts(ctx, tx, a.TenantID, patientID, pg.Discharge.OccurredOn)
		if err != nil {
			return err
		}
		d := Discharge{On: pg.Discharge.OccurredOn, ExcludedReason: pg.Discharge.ExcludedReason}
		pg.FollowUp = FollowUpOutcome(d, cs, a.At, a.At.Location())
		return a.AuditView(ctx, tx, audit.Event{Action: "transition.viewed", EntityType: "care_transition", EntityID: transitionID, PatientID: patientID})
	})
	return pg, err
}

// FormOfExclusion is the exclusion form of discharge d as it stands.
func FormOfExclusion(d Transition) ExclusionForm {
	f := ExclusionForm{Reason: d.ExcludedReason, Version: d.Version}
	if d.ExcludedOn != nil {
		f.On = d.ExcludedOn.Format(calendar.DateLayout)
	}
	return f
}
