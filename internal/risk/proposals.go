package risk

import (
	"context"
	"errors"
	"time"

	"carecoord/internal/db"
	"carecoord/internal/forms"
	"carecoord/internal/patients"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// Status is where a proposal stands.
type Status string

// Proposal statuses: open waits for the coordinator; superseded was
// replaced by newer evidence (or its evidence withdrawn) before anyone
// decided.
const (
	Open       Status = "open"
	Accepted   Status = "accepted"
	Overridden Status = "overridden"
	Superseded Status = "superseded"
)

// Statuses are how each status reads on screen.
var Statuses = forms.Choices[Status]{
	{Value: Open, Label: "Waiting for a decision"},
	{Value: Accepted, Label: "Accepted"},
	{Value: Overridden, Label: "Overridden"},
	{Value: Superseded, Label: "Replaced by newer evidence"},
}

// Label is how the status reads on screen.
func (s Status) Label() string { return Statuses.Label(s) }

// Stored is a proposal as recorded.
type Stored struct {
	ID            string
	PatientID     string
	FromTier      patients.RiskTier
	Tier          patients.RiskTier `db:"proposed_tier"`
	Reasons       []Reason
	Fingerprint   string
	Status        Status
	CreatedAt     time.Time
	DecidedByName string
	DecidedAt     *time.Time
	Reason        string
	Version       int
}

const storedColumns = `r.id, r.patient_id, r.from_tier, r.proposed_tier, r.reasons, r.fingerprint, r.status,
	r.created_at, coalesce(u.name, '') as decided_by_name, r.decided_at, r.reason, r.version`

// OpenFor is the patient's proposal waiting for a decision, or nil.
func OpenFor(ctx context.Context, q db.DBTX, tenantID, patientID string) (*Stored, error) {
	open, err := OpenQuery(tenantID, patientID).All(ctx, q)
	if err != nil || len(open) == 0 {
		return nil, err
	}
	return &open[0], nil
}

// OpenQuery reads the patient's open proposal (at most one), to be sent
// alone or in the chart's batch.
func OpenQuery(tenantID, patientID string) db.Query[Stored] {
	return db.Query[Stored]{SQL: `select ` + storedColumns + ` from risk_proposals r left join users u on u.id = r.decided_by
		 where r.tenant_id = $1 and r.patient_id = $2 and r.status = 'open'`,
		Args: []any{tenantID, patientID}, Scan: pgx.RowToStructByName[Stored]}
}

// decided reports whether a proposal resting on the same evidence was
// accepted or overridden before.
func decided(ctx context.Context, q db.DBTX, tenantID, patientID, fingerprint string) (bool, error) {
	var yes bool
	err := q.QueryRow(ctx, `select exists (select 1 from risk_proposals
		 where tenant_id = $1 and patient_id = $2 and fingerprint = $3 and status in ('accepted', 'overridden'))`,
		tenantID, patientID, fingerprint).Scan(&yes)
	return yes, err
}

func insert(ctx context.Context, q db.DBTX, a tenants.Actor, patientID string, from patients.RiskTier, p Proposal) (string, error) {
	var id string
	err := q.QueryRow(ctx, `
		insert into risk_proposals (tenant_id, patient_id, from_tier, proposed_tier, reasons, fingerprint, created_at)
		values ($1, $2, $3, $4, $5, $6, $7) returning id`,
		a.TenantID, patientID, string(from), string(p.Tier), p.Reasons, p.Fingerprint(), a.At).Scan(&id)
	return id, err
}

func supersede(ctx context.Context, q db.DBTX, tenantID, id string) error {
	_, err := q.Exec(ctx, `update risk_proposals set status = 'superseded', version = version + 1
		 where tenant_id = $1 and id = $2 and status = 'open'`, tenantID, id)
	return err
}

// decide records a's decision on an open proposal read at version, or
// returns db.ErrConflict when it was decided or replaced since.
func decide(ctx context.Context, q db.DBTX, a tenants.Actor, patientID, id string, version int, s Status, reason string) (Stored, error) {
	rows, _ := q.Query(ctx, `
		with r as (
			update risk_proposals set status = $5, decided_by = nullif($6, '')::uuid, decided_at = $7, reason = $8, version = version + 1
			 where tenant_id = $1 and patient_id = $2 and id = $3 and version = $4 and status = 'open'
			returning *)
		select `+storedColumns+` from r left join users u on u.id = r.decided_by`,
		a.TenantID, patientID, id, version, string(s), a.UserID, a.At, reason)
	p, err := pgx.CollectOneRow(rows, pgx.RowToStructByName[Stored])
	if errors.Is(err, pgx.ErrNoRows) {
		return p, stale(ctx, q, a.TenantID, patientID, id)
	}
	return p, err
}

// ErrDecided is a decision on a proposal someone decided, or newer
// evidence replaced, since the page was read.
var ErrDecided = db.ErrConflict.Because("This proposal was decided, or replaced by newer evidence, since you opened the page, so nothing was changed. Look at the chart again.")

// stale tells a proposal that is not there (404) from one that moved on
// (a conflict).
func stale(ctx context.Context, q db.DBTX, tenantID, patientID, id string) error {
	if err := mustExist(ctx, q, tenantID, patientID, id); err != nil {
		return err
	}
	return ErrDecided
}

// mustExist is db.ErrNotFound for a proposal the patient does not have
// (another tenant's, or another patient's).
func mustExist(ctx context.Context, q db.DBTX, tenantID, patientID, id string) error {
	var n int
	err := q.QueryRow(ctx, `select count(*) from risk_proposals where tenant_id = $1 and patient_id = $2 and id = $3`,
		tenantID, patientID, id).Scan(&n)
	if err == nil && n == 0 {
		return db.ErrNotFound
	}
	return err
}

// Waiting is a proposal waiting for a decision, for the worklist.
type Waiting struct {
	Stored
	PatientName string
}

// WaitingFor lists the proposals waiting for a decision on the patients
// assigned to coordinatorID, the oldest first.
func WaitingFor(ctx context.Context, q db.DBTX, tenantID, coordinatorID string) ([]Waiting, error) {
	return WaitingQuery(tenantID, coordinatorID).All(ctx, q)
}

// WaitingQuery reads what WaitingFor lists, alone or in the worklist's batch.
func WaitingQuery(tenantID, coordinatorID string) db.Query[Waiting] {
	return db.Query[Waiting]{SQL: `select ` + storedColumns + `, p.given_name, p.family_name, p.preferred_name
		  from risk_proposals r
		  join patients p on p.tenant_id = r.tenant_id and p.id = r.patient_id
		  left join users u on u.id = r.decided_by
		 where r.tenant_id = $1 and r.status = 'open' and p.assigned_coordinator_id = $2
		   and p.status in ('referred', 'active', 'on_hold')
		   -- As Stored.Raises: still above the patient's tier now.
		   and array_position(array['low', 'moderate', 'high'], r.proposed_tier) > array_position(array['low', 'moderate', 'high'], p.risk_tier)
		 order by r.created_at`, Args: []any{tenantID, coordinatorID}, Scan: scanWaiting}
}

func scanWaiting(row pgx.CollectableRow) (Waiting, error) {
	var w Waiting
	var p patients.Patient
	err := row.Scan(&w.ID, &w.PatientID, &w.FromTier, &w.Tier, &w.Reasons, &w.Fingerprint, &w.Status,
		&w.CreatedAt, &w.DecidedByName, &w.DecidedAt, &w.Reason, &w.Version, &p.GivenName, &p.FamilyName, &p.PreferredName)
	w.PatientName = p.DisplayName()
	return w, err
}

// Evidence is the proposal's reasons in words, one after another.
func (p Stored) Evidence() string { return evidence(p.Reasons) }

// Raises reports whether the proposal still proposes more than the
// patient's tier now: a tier raised by hand since leaves it nothing to
// decide (the next evidence withdraws it).
func (p Stored) Raises(current patients.RiskTier) bool { return rank(p.Tier) > rank(current) }
