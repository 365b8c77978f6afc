package patients

import (
	"context"

	"carecoord/internal/audit"
	"carecoord/internal/db"
	"carecoord/internal/tenants"
)

// Record writes what a did to the patient in q's transaction: the line on
// the patient's timeline, dated a.At (so a loader replaying the past dates
// it when it happened), and the audit event e about the patient. A use
// case of any domain that changes a patient's record ends with it.
func Record(ctx context.Context, q db.DBTX, a tenants.Actor, patientID, kind, summary string, e audit.Event) error {
	_, err := q.Exec(ctx, `
		insert into patient_events (tenant_id, patient_id, actor_id, kind, summary, at)
		values ($1, $2, nullif($3, '')::uuid, $4, $5, coalesce($6, now()))`,
		a.TenantID, patientID, a.UserID, kind, summary, nonZero(a))
	if err != nil {
		return err
	}
	e.PatientID = patientID
	return a.Audit(ctx, q, e)
}

// nonZero is a.At, or nil (the transaction's time) for an actor without
// a clock reading.
func nonZero(a tenants.Actor) any {
	if a.At.IsZero() {
		return nil
	}
	return a.At
}

// OnEvidence is run in the transaction of each new piece of evidence about
// a patient (a completed assessment, a transition, a contact): the risk
// rules (risk.Reevaluate) sit above the domains that hold the evidence, so
// those domains are handed it at construction rather than importing it.
type OnEvidence func(ctx context.Context, q db.DBTX, a tenants.Actor, patientID string) error

// Run runs f, if there is one: a service built without it (the demo
// loader's) records evidence without re-evaluating.
func (f OnEvidence) Run(ctx context.Context, q db.DBTX, a tenants.Actor, patientID string) error {
	if f == nil {
		return nil
	}
	return f(ctx, q, a, patientID)
}
