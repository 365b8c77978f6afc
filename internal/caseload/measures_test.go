package caseload_test

import (
	"context"
	"fmt"
	"testing"

	"carecoord/internal/caseload"
	"carecoord/internal/db"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
)

// measuresWorld: four active patients (q1–q4) and three others, with
// plans, contacts, discharges and screens placed so that each measure can be
// counted by hand (see the comments in the test).
func measuresWorld(t *testing.T) *world {
	w := newWorld(t)
	long := ptr(w.dateAgo(200))
	q1 := w.patient(pt{name: "Q1", coord: w.ann, status: "active", tier: "high", referred: long})
	q2 := w.patient(pt{name: "Q2", coord: w.ann, status: "active", tier: "moderate", referred: long})
	q3 := w.patient(pt{name: "Q3", coord: w.ann, status: "active", tier: "low", referred: long})
	q4 := w.patient(pt{name: "Q4", coord: w.ann, status: "active", tier: "high", referred: long})
	w.patient(pt{name: "Q5", coord: w.ann, status: "on_hold", tier: "low", referred: long})
	q6 := w.patient(pt{name: "Q6", coord: w.ann, status: "referred", tier: "low", referred: ptr(w.dateAgo(20))})
	q7 := w.patient(pt{name: "Q7", coord: w.ann, status: "on_hold", tier: "low", referred: ptr(w.dateAgo(25))})
	w.patient(pt{name: "Q8", coord: w.ann, status: "referred", tier: "low", referred: ptr(w.dateAgo(5))})

	w.plan(q1, "active", "approved", 40, -1)   // in force
	w.plan(q2, "completed", "approved", 40, 5) // completed 5 days ago
	w.plan(q4, "active", "approved", 2, -1)    // approved 2 days ago

	w.contact(q1, 12, "reached")
	w.contact(q1, 3, "reached")
	w.contact(q2, 20, "reached")
	w.contact(q2, 1, "no_answer")
	w.contact(q3, 25, "reached")
	w.contact(q6, 16, "reached")
	w.contact(q7, 15, "reached")

	w.discharge(q1, 13) // contact the day after (day 1): followed up
	w.discharge(q2, 15) // last contact before it: not followed up
	w.discharge(q3, 3)  // still within its 7 days, not followed yet: not counted

	w.assessment(q1, "AHC-HRSN", 0, 100)
	w.assessment(q2, "AHC-HRSN", 0, 400)
	w.assessment(q3, "AHC-HRSN", 0, 10)
	w.assessment(q4, "PHQ-9", 1, 10)
	return w
}

func (w *world) measures(p caseload.Period) map[string]string {
	w.t.Helper()
	var ms []caseload.Measure
	err := db.InTenant(context.Background(), w.d.Pool, w.tenant, func(tx pgx.Tx) (err error) {
		ms, err = caseload.Measures(context.Background(), tx, w.tenant, p, map[string]int{"high": 7, "moderate": 14, "low": 30})
		return err
	})
	if err != nil {
		w.t.Fatal(err)
	}
	out := map[string]string{}
	for _, m := range ms {
		out[m.Key] = fmt.Sprintf("%.1f%s (%d of %d)", m.Value, m.Unit, m.Numerator, m.Denominator)
		if !m.Known {
			out[m.Key] = "unknown"
		}
	}
	return out
}

func TestMeasures_MatchAHandCount(t *testing.T) {
	t.Parallel()
	w := measuresWorld(t)
	got := w.measures(caseload.Period{From: w.dateAgo(29), To: w.dateAgo(0)})
	want := map[string]string{
		// Active: q1–q4. Plans in force today: q1, q4 (q2's was completed).
		caseload.MeasurePlans: "50.0% (2 of 4)",
		// Within cadence today: q1 (high, 3 days), q3 (low, 25 days);
		// q2 (moderate, 20 days) and q4 (never) are not.
		caseload.MeasureCadence: "50.0% (2 of 4)",
		// Discharges: q1's met on day 1, q2's not; q3's is still open.
		caseload.MeasureDischarge: "50.0% (1 of 2)",
		// Referred in the period: q6 (reached after 4 days), q7 (after 10),
		// q8 (not yet): median of 4 and 10.
		caseload.MeasureFirst: "7.0 days (2 of 3)",
		// Screened within 12 months: q1 (100 days), q3 (10 days).
		caseload.MeasureScreened: "50.0% (2 of 4)",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("measures for the last 30 days (-want +got):\n%s", diff)
	}

	// Ten days ago q2's plan was still in force and q4's not yet approved;
	// q1's last contact was 12 days ago (within 7 days of the end), q2's 20
	// days ago was within 14, q3's within 30.
	past := w.measures(caseload.Period{From: w.dateAgo(39), To: w.dateAgo(10)})
	if past[caseload.MeasurePlans] != "50.0% (2 of 4)" || past[caseload.MeasureCadence] != "75.0% (3 of 4)" {
		t.Errorf("measures for a period ending 10 days ago: %v", past)
	}
	if none := w.measures(caseload.Period{From: w.dateAgo(400), To: w.dateAgo(380)}); none[caseload.MeasureDischarge] != "unknown" {
		t.Errorf("a period without discharges: %q, want unknown", none[caseload.MeasureDischarge])
	}
}

func TestSuccessfulContactsByWeek_CountsTwelveWeeksWithZeros(t *testing.T) {
	t.Parallel()
	w := measuresWorld(t)
	var weeks []caseload.WeekCount
	err := db.InTenant(context.Background(), w.d.Pool, w.tenant, func(tx pgx.Tx) (err error) {
		weeks, err = caseload.SuccessfulContactsByWeek(context.Background(), tx, w.tenant, w.dateAgo(0), 12)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, wk := range weeks {
		total += wk.Count
		if wk.Week.Weekday().String() != "Monday" {
			t.Errorf("week starting %s is not a Monday", wk.Week)
		}
	}
	// Six successful contacts, all within the last 25 days; the missed call
	// does not count.
	if len(weeks) != 12 || total != 6 {
		t.Errorf("%d weeks with %d contacts, want 12 weeks and 6", len(weeks), total)
	}
}
