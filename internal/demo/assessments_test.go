package demo_test

import (
	"fmt"
	"slices"
	"testing"

	"carecoord/internal/db/dbtest"
)

func TestLoad_EachTenantHasCompletedAssessmentsOfEveryInstrument(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "demo")
	for _, slug := range []string{"northside", "riverside"} {
		codes := countOf(tenantRows(t, d.Pool, slug, "select instrument_code from assessments where status = 'completed'"))
		for _, code := range []string{"AHC-HRSN", "PHQ-9", "GAD-7", "LACE"} {
			if codes[code] == 0 {
				t.Errorf("%s: no completed %s (have %v)", slug, code, codes)
			}
		}
		counts := tenantRows(t, d.Pool, slug, `
			select count(distinct a.patient_id) || ' ' || (select count(*) from patients where status = 'active')
			  from assessments a join patients p on p.id = a.patient_id
			 where p.status = 'active' and a.status = 'completed'`)
		var screened, active int
		if _, err := fmt.Sscan(counts[0], &screened, &active); err != nil || screened*3 < active*2 || screened == active {
			t.Errorf("%s: %s (screened active); want most active patients screened, but not all", slug, counts[0])
		}
	}
}

func TestLoad_SomePatientsHaveAPHQ9SeriesWithTrendsAndAlerts(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "demo")
	for _, slug := range []string{"northside", "riverside"} {
		series := tenantRows(t, d.Pool, slug, `
			select string_agg(total::text, ' ' order by completed_at) from assessments
			 where instrument_code = 'PHQ-9' and status = 'completed' and amends_id is null
			 group by patient_id having count(*) >= 3`)
		if len(series) == 0 {
			t.Errorf("%s: no patient has 3 or more PHQ-9s", slug)
		}
		bands := countOf(tenantRows(t, d.Pool, slug, "select band from assessments where instrument_code = 'PHQ-9' and status = 'completed'"))
		for _, b := range []string{"Minimal", "Mild", "Moderate", "Moderately severe"} {
			if bands[b] == 0 {
				t.Errorf("%s: no PHQ-9 in band %s (%v)", slug, b, bands)
			}
		}
		alerts := tenantRows(t, d.Pool, slug, `
			select instrument_code from assessments where status = 'completed' and alerts ? 'safety' order by 1`)
		if !slices.Contains(alerts, "AHC-HRSN") || !slices.Contains(alerts, "PHQ-9") {
			t.Errorf("%s: safety alerts on %v; want an AHC-HRSN and a PHQ-9", slug, alerts)
		}
		domains := countOf(tenantRows(t, d.Pool, slug, `
			select d->>'code' from assessments, jsonb_array_elements(positive_domains) d where status = 'completed'`))
		for _, code := range []string{"food", "housing_instability", "transportation", "utilities", "safety"} {
			if domains[code] == 0 {
				t.Errorf("%s: no screen positive for %s (%v)", slug, code, domains)
			}
		}
		corrected := tenantRows(t, d.Pool, slug, `
			select status || case when amends_id is null then '' else ' amendment' end from assessments
			 where status = 'entered_in_error' or amends_id is not null order by 1`)
		if !slices.Equal(corrected, []string{"completed amendment", "entered_in_error"}) {
			t.Errorf("%s: corrections %v; want one completed amendment and one entered in error", slug, corrected)
		}
	}
}

func TestLoad_AssessmentsAreDatedInThePastMonths(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "demo")
	late := tenantRows(t, d.Pool, "northside", `
		select id::text from assessments
		 where completed_at > now() - interval '1 day' or completed_at < now() - interval '2 years' or started_at > completed_at`)
	if len(late) > 0 {
		t.Errorf("%d assessments dated today, in the future or long ago", len(late))
	}
}
