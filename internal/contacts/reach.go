package contacts

import (
	"context"
	"time"

	"carecoord/internal/db"

	"github.com/jackc/pgx/v5"
)

// Reach is whether a patient can be reached: the last successful contact
// with them and the unsuccessful attempts since.
type Reach struct {
	LastReached       *time.Time
	UnreachedAttempts int
	LastAttempt       *time.Time
}

// Unreachable reports whether the patient is flagged "unable to reach".
func (r Reach) Unreachable() bool { return r.UnreachedAttempts >= UnreachableAfter }

// lockReach locks the patient's row for the rest of the transaction and
// reads their reach state. Two contacts logged at once for one patient then
// recount one after the other, and the second sees the first.
func lockReach(ctx context.Context, q db.DBTX, tenantID, patientID string) (Reach, error) {
	var r Reach
	err := q.QueryRow(ctx, `
		select last_reached_at, unreached_attempts, last_attempt_at
		  from patients where tenant_id = $1 and id = $2 for no key update`, tenantID, patientID).
		Scan(&r.LastReached, &r.UnreachedAttempts, &r.LastAttempt)
	return r, db.NotFound(err)
}

// recountReach sets the patient's reach state from all their contacts with
// the patient themselves, by when each happened: a contact logged late, or
// corrected, counts in its place rather than as the newest. Contacts with
// someone else never change it.
func recountReach(ctx context.Context, q db.DBTX, tenantID, patientID string) (Reach, error) {
	var r Reach
	err := q.QueryRow(ctx, `
		with c as (
			select occurred_at, outcome in ('reached', 'declined') as ok,
			       outcome in ('left_message', 'no_answer', 'wrong_number') as miss
			  from contacts
			 where tenant_id = $1 and patient_id = $2 and party = 'patient'
		), last_ok as (select max(occurred_at) as at from c where ok)
		update patients p
		   set last_reached_at = (select at from last_ok),
		       unreached_attempts = (select count(*) from c, last_ok where c.miss and (last_ok.at is null or c.occurred_at > last_ok.at)),
		       last_attempt_at = (select max(occurred_at) from c where miss)
		 where p.tenant_id = $1 and p.id = $2
		returning last_reached_at, unreached_attempts, last_attempt_at`, tenantID, patientID).
		Scan(&r.LastReached, &r.UnreachedAttempts, &r.LastAttempt)
	return r, db.NotFound(err)
}

// RecountReach sets the patient's reach state from all their contacts, for
// a change made outside the contact log (a merge brings another record's
// contacts).
func RecountReach(ctx context.Context, q db.DBTX, tenantID, patientID string) error {
	_, err := recountReach(ctx, q, tenantID, patientID)
	return err
}

// ReachOf reads a patient's reach state.
func ReachOf(ctx context.Context, q db.DBTX, tenantID, patientID string) (Reach, error) {
	return reachQuery(tenantID, patientID).One(ctx, q)
}

func reachQuery(tenantID, patientID string) db.Query[Reach] {
	return db.Query[Reach]{SQL: `
		select last_reached_at, unreached_attempts, last_attempt_at
		  from patients where tenant_id = $1 and id = $2`,
		Args: []any{tenantID, patientID}, Scan: func(row pgx.CollectableRow) (r Reach, err error) {
			return r, row.Scan(&r.LastReached, &r.UnreachedAttempts, &r.LastAttempt)
		}}
}
