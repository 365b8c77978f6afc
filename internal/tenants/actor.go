package tenants

import (
	"context"
	"time"

	"carecoord/internal/audit"
	"carecoord/internal/auth"
	"carecoord/internal/db"

	"github.com/jackc/pgx/v5"
)

// Actor is who does something in a tenant, when and from where. Every use
// case takes one: it binds the tenant transaction to TenantID, checks what
// Role may do, reads the time from At (one instant for the whole action),
// follows the tenant's Settings, and records UserID, IP and RequestID in
// the audit log.
type Actor struct {
	TenantID string
	// UserID is the person acting; "" is CareCoord itself (the scheduler).
	UserID   string
	UserName string
	Role     auth.Role
	Settings Settings
	// At is when the action happens: the request's clock reading, or the
	// moment the demo loader replays, on the organisation's clock
	// (Settings.Location), so that its date is the organisation's today.
	At        time.Time
	IP        string
	RequestID string
}

// System is CareCoord itself acting in a tenant at at: time-driven work
// such as raising tasks that fall due, on the tenant's clock.
func System(tenantID string, settings Settings, at time.Time) Actor {
	return Actor{TenantID: tenantID, Settings: settings, At: at.In(settings.Location())}
}

// Audit records e as done by a, in q's transaction, so that the event
// exists if and only if the change does.
func (a Actor) Audit(ctx context.Context, q db.DBTX, e audit.Event) error {
	e.TenantID, e.ActorID, e.IP, e.RequestID = a.TenantID, a.UserID, a.IP, a.RequestID
	return audit.Record(ctx, q, e)
}

// AuditPatients records e once for each patient, as done by a.
func (a Actor) AuditPatients(ctx context.Context, q db.DBTX, e audit.Event, patientIDs []string) error {
	e.TenantID, e.ActorID, e.IP, e.RequestID = a.TenantID, a.UserID, a.IP, a.RequestID
	return audit.RecordForPatients(ctx, q, e, patientIDs)
}

// AuditView records e, a's view of a patient's record, once per visit
// (see audit.RecordView).
func (a Actor) AuditView(ctx context.Context, q db.DBTX, e audit.Event) error {
	e.TenantID, e.ActorID, e.IP, e.RequestID = a.TenantID, a.UserID, a.IP, a.RequestID
	return audit.RecordView(ctx, q, e)
}

// QueueAuditView is AuditView queued into b, sent with b.
func (a Actor) QueueAuditView(b *pgx.Batch, e audit.Event) {
	e.TenantID, e.ActorID, e.IP, e.RequestID = a.TenantID, a.UserID, a.IP, a.RequestID
	audit.QueueView(b, e)
}

// AuditListed records that a list or search showed a the patients of
// patientIDs, once per patient per visit (see audit.RecordListed).
func (a Actor) AuditListed(ctx context.Context, q db.DBTX, e audit.Event, patientIDs []string) error {
	e.TenantID, e.ActorID, e.IP, e.RequestID = a.TenantID, a.UserID, a.IP, a.RequestID
	return audit.RecordListed(ctx, q, e, patientIDs)
}

// Today is a's day on the organisation's calendar (At is on its clock),
// at midnight UTC: the date forms and rules compare against.
func (a Actor) Today() time.Time {
	y, m, d := a.At.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Can reports whether a's role may do what capability describes
// (auth.Role.WorksWithPatients, …). CareCoord itself may do anything.
func (a Actor) Can(capability func(auth.Role) bool) bool {
	return a.UserID == "" || capability(a.Role)
}
