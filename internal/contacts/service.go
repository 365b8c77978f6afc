package contacts

import (
	"context"
	"strconv"
	"time"
	"unicode/utf8"

	"carecoord/internal/audit"
	"carecoord/internal/calendar"
	"carecoord/internal/db"
	"carecoord/internal/fail"
	"carecoord/internal/forms"
	"carecoord/internal/patients"
	"carecoord/internal/tasks"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Service is the contact log's use cases: logging a contact, correcting
// it, adding to it, and recording a transition of care. Each takes the
// acting tenants.Actor, runs in the tenant's transaction and writes its
// change together with the patient's timeline lines and audit events, or
// nothing at all.
type Service struct {
	pool       *pgxpool.Pool
	onEvidence patients.OnEvidence
}

// NewService is the contact log's use cases over pool.
func NewService(pool *pgxpool.Pool) *Service { return &Service{pool: pool} }

// ReportingEvidence has the service run f after each contact and
// transition, in its transaction (the risk rules re-evaluate the tier).
func (s *Service) ReportingEvidence(f patients.OnEvidence) *Service {
	s.onEvidence = f
	return s
}

// LogContact checks a contact as typed against the patient's care team,
// open goals and colleagues, and logs it with its goal notes and
// follow-up task; the patient's reach is recounted and any discharge
// follow-up it meets is completed, in one transaction.
func (s *Service) LogContact(ctx context.Context, a tenants.Actor, patientID string, f ContactForm) (Logged, error) {
	var out Logged
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		fp, err := formPage(ctx, tx, a, patientID)
		if err != nil {
			return err
		}
		errs := forms.Errors{}
		c := f.Validate(a.At, a.At.Location(), fp.Choices, errs)
		if len(errs) > 0 {
			return fail.Invalid(errs, "")
		}
		if out, err = logContact(ctx, tx, a, patientID, c); err != nil {
			return err
		}
		return s.onEvidence.Run(ctx, tx, a, patientID)
	})
	return out, err
}

// LogValid logs a contact that was checked already, as LogContact does
// after its checks: for a loader replaying contacts of the past, whose
// follow-ups may have fallen due before the day it replays.
func (s *Service) LogValid(ctx context.Context, a tenants.Actor, patientID string, c NewContact) (Logged, error) {
	var out Logged
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		out, err = logContact(ctx, tx, a, patientID, c)
		return err
	})
	return out, err
}

// logContact stores c and puts it, its follow-up, the tasks it met and
// any change in reach on the timeline and in the audit log.
func logContact(ctx context.Context, q db.DBTX, a tenants.Actor, patientID string, c NewContact) (Logged, error) {
	out, err := store(ctx, q, a, patientID, c)
	if err != nil {
		return out, err
	}
	err = patients.Record(ctx, q, a, patientID, "contact", c.Line(), audit.Event{Action: "contact.logged", EntityType: "contact",
		EntityID: out.ID, Detail: map[string]any{"method": c.Method, "party": c.Party, "outcome": c.Outcome, "goals": len(c.Goals)}})
	if err != nil {
		return out, err
	}
	if out.FollowUpID != "" {
		err = patients.Record(ctx, q, a, patientID, "task", "Follow-up task: "+c.FollowUp.Title+", due "+c.FollowUp.DueAt.Format(calendar.Day),
			audit.Event{Action: "task.created", EntityType: "task", EntityID: out.FollowUpID,
				Detail: map[string]any{"source": string(tasks.FromContact), "contact": out.ID, "assignee": c.FollowUp.AssigneeID}})
		if err != nil {
			return out, err
		}
	}
	return out, recordAfter(ctx, q, a, patientID, out)
}

// recordAfter notes the discharge follow-ups a contact closed (met or late), and when the
// patient became, or stopped being, unable to reach.
func recordAfter(ctx context.Context, q db.DBTX, a tenants.Actor, patientID string, l Logged) error {
	for _, c := range l.Closed {
		err := patients.Record(ctx, q, a, patientID, "task", "Done: "+c.Task.Title+" ("+c.FollowUp.Note(a.At.Location())+")",
			audit.Event{Action: "task.completed", EntityType: "task", EntityID: c.Task.ID,
				Detail: map[string]any{"by": "contact", "follow_up": string(c.FollowUp.State), "day": c.FollowUp.Day}})
		if err != nil {
			return err
		}
	}
	switch {
	case l.Reach.Unreachable() && !l.Before.Unreachable():
		return patients.Record(ctx, q, a, patientID, "reach",
			"Flagged unable to reach: "+strconv.Itoa(l.Reach.UnreachedAttempts)+" attempts in a row without reaching the patient",
			audit.Event{Action: "patient.unreachable", EntityType: "patient", EntityID: patientID})
	case l.Before.Unreachable() && !l.Reach.Unreachable():
		return patients.Record(ctx, q, a, patientID, "reach", "Reached again: no longer flagged unable to reach",
			audit.Event{Action: "patient.reached", EntityType: "patient", EntityID: patientID})
	}
	return nil
}

// CorrectContact replaces a contact's details with its author's
// correction, keeping the earlier wording, within CorrectionWindow of
// logging it and from the version the author read (f.Version). The goals
// and follow-up of the original stay as they were. Anyone else, or the
// author too late, meets ErrCorrectionClosed.
func (s *Service) CorrectContact(ctx context.Context, a tenants.Actor, patientID, contactID string, f ContactForm) (Logged, error) {
	var out Logged
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		fp, err := correctionPage(ctx, tx, a, patientID, contactID)
		if err != nil {
			return err
		}
		c, err := f.validateCorrection(a.At, fp.Choices)
		if err != nil {
			return err
		}
		if out, err = correct(ctx, tx, a, patientID, fp.Contact, f.Version, c); err != nil {
			return err
		}
		err = patients.Record(ctx, tx, a, patientID, "contact", "Contact of "+fp.Contact.OccurredAt.In(a.At.Location()).Format(calendar.Day)+" corrected: "+f.Reason,
			audit.Event{Action: "contact.corrected", EntityType: "contact", EntityID: contactID, Detail: map[string]any{"outcome": c.Outcome}})
		if err != nil {
			return err
		}
		if err := recordAfter(ctx, tx, a, patientID, out); err != nil {
			return err
		}
		return s.onEvidence.Run(ctx, tx, a, patientID)
	})
	return out, err
}

// validateCorrection checks a correction: the contact's details as a new
// contact's, and the reason for correcting it.
func (f ContactForm) validateCorrection(now time.Time, ch Choices) (NewContact, error) {
	// Goals and the follow-up stay with the original contact.
	f.Goals, f.GoalNotes, f.FollowUpTitle, f.FollowUpDue = nil, nil, "", ""
	errs := forms.Errors{}
	c := f.Validate(now, now.Location(), ch, errs)
	if f.Reason == "" {
		errs["reason"] = "Say why you are correcting the contact."
	} else if utf8.RuneCountInString(f.Reason) > 500 {
		errs["reason"] = "Keep the reason to 500 characters or fewer."
	}
	if len(errs) > 0 {
		return c, fail.Invalid(errs, "")
	}
	return c, nil
}

// AddAddendum adds a note to a contact of the patient: anyone who works
// with patients may, at any time, and the contact stays as it was.
func (s *Service) AddAddendum(ctx context.Context, a tenants.Actor, patientID, contactID, note string) error {
	return db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		ct, err := Get(ctx, tx, a.TenantID, patientID, contactID)
		if err != nil {
			return err
		}
		if msg := validateAddendum(note); msg != "" {
			return fail.Invalid(map[string]string{"note": msg}, "")
		}
		id, err := addAddendum(ctx, tx, a, patientID, contactID, note)
		if err != nil {
			return err
		}
		return patients.Record(ctx, tx, a, patientID, "contact", "Addendum to the contact of "+ct.OccurredAt.In(a.At.Location()).Format(calendar.Day),
			audit.Event{Action: "contact.addendum_added", EntityType: "contact", EntityID: contactID, Detail: map[string]any{"addendum": id}})
	})
}
