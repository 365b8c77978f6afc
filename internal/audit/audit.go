// Package audit records who did what, to which patient, and when. Events are
// append-only: the application's database role may insert and read them but
// never change or delete them.
package audit

import (
	"context"

	"carecoord/internal/db"
)

// Event is one audited action inside a tenant. Detail must never hold patient
// data beyond identifiers: the audit log is read by admins, who see no PHI.
type Event struct {
	TenantID   string
	ActorID    string
	Action     string
	EntityType string
	EntityID   string
	PatientID  string
	IP         string
	RequestID  string
	Detail     map[string]any
}

// Record appends e within the caller's tenant transaction, so that the event
// is written if and only if the change it describes is.
func Record(ctx context.Context, q db.DBTX, e Event) error {
	if e.Detail == nil {
		e.Detail = map[string]any{}
	}
	_, err := q.Exec(ctx, `
		insert into audit_events (tenant_id, actor_id, action, entity_type, entity_id, patient_id, ip, request_id, detail)
		values ($1, nullif($2, '')::uuid, $3, $4, nullif($5, '')::uuid, nullif($6, '')::uuid, $7, $8, $9)`,
		e.TenantID, e.ActorID, e.Action, e.EntityType, e.EntityID, e.PatientID, e.IP, e.RequestID, e.Detail)
	return err
}

// RecordForPatients appends e once for each patient, with the patient as
// both the event's patient and its entity: one statement for an action
// that touches many patients at once, such as a reassignment.
func RecordForPatients(ctx context.Context, q db.DBTX, e Event, patientIDs []string) error {
	if e.Detail == nil {
		e.Detail = map[string]any{}
	}
	_, err := q.Exec(ctx, `
		insert into audit_events (tenant_id, actor_id, action, entity_type, entity_id, patient_id, ip, request_id, detail)
		select $1, nullif($2, '')::uuid, $3, 'patient', p, p, $4, $5, $6 from unnest($7::uuid[]) as p`,
		e.TenantID, e.ActorID, e.Action, e.IP, e.RequestID, e.Detail, patientIDs)
	return err
}

// Sign-in event actions.
const (
	SignIn       = "sign_in"
	SignInFailed = "sign_in_failed"
	SignInLocked = "sign_in_locked"
	SignOut      = "sign_out"
	// SignInRefused: the password was right, but the account has no
	// active organisation to work in (deactivated, or tenant suspended).
	SignInRefused   = "sign_in_refused"
	PasswordChanged = "password_changed"
	PasswordReset   = "password_reset"
	// Two-step sign-in: an authenticator app set up, a code accepted, a
	// recovery code used, a code refused, and an administrator's reset.
	MFAEnrolled     = "mfa_enrolled"
	MFAVerified     = "mfa_verified"
	MFARecoveryUsed = "mfa_recovery_used"
	MFAFailed       = "mfa_failed"
	MFAReset        = "mfa_reset"
)

// AuthEvent is a sign-in or sign-out. It is global rather than per tenant:
// it happens before a tenant is chosen, and a failed attempt may name no user.
type AuthEvent struct {
	UserID string
	Email  string
	Action string
	IP     string
}

// RecordAuth appends a sign-in event.
func RecordAuth(ctx context.Context, q db.DBTX, e AuthEvent) error {
	_, err := q.Exec(ctx, `
		insert into auth_events (user_id, email, action, ip) values (nullif($1, '')::uuid, $2, $3, $4)`,
		e.UserID, e.Email, e.Action, e.IP)
	return err
}
