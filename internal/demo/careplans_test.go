package demo_test

import (
	"testing"

	"carecoord/internal/db/dbtest"
)

func TestLoad_CarePlansAtEveryStageWithTasksAndRevisions(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "demo")
	for _, slug := range []string{"northside", "riverside"} {
		stages := countOf(tenantRows(t, d.Pool, slug, `
			select status || '/' || stage from care_plans`))
		for _, want := range []string{"active/approved", "draft/submitted", "active/submitted", "draft/editing"} {
			if stages[want] == 0 {
				t.Errorf("%s: no %s plan; plans %v", slug, want, stages)
			}
		}
		revised := tenantRows(t, d.Pool, slug, `
			select plan_id::text from care_plan_revisions where kind = 'approved' group by plan_id having count(*) > 1`)
		if len(revised) == 0 {
			t.Errorf("%s: no plan approved more than once", slug)
		}
		unplanned := tenantRows(t, d.Pool, slug, `
			select distinct n.patient_id::text from needs n
			 where n.status = 'identified'
			   and not exists (select 1 from care_plans c where c.tenant_id = n.tenant_id and c.patient_id = n.patient_id)`)
		if len(unplanned) == 0 {
			t.Errorf("%s: no patient with accepted needs waiting for a first plan", slug)
		}
		tasks := countOf(tenantRows(t, d.Pool, slug, `
			select case when due_at < now() then 'overdue' else 'upcoming' end from tasks
			 where source = 'intervention' and status = 'open'`))
		if tasks["overdue"] == 0 || tasks["upcoming"] == 0 {
			t.Errorf("%s: intervention tasks %v, want some overdue and some upcoming", slug, tasks)
		}
	}
}
