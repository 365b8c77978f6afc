package patients

import (
	"context"

	"carecoord/internal/db"

	"github.com/jackc/pgx/v5"
)

// Member is a stored care-team member.
type Member struct {
	ID string
	MemberForm
}

// AddMember adds a person to the patient's care team.
func AddMember(ctx context.Context, q db.DBTX, tenantID, patientID string, m MemberForm) (string, error) {
	var id string
	err := q.QueryRow(ctx, `
		insert into care_team_members (tenant_id, patient_id, kind, name, relationship, organisation, phone, email,
			emergency_contact, consent_to_share)
		values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id`,
		tenantID, patientID, m.Kind, m.Name, m.Relationship, m.Organisation, m.Phone, m.Email,
		m.EmergencyContact, m.ConsentToShare).Scan(&id)
	return id, err
}

// CareTeam lists the patient's care team: caregivers first, then by name.
func CareTeam(ctx context.Context, q db.DBTX, tenantID, patientID string) ([]Member, error) {
	rows, _ := q.Query(ctx, `
		select id, kind, name, relationship, organisation, phone, email, emergency_contact, consent_to_share
		  from care_team_members
		 where tenant_id = $1 and patient_id = $2
		 order by kind = 'caregiver' desc, name, id`, tenantID, patientID)
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Member, error) {
		var m Member
		err := row.Scan(&m.ID, &m.Kind, &m.Name, &m.Relationship, &m.Organisation, &m.Phone, &m.Email, &m.EmergencyContact, &m.ConsentToShare)
		return m, err
	})
}
