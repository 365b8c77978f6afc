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

// AddCoverage records an insurance coverage, with its timeline line and
// audit event. A new primary coverage takes the place of the old primary
// one.
func (s *Service) AddCoverage(ctx context.Context, a tenants.Actor, patientID string, f CoverageForm) (Coverage, error) {
	errs := Errors{}
	c := f.Validate("", errs)
	if len(errs) > 0 {
		return c, fail.Invalid(errs, "")
	}
	err := s.change(ctx, a, patientID, func(tx pgx.Tx) (err error) {
		if c.ID, err = addCoverage(ctx, tx, a.TenantID, patientID, c); err != nil {
			return err
		}
		return record(ctx, tx, a, patientID, "coverage", "Added coverage: "+c.title(), c.event("coverage.added"))
	})
	return c, err
}

// UpdateCoverage saves an edited coverage, with its timeline line and
// audit event. Marking it primary takes the mark from the patient's other
// coverage.
func (s *Service) UpdateCoverage(ctx context.Context, a tenants.Actor, patientID, coverageID string, f CoverageForm) (Coverage, error) {
	errs := Errors{}
	c := f.Validate("", errs)
	c.ID = coverageID
	if len(errs) > 0 {
		return c, fail.Invalid(errs, "")
	}
	err := s.change(ctx, a, patientID, func(tx pgx.Tx) error {
		if err := updateCoverage(ctx, tx, a.TenantID, patientID, coverageID, c); err != nil {
			return err
		}
		return record(ctx, tx, a, patientID, "coverage", "Updated coverage: "+c.title(), c.event("coverage.updated"))
	})
	return c, err
}

// RemoveCoverage deletes a coverage, with its timeline line and audit
// event, and returns what it was. Removing the primary one leaves the
// patient without a primary until one is marked.
func (s *Service) RemoveCoverage(ctx context.Context, a tenants.Actor, patientID, coverageID string) (Coverage, error) {
	var c Coverage
	err := s.change(ctx, a, patientID, func(tx pgx.Tx) (err error) {
		if c, err = removeCoverage(ctx, tx, a.TenantID, patientID, coverageID); err != nil {
			return err
		}
		return record(ctx, tx, a, patientID, "coverage", "Removed coverage: "+c.title(), c.event("coverage.removed"))
	})
	return c, err
}

// Coverage is one of the patient's coverages, for its edit form.
func (s *Service) Coverage(ctx context.Context, a tenants.Actor, patientID, coverageID string) (Coverage, error) {
	return inTenant(ctx, s, a, func(tx pgx.Tx) (Coverage, error) { return getCoverage(ctx, tx, a.TenantID, patientID, coverageID) })
}

// title is how the coverage is named on the timeline.
func (c Coverage) title() string {
	if c.Primary {
		return c.Payer + " (primary)"
	}
	return c.Payer
}

// event is the audit event of a change to c.
func (c Coverage) event(action string) audit.Event {
	return audit.Event{Action: action, EntityType: "coverage", EntityID: c.ID, Detail: map[string]any{"primary": c.Primary}}
}

// addCoverage records an insurance coverage. A new primary coverage takes
// the place of the old primary one.
func addCoverage(ctx context.Context, q db.DBTX, tenantID, patientID string, c Coverage) (string, error) {
	if c.Primary {
		if _, err := q.Exec(ctx, "update coverages set is_primary = false where tenant_id = $1 and patient_id = $2 and is_primary", tenantID, patientID); err != nil {
			return "", err
		}
	}
	var id string
	err := q.QueryRow(ctx, `
		insert into coverages (tenant_id, patient_id, payer, plan_name, member_id, group_number, effective_from, effective_to, is_primary)
		values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id`,
		tenantID, patientID, c.Payer, c.PlanName, c.MemberID, c.GroupNumber, c.EffectiveFrom, c.EffectiveTo, c.Primary).Scan(&id)
	return id, err
}

const coverageColumns = `id, payer, plan_name, member_id, group_number, effective_from, effective_to, is_primary`

// Coverages lists the patient's coverage, primary first.
func Coverages(ctx context.Context, q db.DBTX, tenantID, patientID string) ([]Coverage, error) {
	return CoveragesQuery(tenantID, patientID).All(ctx, q)
}

// CoveragesQuery reads the patient's coverage, for a batch.
func CoveragesQuery(tenantID, patientID string) db.Query[Coverage] {
	return db.Query[Coverage]{SQL: `
		select ` + coverageColumns + `
		  from coverages
		 where tenant_id = $1 and patient_id = $2
		 order by is_primary desc, effective_from desc nulls last, id`, Args: []any{tenantID, patientID}, Scan: pgx.RowToStructByName[Coverage]}
}

// getCoverage loads one of the patient's coverages.
func getCoverage(ctx context.Context, q db.DBTX, tenantID, patientID, coverageID string) (Coverage, error) {
	rows, _ := q.Query(ctx, `
		select `+coverageColumns+`
		  from coverages
		 where tenant_id = $1 and patient_id = $2 and id = $3`, tenantID, patientID, coverageID)
	c, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Coverage])
	return c, db.NotFound(err)
}

// updateCoverage saves an edited coverage. Marking it primary takes the
// mark from the patient's other coverage, as addCoverage does.
func updateCoverage(ctx context.Context, q db.DBTX, tenantID, patientID, coverageID string, c Coverage) error {
	if _, err := getCoverage(ctx, q, tenantID, patientID, coverageID); err != nil {
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

// removeCoverage deletes a coverage and returns what it was.
func removeCoverage(ctx context.Context, q db.DBTX, tenantID, patientID, coverageID string) (Coverage, error) {
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
	return t.Format(calendar.DateLayout)
}
