package patients

import (
	"context"
	"time"

	"carecoord/internal/audit"
	"carecoord/internal/calendar"
	"carecoord/internal/db"
	"carecoord/internal/fail"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// AddConsent records a consent the patient gave, with its timeline line
// and audit event.
func (s *Service) AddConsent(ctx context.Context, a tenants.Actor, patientID string, f ConsentForm) (Consent, error) {
	errs := Errors{}
	c := f.Validate("", a.Today(), errs)
	if len(errs) > 0 {
		return c, fail.Invalid(errs, "")
	}
	err := s.change(ctx, a, patientID, func(tx pgx.Tx) (err error) {
		p, err := Get(ctx, tx, a.TenantID, patientID)
		if err != nil {
			return err
		}
		if consentAfterBirth(errs, "", c, p.DateOfBirth); len(errs) > 0 {
			return fail.Invalid(errs, "")
		}
		if c.ID, err = addConsent(ctx, tx, a.TenantID, patientID, c); err != nil {
			return err
		}
		summary := "Consent recorded: " + ConsentKinds.Label(c.Kind) + ", given " + c.GivenOn.Format(calendar.Day) + " by " + c.GivenBy
		return record(ctx, tx, a, patientID, "consent", summary,
			audit.Event{Action: "consent.added", EntityType: "consent", EntityID: c.ID, Detail: map[string]any{"kind": c.Kind}})
	})
	return c, err
}

// ErrAlreadyRevoked means the consent was revoked before.
var ErrAlreadyRevoked = fail.Precondition("That consent was already revoked.")

// RevokeConsent records that the patient withdrew a consent today, with its
// timeline line and audit event.
func (s *Service) RevokeConsent(ctx context.Context, a tenants.Actor, patientID, consentID string) error {
	return db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		c, err := revokeConsent(ctx, tx, a.TenantID, patientID, consentID, a.Today())
		if err != nil {
			return err
		}
		return record(ctx, tx, a, patientID, "consent", "Consent revoked: "+ConsentKinds.Label(c.Kind),
			audit.Event{Action: "consent.revoked", EntityType: "consent", EntityID: consentID, Detail: map[string]any{"kind": c.Kind}})
	})
}

// addConsent records a consent the patient gave.
func addConsent(ctx context.Context, q db.DBTX, tenantID, patientID string, c Consent) (string, error) {
	var id string
	err := q.QueryRow(ctx, `
		insert into consents (tenant_id, patient_id, kind, given_on, given_by, expires_on)
		values ($1, $2, $3, $4, $5, $6) returning id`,
		tenantID, patientID, c.Kind, c.GivenOn, c.GivenBy, c.ExpiresOn).Scan(&id)
	return id, err
}

const consentColumns = `id, kind, given_on, given_by, expires_on, revoked_on`

// Consents lists the patient's consents, newest first within each kind.
func Consents(ctx context.Context, q db.DBTX, tenantID, patientID string) ([]Consent, error) {
	return ConsentsQuery(tenantID, patientID).All(ctx, q)
}

// ConsentsQuery reads the patient's consents, for a batch.
func ConsentsQuery(tenantID, patientID string) db.Query[Consent] {
	return db.Query[Consent]{SQL: `
		select ` + consentColumns + `
		  from consents
		 where tenant_id = $1 and patient_id = $2
		 order by kind, given_on desc, id`, Args: []any{tenantID, patientID}, Scan: pgx.RowToStructByName[Consent]}
}

// revokeConsent records that the patient withdrew a consent on the given
// day, and returns the consent. A consent is revoked once: the date it was
// withdrawn is history and is not moved by a second click.
func revokeConsent(ctx context.Context, q db.DBTX, tenantID, patientID, consentID string, on time.Time) (Consent, error) {
	rows, _ := q.Query(ctx, `
		select `+consentColumns+`
		  from consents
		 where tenant_id = $1 and patient_id = $2 and id = $3
		   for update`, tenantID, patientID, consentID)
	c, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Consent])
	if err != nil {
		return Consent{}, db.NotFound(err)
	}
	if c.RevokedOn != nil {
		return c, ErrAlreadyRevoked
	}
	day := calendar.DateOf(on)
	_, err = q.Exec(ctx, `
		update consents set revoked_on = $4 where tenant_id = $1 and patient_id = $2 and id = $3`,
		tenantID, patientID, consentID, day)
	c.RevokedOn = &day
	return c, err
}
