package patients

import (
	"context"

	"carecoord/internal/audit"
	"carecoord/internal/db"
	"carecoord/internal/fail"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// Every statement about a row of the chart (a care-team member, a
// coverage, a consent) names the patient as well as the row: the chart's
// URLs carry both, and a row of another patient must not be reachable
// through this patient's page (it is db.ErrNotFound, as if it did not
// exist).

// Member is a stored care-team member.
type Member struct {
	ID string
	MemberForm
}

// AddMember puts a person on the patient's care team, with its timeline
// line and audit event.
func (s *Service) AddMember(ctx context.Context, a tenants.Actor, patientID string, f MemberForm) (Member, error) {
	errs := Errors{}
	m := Member{MemberForm: f.Validate("", errs)}
	if len(errs) > 0 {
		return m, fail.Invalid(errs, "")
	}
	err := s.change(ctx, a, patientID, func(tx pgx.Tx) (err error) {
		if m.ID, err = addMember(ctx, tx, a.TenantID, patientID, m.MemberForm); err != nil {
			return err
		}
		return record(ctx, tx, a, patientID, "care_team", "Added "+m.Name+" ("+CareTeamKinds.Label(m.Kind)+") to the care team",
			audit.Event{Action: "care_team.added", EntityType: "care_team_member", EntityID: m.ID})
	})
	return m, err
}

// UpdateMember saves an edited care-team member, with its timeline line
// and audit event.
func (s *Service) UpdateMember(ctx context.Context, a tenants.Actor, patientID, memberID string, f MemberForm) (Member, error) {
	errs := Errors{}
	m := Member{ID: memberID, MemberForm: f.Validate("", errs)}
	if len(errs) > 0 {
		return m, fail.Invalid(errs, "")
	}
	err := s.change(ctx, a, patientID, func(tx pgx.Tx) error {
		if err := updateMember(ctx, tx, a.TenantID, patientID, memberID, m.MemberForm); err != nil {
			return err
		}
		return record(ctx, tx, a, patientID, "care_team", "Updated "+m.Name+" on the care team",
			audit.Event{Action: "care_team.updated", EntityType: "care_team_member", EntityID: memberID})
	})
	return m, err
}

// RemoveMember takes a person off the care team, with its timeline line
// and audit event, and returns who it was.
func (s *Service) RemoveMember(ctx context.Context, a tenants.Actor, patientID, memberID string) (Member, error) {
	var m Member
	err := s.change(ctx, a, patientID, func(tx pgx.Tx) (err error) {
		if m, err = removeMember(ctx, tx, a.TenantID, patientID, memberID); err != nil {
			return err
		}
		return record(ctx, tx, a, patientID, "care_team", "Removed "+m.Name+" ("+CareTeamKinds.Label(m.Kind)+") from the care team",
			audit.Event{Action: "care_team.removed", EntityType: "care_team_member", EntityID: memberID})
	})
	return m, err
}

// Member is one member of the patient's care team, for its edit form.
func (s *Service) Member(ctx context.Context, a tenants.Actor, patientID, memberID string) (Member, error) {
	return inTenant(ctx, s, a, func(tx pgx.Tx) (Member, error) { return GetMember(ctx, tx, a.TenantID, patientID, memberID) })
}

// addMember adds a person to the patient's care team.
func addMember(ctx context.Context, q db.DBTX, tenantID, patientID string, m MemberForm) (string, error) {
	var id string
	err := q.QueryRow(ctx, `
		insert into care_team_members (tenant_id, patient_id, kind, name, relationship, organisation, phone, email,
			emergency_contact, consent_to_share)
		values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id`,
		tenantID, patientID, m.Kind, m.Name, m.Relationship, m.Organisation, m.Phone, m.Email,
		m.EmergencyContact, m.ConsentToShare).Scan(&id)
	return id, err
}

const memberColumns = `id, kind, name, relationship, organisation, phone, email, emergency_contact, consent_to_share`

// CareTeam lists the patient's care team: caregivers first, then by name.
func CareTeam(ctx context.Context, q db.DBTX, tenantID, patientID string) ([]Member, error) {
	return CareTeamQuery(tenantID, patientID).All(ctx, q)
}

// CareTeamQuery reads the patient's care team, for a batch.
func CareTeamQuery(tenantID, patientID string) db.Query[Member] {
	return db.Query[Member]{SQL: `
		select ` + memberColumns + `
		  from care_team_members
		 where tenant_id = $1 and patient_id = $2
		 order by kind = 'caregiver' desc, name, id`, Args: []any{tenantID, patientID}, Scan: pgx.RowToStructByName[Member]}
}

// GetMember loads one member of the patient's care team.
func GetMember(ctx context.Context, q db.DBTX, tenantID, patientID, memberID string) (Member, error) {
	rows, _ := q.Query(ctx, `
		select `+memberColumns+`
		  from care_team_members
		 where tenant_id = $1 and patient_id = $2 and id = $3`, tenantID, patientID, memberID)
	m, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Member])
	return m, db.NotFound(err)
}

// updateMember saves an edited care-team member.
func updateMember(ctx context.Context, q db.DBTX, tenantID, patientID, memberID string, m MemberForm) error {
	tag, err := q.Exec(ctx, `
		update care_team_members set kind = $4, name = $5, relationship = $6, organisation = $7, phone = $8,
			email = $9, emergency_contact = $10, consent_to_share = $11
		 where tenant_id = $1 and patient_id = $2 and id = $3`,
		tenantID, patientID, memberID, m.Kind, m.Name, m.Relationship, m.Organisation, m.Phone, m.Email,
		m.EmergencyContact, m.ConsentToShare)
	return affected(tag.RowsAffected(), err)
}

// removeMember takes a person off the care team and returns who it was.
func removeMember(ctx context.Context, q db.DBTX, tenantID, patientID, memberID string) (Member, error) {
	var m Member
	err := q.QueryRow(ctx, `
		delete from care_team_members
		 where tenant_id = $1 and patient_id = $2 and id = $3
		returning id, kind, name`, tenantID, patientID, memberID).Scan(&m.ID, &m.Kind, &m.Name)
	return m, db.NotFound(err)
}

// affected turns an update that matched no row into db.ErrNotFound.
func affected(n int64, err error) error {
	if err == nil && n == 0 {
		return db.ErrNotFound
	}
	return err
}
