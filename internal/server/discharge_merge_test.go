package server

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"carecoord/internal/caseload"
	"carecoord/internal/db"

	"github.com/jackc/pgx/v5"
)

// A merge brings the merged-away record's contacts to the survivor: the
// survivor's discharge keeps the engagement they give it (the merge works
// out its discharges again), and the measure of its day counts it met
// (before, still within its 7 days and not engaged, it was not counted).
func TestMerge_TheSurvivorsDischargeKeepsTheEngagementTheMergedRecordBrings(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	grace := app.signedIn("supervisor@northside.test")
	var survivor, merged, zone string
	chartRow(t, app, `select (array_agg(id order by id))[1], (array_agg(id order by id))[2], current_setting('TimeZone') from patients`,
		nil, &survivor, &merged, &zone)
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().In(loc)
	on := time.Date(today.Year(), today.Month(), today.Day()-3, 0, 0, 0, 0, loc)
	res := grace.post("/t/northside/patients/"+survivor+"/transitions", url.Values{"kind": {"discharge"}, "facility": {"Mercy General Hospital"},
		"occurred_on": {on.Format("2006-01-02")}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("record discharge: status %d\n%s", res.status, res.body)
	}
	// The merged-away record was reached at five past midnight on day 1:
	// no engagement of the survivor's can come earlier.
	reached := on.AddDate(0, 0, 1).Add(5 * time.Minute)
	logContact(t, grace, merged, "occurred_at", reached.Format("2006-01-02T15:04"))
	kept := func() string {
		t.Helper()
		var state string
		var at *time.Time
		chartRow(t, app, `select follow_up, followed_up_at from care_transitions where patient_id = $1 and kind = 'discharge' and occurred_on = $2`,
			[]any{survivor, on.Format("2006-01-02")}, &state, &at)
		if at != nil {
			state += " at " + at.UTC().Format(time.RFC3339)
		}
		return state
	}
	measure := func() (n, of int) {
		t.Helper()
		day := time.Date(on.Year(), on.Month(), on.Day(), 0, 0, 0, 0, time.UTC)
		err := db.InTenant(context.Background(), app.db.Pool, app.tenantID("northside"), func(tx pgx.Tx) error {
			ms, err := caseload.Measures(context.Background(), tx, app.tenantID("northside"), caseload.Period{From: day, To: day},
				map[string]int{"high": 7, "moderate": 14, "low": 30})
			for _, m := range ms {
				if m.Key == caseload.MeasureDischarge {
					n, of = m.Numerator, m.Denominator
				}
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return n, of
	}
	want := "met at " + reached.UTC().Format(time.RFC3339)
	if got := kept(); got == want {
		t.Fatalf("before the merge the discharge keeps %s already", got)
	}
	n0, of0 := measure()
	if res := mergeVia(t, grace, survivor, merged, nil); res.status != http.StatusSeeOther {
		t.Fatalf("merge: %d\n%s", res.status, res.body)
	}
	if got := kept(); got != want {
		t.Errorf("after the merge the discharge keeps %s, want %s", got, want)
	}
	if n, of := measure(); n != n0+1 || of != of0+1 {
		t.Errorf("the measure of the discharge's day went from %d of %d to %d of %d, want one more met", n0, of0, n, of)
	}
}
