package caseload

import (
	"net/url"
	"testing"
	"time"
)

// FuzzForms feeds any query to the caseload's filters and period and any
// posted form to reassignment: reading and checking never panics.
func FuzzForms(f *testing.F) {
	f.Add("coordinator=everyone&flag=overdue_tasks&after=x&from=2026-01-01&to=2026-12-31")
	f.Add("patient_id=0a1b2c3d-0000-4000-8000-000000000001&to=x&from=0001-01-01&period=%00")
	today := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, raw string) {
		v, _ := url.ParseQuery(raw)
		_, _ = ParseFilter(v)
		ParsePeriod(v, today).Validate(today)
		_, _ = ParseReassign(v)
	})
}
