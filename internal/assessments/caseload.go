package assessments

import (
	"context"
	"time"

	"carecoord/internal/db"

	"github.com/jackc/pgx/v5"
)

// CaseloadResult is the latest counted result of one instrument for one
// patient of a coordinator's caseload.
type CaseloadResult struct {
	PatientID string
	// The patient's names, for the worklist row.
	GivenName, FamilyName, PreferredName string
	LastResult
}

// LatestForCoordinator lists, for every referred or active patient of the
// coordinator, the latest counted result of each instrument that can fall
// due (see DueRules): completed, and not replaced by a completed
// amendment. Entered-in-error results never count. The caller applies the
// due rules.
func LatestForCoordinator(ctx context.Context, q db.DBTX, tenantID, coordinatorID string) ([]CaseloadResult, error) {
	return LatestForCoordinatorQuery(tenantID, coordinatorID).All(ctx, q)
}

// LatestForCoordinatorQuery is LatestForCoordinator's statement, for a batch.
func LatestForCoordinatorQuery(tenantID, coordinatorID string) db.Query[CaseloadResult] {
	// A lateral read per patient keeps the cost to one index range of each
	// patient's assessments, however many the tenant has.
	return db.Query[CaseloadResult]{SQL: `
		select p.id, p.given_name, p.family_name, p.preferred_name, a.instrument_code, a.completed_at, coalesce(a.severity, 0)
		  from patients p
		  cross join lateral (
		        select distinct on (a.instrument_code) a.instrument_code, a.completed_at, a.severity
		          from assessments a
		         where a.tenant_id = p.tenant_id and a.patient_id = p.id and a.status = 'completed'
		           and a.instrument_code in ('PHQ-9', 'GAD-7', 'AHC-HRSN')
		           and not exists (select 1 from assessments m
		                            where m.tenant_id = a.tenant_id and m.amends_id = a.id and m.status = 'completed')
		         order by a.instrument_code, a.completed_at desc) a
		 where p.tenant_id = $1 and p.assigned_coordinator_id = $2 and p.status in ('referred', 'active')`, Args: []any{tenantID, coordinatorID}, Scan: func(row pgx.CollectableRow) (CaseloadResult, error) {
		var r CaseloadResult
		err := row.Scan(&r.PatientID, &r.GivenName, &r.FamilyName, &r.PreferredName, &r.Code, &r.CompletedAt, &r.Severity)
		return r, err
	}}
}

// Standing is the counted result of one instrument that stands for a
// patient now: its answers and what they scored.
type Standing struct {
	ID              string
	Code            string `db:"instrument_code"`
	Total           *int
	Answers         Answers
	PositiveDomains []DomainRef
	CompletedAt     time.Time
}

// StandingResults is the newest counted result (as Counted counts) of each
// of the instruments codes names, for one patient.
func StandingResults(ctx context.Context, q db.DBTX, tenantID, patientID string, codes []string) ([]Standing, error) {
	// One short walk down assessments_patient_idx per instrument, stopping
	// at the first result that counts: a patient with hundreds of
	// assessments costs what one with a few does.
	rows, _ := q.Query(ctx, `
		select a.id, a.instrument_code, a.total, a.answers, a.positive_domains, a.completed_at
		  from unnest($3::text[]) c (code)
		  cross join lateral (
		        select a.id, a.instrument_code, a.total, a.answers, a.positive_domains, a.completed_at
		          from assessments a
		         where a.tenant_id = $1 and a.patient_id = $2 and a.instrument_code = c.code
		           and a.status = 'completed' and a.completed_at is not null
		           and not exists (select 1 from assessments m
		                            where m.tenant_id = a.tenant_id and m.amends_id = a.id and m.status = 'completed')
		         order by a.completed_at desc
		         limit 1) a`, tenantID, patientID, codes)
	return pgx.CollectRows(rows, pgx.RowToStructByName[Standing])
}
