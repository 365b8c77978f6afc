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
//
// The results come from patient_flags (migrations 00021 and 00031), which
// the triggers on assessments and patients keep in the transaction of
// each change, through its index by coordinator: one range of the
// caseload's rows (the caller has the patients' names from its own read
// of the caseload), where walking each patient's assessments took
// 50-300 ms for the scale tenant's caseloads of about 3,000
// (TestLatestResults_MatchHistoryThroughRandomChanges holds the two equal).
// A screen falls due by its date alone (DueDate): its Severity is 0.
func LatestForCoordinatorQuery(tenantID, coordinatorID string) db.Query[CaseloadResult] {
	return db.Query[CaseloadResult]{SQL: `
		select f.patient_id, r.code, r.completed_at, r.severity
		  from patient_flags f
		 cross join lateral (values ('PHQ-9', f.phq9_at, f.phq9_severity), ('GAD-7', f.gad7_at, f.gad7_severity),
		                            ('AHC-HRSN', f.screen_at, 0::smallint)) r (code, completed_at, severity)
		 where f.tenant_id = $1 and f.coordinator_id = $2 and f.reassessable and r.completed_at is not null`,
		Args: []any{tenantID, coordinatorID}, Scan: func(row pgx.CollectableRow) (CaseloadResult, error) {
			var r CaseloadResult
			err := row.Scan(&r.PatientID, &r.Code, &r.CompletedAt, &r.Severity)
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
