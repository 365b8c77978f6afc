package caseload

import (
	"context"

	"carecoord/internal/audit"
	"carecoord/internal/db"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// PageSize is how many patients a page of the list shows.
const PageSize = 50

// PatientList is one page of the list behind a dashboard number, with
// what its forms offer.
type PatientList struct {
	Page
	// Assignable are the people patients may move to.
	Assignable []tenants.Person
	// Former names the list's coordinator when they can no longer take
	// patients over (a former colleague); "" otherwise.
	Former string
}

// PatientList reads the page of the filtered list after f.After, judged
// by the tenant's rules at a.At, and records that the supervisor looked.
func (s *Service) PatientList(ctx context.Context, a tenants.Actor, f Filter) (PatientList, error) {
	f.Limit = PageSize
	var out PatientList
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		rules, err := rulesOf(ctx, tx, a)
		if err != nil {
			return err
		}
		if out.Page, err = Patients(ctx, tx, a.TenantID, rules, f); err != nil {
			return err
		}
		if out.Assignable, err = tenants.Coordinators(ctx, tx, a.TenantID); err != nil {
			return err
		}
		if c := f.Coordinator; c != nil && *c != "" && !assignable(out.Assignable)[*c] {
			// A former colleague is not offered as a destination but
			// stays selectable as the list being shown.
			if out.Former, err = memberName(ctx, tx, a.TenantID, *c); err != nil {
				return err
			}
		}
		if err := a.Audit(ctx, tx, audit.Event{Action: "caseload.patients_listed", EntityType: "tenant", EntityID: a.TenantID,
			Detail: map[string]any{"coordinator": f.CoordinatorParam(), "flag": string(f.Flag), "shown": len(out.Rows)}}); err != nil {
			return err
		}
		return a.AuditListed(ctx, tx, audit.Event{Action: "patient.listed", Detail: map[string]any{"list": "caseload"}}, rowIDs(out.Rows))
	})
	return out, err
}

// ExportPatients is every patient the filters match, as a table for a
// spreadsheet, its download recorded in the audit log.
func (s *Service) ExportPatients(ctx context.Context, a tenants.Actor, f Filter) ([][]string, error) {
	f.After, f.Limit = "", 0
	var records [][]string
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		rules, err := rulesOf(ctx, tx, a)
		if err != nil {
			return err
		}
		found, err := Patients(ctx, tx, a.TenantID, rules, f)
		if err != nil {
			return err
		}
		records = patientRecords(found.Rows, a.At.Location())
		if err := a.Audit(ctx, tx, audit.Event{Action: "caseload.patients_exported", EntityType: "tenant", EntityID: a.TenantID,
			Detail: map[string]any{"coordinator": f.CoordinatorParam(), "flag": string(f.Flag), "rows": len(found.Rows)}}); err != nil {
			return err
		}
		// An export is a copy taken away: each patient in it is recorded
		// every time, never folded into an earlier look.
		return a.AuditPatients(ctx, tx, audit.Event{Action: "patient.exported", Detail: map[string]any{"list": "caseload"}}, rowIDs(found.Rows))
	})
	return records, err
}

// rowIDs are the ids of the patients of rows, for the audit log.
func rowIDs(rows []PatientRow) []string {
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	return ids
}
