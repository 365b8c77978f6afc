package assessments

import (
	"context"
	"fmt"
	"time"

	"carecoord/internal/db"
	"carecoord/internal/patients"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// StartPage is what the form that starts an assessment shows.
type StartPage struct {
	PatientName string
}

// StartPage reads what the form that starts one of the patient's
// assessments shows.
func (s *Service) StartPage(ctx context.Context, a tenants.Actor, patientID string) (StartPage, error) {
	var sp StartPage
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		p, err := patients.Get(ctx, tx, a.TenantID, patientID)
		sp.PatientName = p.DisplayName()
		return err
	})
	return sp, err
}

// Page is an assessment as its page shows it: the form while it is in
// progress, the result after.
type Page struct {
	Assessment
	Instrument  Instrument
	PatientName string
	// History is the patient's assessments, read only for a completed
	// result with a total, whose page draws the trend.
	History []Assessment
}

// ReadPage reads assessment id of the patient for its page, in q's
// transaction. The needs a result proposes are careplans' to read (see
// careplans.Service.AssessmentPage).
func ReadPage(ctx context.Context, q db.DBTX, tenantID, patientID, id string) (Page, error) {
	p, err := patients.Get(ctx, q, tenantID, patientID)
	if err != nil {
		return Page{}, err
	}
	got, err := Get(ctx, q, tenantID, patientID, id)
	if err != nil {
		return Page{}, err
	}
	in, ok := got.Instrument()
	if !ok {
		return Page{}, fmt.Errorf("assessment %s: %w %s %s", id, ErrUnknownInstrument, got.Code, got.Version)
	}
	pg := Page{Assessment: got, Instrument: in, PatientName: p.DisplayName()}
	if got.Status == Completed && got.Total != nil {
		pg.History, err = ListForPatient(ctx, q, tenantID, patientID)
	}
	return pg, err
}

// Counted are the assessments whose result stands: completed, and not
// replaced by a completed amendment (the amendment counts instead), so a
// corrected result is not counted twice. Entered-in-error ones never count.
func Counted(list []Assessment) []Assessment {
	amended := map[string]bool{}
	for _, a := range list {
		if a.Status == Completed && a.AmendsID != "" {
			amended[a.AmendsID] = true
		}
	}
	var out []Assessment
	for _, a := range list {
		if a.Status == Completed && a.CompletedAt != nil && !amended[a.ID] {
			out = append(out, a)
		}
	}
	return out
}

// LatestResults is the newest counted result of each instrument.
func LatestResults(list []Assessment) map[string]LastResult {
	out := map[string]LastResult{}
	for _, a := range Counted(list) {
		last := LastResult{Code: a.Code, CompletedAt: *a.CompletedAt}
		if a.Severity != nil {
			last.Severity = Severity(*a.Severity)
		}
		if prev, ok := out[a.Code]; !ok || last.CompletedAt.After(prev.CompletedAt) {
			out[a.Code] = last
		}
	}
	return out
}

// DueRulesOf are the re-assessment intervals a tenant's settings set
// (which default to DefaultDueRules).
func DueRulesOf(s tenants.Settings) DueRules {
	return DueRules{
		DepressionAnxietyEvery: time.Duration(s.DepressionAnxietyReassessDays) * 24 * time.Hour,
		SocialNeedsEvery:       Months(s.SocialNeedsReassessMonths),
	}
}
