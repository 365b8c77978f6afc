package patients

import (
	"context"
	"reflect"
	"time"

	"carecoord/internal/audit"
	"carecoord/internal/db"
	"carecoord/internal/fail"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// Every statement here names the patient as well as the row: the chart's
// URLs carry both, and a row of another patient must not be reachable
// through this patient's page (it is db.ErrNotFound, as if it did not exist).

// GetMember loads one member of the patient's care team.
func GetMember(ctx context.Context, q db.DBTX, tenantID, patientID, memberID string) (Member, error) {
	var m Member
	err := q.QueryRow(ctx, `
		select id, kind, name, relationship, organisation, phone, email, emergency_contact, consent_to_share
		  from care_team_members
		 where tenant_id = $1 and patient_id = $2 and id = $3`, tenantID, patientID, memberID).
		Scan(&m.ID, &m.Kind, &m.Name, &m.Relationship, &m.Organisation, &m.Phone, &m.Email, &m.EmergencyContact, &m.ConsentToShare)
	return m, db.NotFound(err)
}

// UpdateMember saves an edited care-team member.
func UpdateMember(ctx context.Context, q db.DBTX, tenantID, patientID, memberID string, m MemberForm) error {
	tag, err := q.Exec(ctx, `
		update care_team_members set kind = $4, name = $5, relationship = $6, organisation = $7, phone = $8,
			email = $9, emergency_contact = $10, consent_to_share = $11
		 where tenant_id = $1 and patient_id = $2 and id = $3`,
		tenantID, patientID, memberID, m.Kind, m.Name, m.Relationship, m.Organisation, m.Phone, m.Email,
		m.EmergencyContact, m.ConsentToShare)
	return affected(tag.RowsAffected(), err)
}

// RemoveMember takes a person off the care team and returns who it was.
func RemoveMember(ctx context.Context, q db.DBTX, tenantID, patientID, memberID string) (Member, error) {
	var m Member
	err := q.QueryRow(ctx, `
		delete from care_team_members
		 where tenant_id = $1 and patient_id = $2 and id = $3
		returning id, kind, name`, tenantID, patientID, memberID).Scan(&m.ID, &m.Kind, &m.Name)
	return m, db.NotFound(err)
}

// GetCoverage loads one of the patient's coverages.
func GetCoverage(ctx context.Context, q db.DBTX, tenantID, patientID, coverageID string) (Coverage, error) {
	rows, _ := q.Query(ctx, `
		select id, payer, plan_name, member_id, group_number, effective_from, effective_to, is_primary
		  from coverages
		 where tenant_id = $1 and patient_id = $2 and id = $3`, tenantID, patientID, coverageID)
	c, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByPos[Coverage])
	return c, db.NotFound(err)
}

// UpdateCoverage saves an edited coverage. Marking it primary takes the
// mark from the patient's other coverage, as AddCoverage does.
func UpdateCoverage(ctx context.Context, q db.DBTX, tenantID, patientID, coverageID string, c Coverage) error {
	if _, err := GetCoverage(ctx, q, tenantID, patientID, coverageID); err != nil {
		return err
	}
	if c.Primary {
		if _, err := q.Exec(ctx, `
			update coverages set is_primary = false
			 where tenant_id = $1 and patient_id = $2 and is_primary and id <> $3`,
			tenantID, patientID, coverageID); err != nil {
			return err
		}
	}
	tag, err := q.Exec(ctx, `
		update coverages set payer = $4, plan_name = $5, member_id = $6, group_number = $7,
			effective_from = $8, effective_to = $9, is_primary = $10
		 where tenant_id = $1 and patient_id = $2 and id = $3`,
		tenantID, patientID, coverageID, c.Payer, c.PlanName, c.MemberID, c.GroupNumber,
		c.EffectiveFrom, c.EffectiveTo, c.Primary)
	return affected(tag.RowsAffected(), err)
}

// RemoveCoverage deletes a coverage and returns what it was. Removing the
// primary one leaves the patient without a primary until one is marked.
func RemoveCoverage(ctx context.Context, q db.DBTX, tenantID, patientID, coverageID string) (Coverage, error) {
	var c Coverage
	err := q.QueryRow(ctx, `
		delete from coverages
		 where tenant_id = $1 and patient_id = $2 and id = $3
		returning id, payer, is_primary`, tenantID, patientID, coverageID).Scan(&c.ID, &c.Payer, &c.Primary)
	return c, db.NotFound(err)
}

// CoverageFormOf fills the form from a stored coverage, for editing.
func CoverageFormOf(c Coverage) CoverageForm {
	return CoverageForm{
		Payer: c.Payer, PlanName: c.PlanName, MemberID: c.MemberID, GroupNumber: c.GroupNumber,
		EffectiveFrom: formatDate(c.EffectiveFrom), EffectiveTo: formatDate(c.EffectiveTo), Primary: c.Primary,
	}
}

func formatDate(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(dateLayout)
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
		if err := AddEvent(ctx, tx, a.TenantID, patientID, a.UserID, "consent", "Consent revoked: "+ConsentKinds.Label(c.Kind)); err != nil {
			return err
		}
		return a.Audit(ctx, tx, audit.Event{Action: "consent.revoked", EntityType: "consent", EntityID: consentID,
			PatientID: patientID, Detail: map[string]any{"kind": c.Kind}})
	})
}

// revokeConsent records that the patient withdrew a consent on the given
// day, and returns the consent. A consent is revoked once: the date it was
// withdrawn is history and is not moved by a second click.
func revokeConsent(ctx context.Context, q db.DBTX, tenantID, patientID, consentID string, on time.Time) (Consent, error) {
	rows, _ := q.Query(ctx, `
		select id, kind, given_on, given_by, expires_on, revoked_on
		  from consents
		 where tenant_id = $1 and patient_id = $2 and id = $3
		   for update`, tenantID, patientID, consentID)
	c, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByPos[Consent])
	if err != nil {
		return Consent{}, db.NotFound(err)
	}
	if c.RevokedOn != nil {
		return c, ErrAlreadyRevoked
	}
	day := dateOf(on)
	_, err = q.Exec(ctx, `
		update consents set revoked_on = $4 where tenant_id = $1 and patient_id = $2 and id = $3`,
		tenantID, patientID, consentID, day)
	c.RevokedOn = &day
	return c, err
}

// affected turns an update that matched no row into db.ErrNotFound.
func affected(n int64, err error) error {
	if err == nil && n == 0 {
		return db.ErrNotFound
	}
	return err
}

// detailLabels names the details fields the way the edit form does, for the
// timeline and the audit log (which get the names, never the values).
var detailLabels = map[string]string{
	"GivenName": "first name", "FamilyName": "last name", "PreferredName": "preferred name",
	"DateOfBirth": "date of birth", "Sex": "sex", "GenderIdentity": "gender identity", "Pronouns": "pronouns",
	"Phone": "phone", "PhoneAlt": "other phone", "BestTimeToCall": "best time to call", "Email": "email",
	"AddressLine1": "street address", "AddressLine2": "apartment or unit", "City": "town or city",
	"Region": "state or region", "PostalCode": "postal code", "PreferredContactMethod": "preferred contact method",
	"PreferredLanguage": "preferred language", "InterpreterNeeded": "interpreter needed", "ExternalID": "MRN or member id",
	"RiskTier": "risk tier", "CoordinatorID": "assigned coordinator", "ReferralSource": "referred by",
	"ReferralDate": "referral date", "ReferralReason": "reason for referral",
}

// ChangedDetails names the fields that differ between two versions of a
// patient's details, in form order.
func ChangedDetails(before, after DetailsForm) []string {
	b, a := reflect.ValueOf(before), reflect.ValueOf(after)
	var out []string
	for i := range b.NumField() {
		if !b.Field(i).Equal(a.Field(i)) {
			out = append(out, detailLabels[b.Type().Field(i).Name])
		}
	}
	return out
}
