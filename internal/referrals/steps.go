package referrals

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"carecoord/internal/audit"
	"carecoord/internal/careplans"
	"carecoord/internal/db"
	"carecoord/internal/forms"
	"carecoord/internal/patients"
	"carecoord/internal/tasks"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// Step is a status change as typed: the new status, the outcome of a
// completed referral, and a note.
type Step struct {
	To      Status
	Outcome Outcome
	Note    string
	// Version is the referral's version as the coordinator saw it.
	Version int
}

// ParseStep reads the status form.
func ParseStep(v url.Values) Step {
	return Step{To: Status(v.Get("status")), Outcome: Outcome(v.Get("outcome")), Note: trimmed(v.Get, "note"),
		Version: forms.Version(v.Get("version"))}
}

// Validate checks the step for a referral that stands at from.
func (s Step) Validate(from Status, errs Errors) {
	if !from.CanMove(s.To) || s.To == Sent {
		errs.Add("status", "Choose what happened from the list.")
		return
	}
	switch s.To {
	case Completed:
		if !Outcomes.Has(s.Outcome) {
			errs.Add("outcome", "Say whether the referral met the need.")
		}
	case Declined, NoResponse, Cancelled:
		errs.Required("note", s.Note, "Say why, so the next person knows.")
	}
	errs.MaxLen("note", s.Note, 2000)
}

// TakeStep records what happened to a referral (accepted, completed with
// its outcome, declined, …), with its timeline line and audit event. A
// step the referral cannot take from where it stands is invalid; a
// referral someone moved meanwhile is ErrReferralChanged.
func (s *Service) TakeStep(ctx context.Context, a tenants.Actor, patientID, id string, st Step) error {
	return db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		r, err := Get(ctx, tx, a.TenantID, patientID, id)
		if err != nil {
			return err
		}
		errs := Errors{}
		st.Validate(r.Status, errs)
		if err := invalid(errs, ""); err != nil {
			return err
		}
		if _, err := Move(ctx, tx, a, r, st); err != nil {
			return err
		}
		summary := "Referral to " + r.ToName + ": " + strings.ToLower(st.To.Label())
		detail := map[string]any{"status": string(st.To)}
		if st.To == Completed {
			summary += ", " + strings.ToLower(st.Outcome.Label())
		}
		if st.Outcome != "" {
			detail["outcome"] = string(st.Outcome)
		}
		if st.Note != "" {
			summary += " — " + st.Note
		}
		if err := patients.AddEvent(ctx, tx, a.TenantID, patientID, a.UserID, "referral", summary); err != nil {
			return err
		}
		return a.Audit(ctx, tx, audit.Event{Action: "referral.status_changed", EntityType: "referral", EntityID: id,
			PatientID: patientID, Detail: detail})
	})
}

// Move takes a step on the referral at a.At, if it still stands where it
// stood at the version the coordinator saw (s.Version):
// ErrReferralChanged otherwise. A step taken ends the referral's
// no-response follow-up: there is nothing left to chase. It returns the
// referral as moved.
func Move(ctx context.Context, q db.DBTX, a tenants.Actor, r Referral, s Step) (Referral, error) {
	if !r.Status.CanMove(s.To) || s.To == Sent {
		return r, ErrReferralChanged
	}
	var outcome *Outcome
	note := ""
	if s.To == Completed {
		outcome, note = &s.Outcome, s.Note
	}
	tag, err := q.Exec(ctx, `
		update referrals set status = $5, outcome = $6, outcome_note = $7,
			closed_at = case when $5 in ('completed', 'declined', 'no_response', 'cancelled') then $9::timestamptz end,
			updated_at = $9, version = version + 1
		 where tenant_id = $1 and patient_id = $2 and id = $3 and version = $4 and status = $8`,
		a.TenantID, r.PatientID, r.ID, s.Version, s.To, outcome, note, r.Status, a.At)
	if err := moved(ctx, q, err, tag.RowsAffected(), a.TenantID, r.ID); err != nil {
		return r, err
	}
	if err := tasks.CancelRaisedBy(ctx, q, a.TenantID, tasks.FromReferral, []string{r.ID}); err != nil {
		return r, err
	}
	r.Status, r.OutcomeNote, r.UpdatedAt, r.Version = s.To, note, a.At, s.Version+1
	if outcome != nil {
		r.Outcome = *outcome
	}
	if !s.To.Open() {
		r.ClosedAt = &a.At
	}
	return r, addEvent(ctx, q, a, r.ID, s.To, s.Note)
}

// Loop is what is left to close on the plan after a referral met its
// need: whether the need is still open, and whether the goal is still
// being worked on in an open plan (with the plan's id and version).
type Loop struct {
	NeedOpen    bool
	GoalOpen    bool
	PlanID      string
	PlanVersion int
}

// loopOf is what closing the loop would do for the referral, or nil when
// there is nothing to offer: it did not end with the need met, or the
// need and the goal are closed already.
func loopOf(ctx context.Context, q db.DBTX, tenantID string, r Referral) (*Loop, error) {
	if r.Status != Completed || r.Outcome != Met {
		return nil, nil
	}
	var l Loop
	if r.NeedID != "" {
		err := q.QueryRow(ctx, `select status in ('identified', 'addressing') from needs where tenant_id = $1 and id = $2`,
			tenantID, r.NeedID).Scan(&l.NeedOpen)
		if err != nil {
			return nil, err
		}
	}
	if r.GoalID != "" {
		err := q.QueryRow(ctx, `
			select c.id, c.version
			  from goals g
			  join care_plans c on c.tenant_id = g.tenant_id and c.id = g.plan_id
			 where g.tenant_id = $1 and g.id = $2 and c.status in ('draft', 'active') and g.status in ('proposed', 'in_progress')`,
			tenantID, r.GoalID).Scan(&l.PlanID, &l.PlanVersion)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return nil, err
		}
		l.GoalOpen = err == nil
	}
	if !l.NeedOpen && !l.GoalOpen {
		return nil, nil
	}
	return &l, nil
}

// CloseLoop accepts what a referral that met its need proposes: the need
// is resolved and the goal marked achieved (progress on the plan, without
// a revision to approve), in one transaction with the timeline line and
// audit event. It returns what was closed, in words. A referral with
// nothing to close is ErrReferralChanged.
func (s *Service) CloseLoop(ctx context.Context, a tenants.Actor, patientID, id string) (string, error) {
	var summary string
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		r, err := Get(ctx, tx, a.TenantID, patientID, id)
		if err != nil {
			return err
		}
		loop, err := loopOf(ctx, tx, a.TenantID, r)
		if err != nil {
			return err
		}
		if loop == nil {
			return ErrReferralChanged
		}
		var done []string
		if loop.NeedOpen {
			if err := careplans.ResolveNeed(ctx, tx, a.TenantID, patientID, r.NeedID); err != nil {
				return err
			}
			done = append(done, "need “"+careplans.DomainLabel(r.NeedDomain)+"” resolved")
		}
		if loop.GoalOpen {
			ref := careplans.Ref{TenantID: a.TenantID, PatientID: patientID, PlanID: loop.PlanID}
			if err := careplans.SetGoalStatus(ctx, tx, ref, a.UserID, r.GoalID, careplans.GoalAchieved, loop.PlanVersion); err != nil {
				return err
			}
			done = append(done, "goal “"+r.GoalWords+"” achieved")
		}
		summary = strings.Join(done, " and ")
		if err := patients.AddEvent(ctx, tx, a.TenantID, patientID, a.UserID, "referral",
			"Referral to "+r.ToName+" met the need: "+summary); err != nil {
			return err
		}
		return a.Audit(ctx, tx, audit.Event{Action: "referral.loop_closed", EntityType: "referral", EntityID: id,
			PatientID: patientID, Detail: map[string]any{"need": r.NeedID, "goal": r.GoalID}})
	})
	return summary, err
}
