package patients

import (
	"context"
	"time"

	"carecoord/internal/calendar"
	"carecoord/internal/db"
	"carecoord/internal/fail"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// ErrExternalIDTaken means another patient of the tenant has the external
// id, said beside the field.
var ErrExternalIDTaken = fail.Invalid(map[string]string{
	"external_id": "Another patient already has this MRN or member id. Check it, or search for that patient.",
}, "")

const patientColumns = `p.id, p.given_name, p.family_name, p.preferred_name, p.date_of_birth, p.sex,
	p.gender_identity, p.pronouns, p.phone, p.phone_alt, p.best_time_to_call, p.email,
	p.address_line1, p.address_line2, p.city, p.region, p.postal_code, p.preferred_contact_method,
	p.preferred_language, p.interpreter_needed, p.external_id, p.status, p.risk_tier,
	p.assigned_coordinator_id as coordinator_id, coalesce(u.name, '') as coordinator_name, p.referral_source, p.referral_date, p.referral_reason,
	p.version, p.created_at, p.updated_at`

const patientFrom = ` from patients p left join users u on u.id = p.assigned_coordinator_id `

// Get loads one patient of the tenant.
func Get(ctx context.Context, q db.DBTX, tenantID, id string) (Patient, error) {
	return GetQuery(tenantID, id).One(ctx, q)
}

// GetQuery reads one patient of the tenant, for a batch.
func GetQuery(tenantID, id string) db.Query[Patient] {
	return db.Query[Patient]{SQL: "select " + patientColumns + patientFrom + " where p.tenant_id = $1 and p.id = $2",
		Args: []any{tenantID, id}, Scan: pgx.RowToStructByName[Patient]}
}

// Create stores a validated intake: the patient, coverage, care team and
// consents, and the first timeline entry, all in the caller's transaction.
func Create(ctx context.Context, q db.DBTX, tenantID, actorID string, np NewPatient) (string, error) {
	var id string
	err := q.QueryRow(ctx, `
		insert into patients (tenant_id, given_name, family_name, preferred_name, date_of_birth, sex, gender_identity,
			pronouns, phone, phone_alt, best_time_to_call, email, address_line1, address_line2, city, region,
			postal_code, preferred_contact_method, preferred_language, interpreter_needed, external_id, risk_tier,
			assigned_coordinator_id, referral_source, referral_date, referral_reason, created_by)
		values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
			$23, $24, $25, $26, nullif($27, '')::uuid)
		returning id`,
		tenantID, np.GivenName, np.FamilyName, np.PreferredName, np.DOB, np.Sex, np.GenderIdentity,
		np.Pronouns, np.Phone, np.PhoneAlt, np.BestTimeToCall, np.Email, np.AddressLine1, np.AddressLine2, np.City, np.Region,
		np.PostalCode, np.PreferredContactMethod, np.PreferredLanguage, np.InterpreterNeeded, np.ExternalID, np.Tier,
		np.Coordinator, np.ReferralSource, np.Referred, np.ReferralReason, actorID).Scan(&id)
	if db.IsUniqueViolation(err, "patients_external_id_key") {
		return "", ErrExternalIDTaken
	}
	if err != nil {
		return "", err
	}
	for _, c := range np.Coverages {
		if _, err := addCoverage(ctx, q, tenantID, id, c); err != nil {
			return "", err
		}
	}
	for _, m := range np.CareTeam {
		if _, err := addMember(ctx, q, tenantID, id, m); err != nil {
			return "", err
		}
	}
	for _, c := range np.Consents {
		if _, err := addConsent(ctx, q, tenantID, id, c); err != nil {
			return "", err
		}
	}
	return id, AddEvent(ctx, q, tenantID, id, actorID, "intake", "Taken in by intake")
}

// update saves edited details if the patient is still at the version the
// editor started from; otherwise it changes nothing and returns
// db.ErrConflict. The caller has read the patient in the same transaction.
func update(ctx context.Context, q db.DBTX, a tenants.Actor, id string, version int, d Details) error {
	tag, err := q.Exec(ctx, `
		update patients set given_name = $4, family_name = $5, preferred_name = $6, date_of_birth = $7, sex = $8,
			gender_identity = $9, pronouns = $10, phone = $11, phone_alt = $12, best_time_to_call = $13, email = $14,
			address_line1 = $15, address_line2 = $16, city = $17, region = $18, postal_code = $19,
			preferred_contact_method = $20, preferred_language = $21, interpreter_needed = $22, external_id = $23,
			risk_tier = $24, assigned_coordinator_id = $25, referral_source = $26, referral_date = $27,
			referral_reason = $28, version = version + 1, updated_at = $29
		 where tenant_id = $1 and id = $2 and version = $3`,
		a.TenantID, id, version, d.GivenName, d.FamilyName, d.PreferredName, d.DOB, d.Sex,
		d.GenderIdentity, d.Pronouns, d.Phone, d.PhoneAlt, d.BestTimeToCall, d.Email,
		d.AddressLine1, d.AddressLine2, d.City, d.Region, d.PostalCode,
		d.PreferredContactMethod, d.PreferredLanguage, d.InterpreterNeeded, d.ExternalID,
		d.Tier, d.Coordinator, d.ReferralSource, d.Referred, d.ReferralReason, a.At)
	switch {
	case db.IsUniqueViolation(err, "patients_external_id_key"):
		return ErrExternalIDTaken
	case err != nil:
		return err
	case tag.RowsAffected() == 0:
		return db.ErrConflict
	}
	return nil
}

// Duplicate is an existing patient who may be the person being taken in.
type Duplicate struct {
	ID              string
	GivenName       string
	FamilyName      string
	DateOfBirth     time.Time
	Status          Status
	CoordinatorName string
	Similarity      float32
}

// lockBirthDate makes intakes in the tenant of people born on dob wait for
// each other until the transaction ends: of two intakes of one person at
// once, the second then finds the first as a possible duplicate instead of
// both finding none (issue 21). Intakes of people born on other days do
// not wait.
func lockBirthDate(ctx context.Context, q db.DBTX, tenantID string, dob time.Time) error {
	_, err := q.Exec(ctx, `select pg_advisory_xact_lock(hashtext('patients.intake'), hashtext($1::text || ' ' || $2::text))`,
		tenantID, dob.Format(calendar.Day))
	return err
}

// alikeNames is the SQL condition under which patient p's name is like the
// given and family names of the SQL expressions given and family, by the
// rule of migrations/00023 (patient_names_alike): among people born on one
// day that makes a possible duplicate, at intake and on the supervisor's
// list alike.
func alikeNames(p, given, family string) string {
	return "patient_names_alike(" + p + ".search_name, " + p + ".family_name, " + given + ", " + family + ")"
}

// PossibleDuplicates finds patients of the tenant born on dob whose name is
// similar (trigram similarity) to the one typed, most similar first.
func PossibleDuplicates(ctx context.Context, q db.DBTX, tenantID string, dob time.Time, given, family string) ([]Duplicate, error) {
	rows, _ := q.Query(ctx, `
		select p.id, p.given_name, p.family_name, p.date_of_birth, p.status, coalesce(u.name, '') as coordinator_name,
		       similarity(p.search_name, lower($3 || ' ' || $4)) as similarity
		  from patients p left join users u on u.id = p.assigned_coordinator_id
		 where p.tenant_id = $1 and p.date_of_birth = $2
		   and `+alikeNames("p", "$3", "$4")+`
		 order by similarity desc, p.id
		 limit 5`, tenantID, dob, given, family)
	return pgx.CollectRows(rows, pgx.RowToStructByName[Duplicate])
}

// AddEvent appends a line to the patient's timeline.
func AddEvent(ctx context.Context, q db.DBTX, tenantID, patientID, actorID, kind, summary string) error {
	_, err := q.Exec(ctx, `
		insert into patient_events (tenant_id, patient_id, actor_id, kind, summary)
		values ($1, $2, nullif($3, '')::uuid, $4, $5)`, tenantID, patientID, actorID, kind, summary)
	return err
}

// Event is one line of the timeline.
type Event struct {
	At        time.Time
	ActorName string
	Kind      string
	Summary   string
}

// Timeline returns the patient's events, newest first, at most limit.
func Timeline(ctx context.Context, q db.DBTX, tenantID, patientID string, limit int) ([]Event, error) {
	return TimelineQuery(tenantID, patientID, limit).All(ctx, q)
}

// TimelineQuery reads the patient's newest events, for a batch.
func TimelineQuery(tenantID, patientID string, limit int) db.Query[Event] {
	return db.Query[Event]{SQL: `
		select e.at, coalesce(u.name, '') as actor_name, e.kind, e.summary
		  from patient_events e left join users u on u.id = e.actor_id
		 where e.tenant_id = $1 and e.patient_id = $2
		 order by e.at desc, e.id desc
		 limit $3`, Args: []any{tenantID, patientID, limit}, Scan: pgx.RowToStructByName[Event]}
}

// SetRiskTier sets the patient's risk tier, as a decision taken elsewhere
// (a proposal accepted), moving the patient's version on so that an edit
// of the details begun before it is refused rather than overwriting it.
// The caller writes the timeline line.
func SetRiskTier(ctx context.Context, q db.DBTX, a tenants.Actor, patientID string, tier RiskTier) error {
	tag, err := q.Exec(ctx, `update patients set risk_tier = $3, version = version + 1, updated_at = $4
		where tenant_id = $1 and id = $2`, a.TenantID, patientID, string(tier), a.At)
	if err == nil && tag.RowsAffected() == 0 {
		return db.ErrNotFound
	}
	return err
}
