package server

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"carecoord/internal/patients"
)

// patientRef is a column of a table that names a patient.
type patientRef struct{ table, column string }

// patientRefs are the columns with a foreign key to patients, read from
// the catalog, so a table added later is found without anyone listing it.
func patientRefs(t *testing.T, app *testApp) []patientRef {
	t.Helper()
	rows, err := app.db.Pool.Query(context.Background(), `
		select c.conrelid::regclass::text, a.attname
		  from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any(c.conkey)
		 where c.contype = 'f' and c.confrelid = 'patients'::regclass and c.conrelid <> 'patients'::regclass
		   and a.attname <> 'tenant_id'
		 order by 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	var out []patientRef
	for rows.Next() {
		var r patientRef
		if err := rows.Scan(&r.table, &r.column); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func tablesOf(refs []patientRef) []string {
	var out []string
	for _, r := range refs {
		if !slices.Contains(out, r.table) {
			out = append(out, r.table)
		}
	}
	return out
}

// rowsOf counts, per table, the rows that name the patient.
func rowsOf(t *testing.T, app *testApp, refs []patientRef, id string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, r := range refs {
		out[r.table] += chartInt(t, app, "select count(*) from "+r.table+" where "+r.column+" = $1", id)
	}
	return out
}

func TestMerge_EveryTableThatReferencesPatientsIsHandled(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	tables := tablesOf(patientRefs(t, app))
	for _, table := range tables {
		if _, ok := patients.MergeHandles[table]; !ok {
			t.Errorf("table %s references patients but merge does not say what becomes of its rows (patients.MergeHandles)", table)
		}
	}
	for table := range patients.MergeHandles {
		if !slices.Contains(tables, table) {
			t.Errorf("patients.MergeHandles names %s, which references no patient", table)
		}
	}
}

// filledByTest are the tables the demo leaves empty for its richest
// patient, which the test fills itself.
var filledByTest = []string{"care_transitions", "patient_distinct_pairs", "patient_merges", "patient_duplicate_candidates"}

// richest is the northside patient with rows in the most child tables,
// and one other patient of the tenant.
func richest(t *testing.T, app *testApp, refs []patientRef) (string, string) {
	t.Helper()
	var parts []string
	for _, r := range refs {
		if !slices.Contains(filledByTest, r.table) {
			parts = append(parts, "(exists (select from "+r.table+" x where x."+r.column+" = p.id))::int")
		}
	}
	var rich, other string
	chartRow(t, app, `select p.id, (select q.id from patients q where q.tenant_id = p.tenant_id and q.id <> p.id order by q.id limit 1)
		  from patients p join tenants t on t.id = p.tenant_id and t.slug = 'northside'
		 order by `+strings.Join(parts, " + ")+` desc, p.id limit 1`, nil, &rich, &other)
	return rich, other
}

var mergeVersions = regexp.MustCompile(`name="(survivor_version|merged_version)" value="(\d+)"`)

// skipCount marks a table whose rows the merge test does not count.
const skipCount = -2

var keptPlan = regexp.MustCompile(`name="keep_plan" value="([0-9a-f-]{36})" checked`)

// mergeVia opens the comparison of merged into survivor as c and posts it
// with the versions it showed and the choices in extra.
func mergeVia(t *testing.T, c *client, survivor, merged string, extra url.Values) response {
	t.Helper()
	page := c.get("/t/northside/patients/" + survivor + "/merge/" + merged)
	if page.status != http.StatusOK {
		t.Fatalf("comparison: %d\n%s", page.status, page.body)
	}
	form := url.Values{}
	for _, m := range mergeVersions.FindAllStringSubmatch(page.body, -1) {
		form.Set(m[1], m[2])
	}
	if m := keptPlan.FindStringSubmatch(page.body); m != nil {
		form.Set("keep_plan", m[1])
	}
	for k, v := range extra {
		form[k] = v
	}
	return c.post("/t/northside/patients/"+survivor+"/merge/"+merged, form)
}

// Everything that names the merged-away record names the survivor after
// the merge, table by table as the catalog lists them; every table has a
// row of the merged-away record before, so none is checked empty.
func TestMerge_EveryRowOfTheMergedRecordMovesToTheSurvivor(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	grace := app.signedIn("supervisor@northside.test")
	refs := patientRefs(t, app)
	merged, survivor := richest(t, app, refs)
	var third, fourth, user string
	chartRow(t, app, `select (array_agg(id order by id))[1], (array_agg(id order by id))[2] from patients where id not in ($1, $2)`,
		[]any{merged, survivor}, &third, &fourth)
	chartRow(t, app, `select id from users where email = 'supervisor@northside.test'`, nil, &user)
	// The kinds of row the demo's richest patient lacks.
	if res := grace.post("/t/northside/duplicates/distinct", url.Values{"a": {merged}, "b": {third}}); res.status != http.StatusSeeOther {
		t.Fatalf("not the same person: %d\n%s", res.status, res.body)
	}
	if res := mergeVia(t, grace, merged, fourth, nil); res.status != http.StatusSeeOther {
		t.Fatalf("earlier merge into the record: %d\n%s", res.status, res.body)
	}
	addDuplicate(t, app, merged)
	if err := app.scanInTenant("northside", `insert into care_transitions (tenant_id, patient_id, kind, facility, occurred_on, recorded_by)
		values (current_setting('app.tenant_id')::uuid, $1, 'admission', 'St Elsewhere', current_date, $2) returning 1`,
		[]any{merged, user}, new(int)); err != nil {
		t.Fatal(err)
	}
	// An open risk proposal of each: the merged-away one's is superseded.
	for _, id := range []string{merged, survivor} {
		if err := app.scanInTenant("northside", `insert into risk_proposals (tenant_id, patient_id, from_tier, proposed_tier, reasons, fingerprint, created_at)
			values (current_setting('app.tenant_id')::uuid, $1, 'low', 'high', '[]', 'test', now()) returning 1`, []any{id}, new(int)); err != nil {
			t.Fatal(err)
		}
	}
	before, kept := rowsOf(t, app, refs, merged), rowsOf(t, app, refs, survivor)
	for table, n := range before {
		if n == 0 {
			t.Errorf("the merged record has no row in %s: the test would not see it moved", table)
		}
	}

	res := mergeVia(t, grace, survivor, merged, nil)
	if res.status != http.StatusSeeOther || res.location() != "/t/northside/patients/"+survivor {
		t.Fatalf("merge: %d %s\n%s", res.status, res.location(), res.body)
	}
	after, gone := rowsOf(t, app, refs, survivor), rowsOf(t, app, refs, merged)
	for table, n := range gone {
		if n != 0 {
			t.Errorf("%s: %d rows still name the merged-away record", table, n)
		}
	}
	for table, want := range map[string]int{
		"patient_name_keys": kept["patient_name_keys"],                             // the survivor's name stays
		"patient_events":    kept["patient_events"] + before["patient_events"] + 2, // and a line each for the merge
		"patient_merges":    kept["patient_merges"] + before["patient_merges"] + 1, // the earlier merge and this one
		"consents":          -1, "care_team_members": -1,                           // kept once when both hold one
		"patient_duplicate_candidates": kept["patient_duplicate_candidates"], // the survivor's own; its pair with the duplicate is gone
		// Summaries kept by triggers: one row per patient; the spans are
		// recomputed from the survivor's status and rows, so their count
		// is the summary tests' to check (skipped here).
		"patient_flags": kept["patient_flags"], "patient_firsts": kept["patient_firsts"], "measure_spans": skipCount,
	} {
		switch {
		case want == skipCount:
		case want >= 0 && after[table] != want:
			t.Errorf("%s: the survivor has %d rows, want %d", table, after[table], want)
		case want < 0 && (after[table] > kept[table]+before[table] || after[table] < max(kept[table], before[table])):
			t.Errorf("%s: the survivor has %d rows, from %d and %d", table, after[table], kept[table], before[table])
		}
		delete(before, table)
	}
	for table, n := range before {
		if after[table] != kept[table]+n {
			t.Errorf("%s: the survivor has %d rows, want %d + %d", table, after[table], kept[table], n)
		}
	}
	if n := chartInt(t, app, "select count(*) from risk_proposals where patient_id = $1 and status = 'open'", survivor); n != 1 {
		t.Errorf("the survivor has %d open risk proposals, want its own one", n)
	}
	if n := chartInt(t, app, "select count(*) from patients where id = $1", merged); n != 0 {
		t.Errorf("the merged-away row is still in patients")
	}
}

func TestMerge_OldAddressesLeadToTheSurvivor(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	grace := app.signedIn("supervisor@northside.test")
	var survivor, merged string
	chartRow(t, app, `select (array_agg(id order by id))[1], (array_agg(id order by id))[2] from patients`, nil, &survivor, &merged)
	if res := mergeVia(t, grace, survivor, merged, nil); res.status != http.StatusSeeOther {
		t.Fatalf("merge: %d\n%s", res.status, app.logs.String())
	}
	for _, page := range []string{"", "/edit", "/care-plan"} {
		res := grace.get("/t/northside/patients/" + merged + page)
		if res.status != http.StatusFound || res.location() != "/t/northside/patients/"+survivor+page {
			t.Errorf("old address %q: %d to %q", page, res.status, res.location())
		}
	}
	mustContain(t, "survivor's chart", grace.get("/t/northside/patients/"+survivor).body, "merged into this one")
	// A change sent to the old address is refused and saves nothing.
	if res := grace.post("/t/northside/patients/"+merged+"/status", url.Values{"action": {"hold"}}); res.status != http.StatusUnprocessableEntity && res.status != http.StatusConflict {
		t.Errorf("post to a merged-away record: %d", res.status)
	}
	// A merge into itself, or into a merged-away record, is refused with a message.
	if res := grace.get("/t/northside/patients/" + survivor + "/merge/" + survivor); res.status != http.StatusSeeOther {
		t.Errorf("comparison with itself: %d", res.status)
	} else {
		mustContain(t, "refusal", grace.get(res.location()).body, "cannot be merged into itself")
	}
	if res := grace.get("/t/northside/patients/" + survivor + "/merge/" + merged); res.status != http.StatusSeeOther {
		t.Errorf("comparison with a merged-away record: %d", res.status)
	} else {
		mustContain(t, "refusal", grace.get(res.location()).body, "already merged into")
	}
}

func TestMerge_AStaleComparisonMergesNothing(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	grace := app.signedIn("supervisor@northside.test")
	var survivor, merged string
	chartRow(t, app, `select (array_agg(id order by id))[1], (array_agg(id order by id))[2] from patients`, nil, &survivor, &merged)
	page := grace.get("/t/northside/patients/" + survivor + "/merge/" + merged)
	form := url.Values{}
	for _, m := range mergeVersions.FindAllStringSubmatch(page.body, -1) {
		form.Set(m[1], m[2])
	}
	// Someone edits the merged record after the comparison was opened.
	if err := app.scanInTenant("northside", `update patients set version = version + 1 where id = $1 returning 1`, []any{merged}, new(int)); err != nil {
		t.Fatal(err)
	}
	res := grace.post("/t/northside/patients/"+survivor+"/merge/"+merged, form)
	if res.status != http.StatusConflict {
		t.Fatalf("stale merge: %d", res.status)
	}
	mustContain(t, "comparison again", res.body, "changed after this comparison", `data-testid="comparison"`)
	if n := chartInt(t, app, "select count(*) from patients where id = $1", merged); n != 1 {
		t.Errorf("a stale merge merged")
	}
}

func TestMerge_OnlySupervisorsAndOnlyTheirTenantsRecords(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	var survivor, merged string
	chartRow(t, app, `select (array_agg(id order by id))[1], (array_agg(id order by id))[2] from patients`, nil, &survivor, &merged)
	for email, want := range map[string]int{"coord1@northside.test": http.StatusForbidden, "admin@northside.test": http.StatusForbidden} {
		c := app.signedIn(email)
		if res := c.get("/t/northside/duplicates"); res.status != want {
			t.Errorf("%s duplicates: %d, want %d", email, res.status, want)
		}
		if res := c.post("/t/northside/patients/"+survivor+"/merge/"+merged, url.Values{}); res.status != want {
			t.Errorf("%s merge: %d, want %d", email, res.status, want)
		}
	}
	var other, foreign string
	if err := app.db.Pool.QueryRow(context.Background(), `select slug from tenants where slug <> 'northside' order by slug limit 1`).Scan(&other); err != nil {
		t.Fatal(err)
	}
	if err := app.scanInTenant(other, `select id from patients order by id limit 1`, nil, &foreign); err != nil {
		t.Fatalf("a patient of %s: %v", other, err)
	}
	grace := app.signedIn("supervisor@northside.test")
	if res := grace.get("/t/northside/patients/" + survivor + "/merge/" + foreign); res.status != http.StatusNotFound {
		t.Errorf("comparison with an unknown record: %d", res.status)
	}
	if res := grace.post("/t/northside/patients/"+survivor+"/merge/"+foreign, url.Values{"survivor_version": {"1"}, "merged_version": {"1"}}); res.status != http.StatusNotFound {
		t.Errorf("merge of an unknown record: %d", res.status)
	}
}

// addDuplicate takes patient id of northside in a second time, as a
// hurried intake would: the same person, the MRN typed in lower case with
// a space, the phone without punctuation. It returns the new record's id.
func addDuplicate(t *testing.T, app *testApp, id string) string {
	t.Helper()
	var dup string
	err := app.scanInTenant("northside", `
		insert into patients (tenant_id, given_name, family_name, date_of_birth, phone, email, external_id,
			assigned_coordinator_id, risk_tier, preferred_language)
		select tenant_id, given_name, family_name, date_of_birth, regexp_replace(phone, '[^0-9]', '', 'g'), email,
		       lower(replace(external_id, '-', ' ')), assigned_coordinator_id, risk_tier, preferred_language
		  from patients where id = $1
		returning id`, []any{id}, &dup)
	if err != nil {
		t.Fatal(err)
	}
	return dup
}

// exec runs one statement in northside's tenant as the app role.
func execNorthside(t *testing.T, app *testApp, sql string, args ...any) {
	t.Helper()
	if err := app.scanInTenant("northside", "with x as ("+sql+" returning 1) select count(*) from x", args, new(int)); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// Two open plans, two primary coverages, one consent and one caregiver on
// both records: after the merge one plan is open (the one chosen), one
// coverage primary, the consent and the caregiver kept once, and a contact
// that named the dropped caregiver names the kept one.
func TestMerge_ConflictsAreSettled(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	var survivor, merged, mergedPlan string
	chartRow(t, app, `select a.patient_id, b.patient_id, b.id from care_plans a join care_plans b on b.patient_id > a.patient_id
		 where a.status in ('draft', 'active') and b.status in ('draft', 'active') order by a.patient_id, b.patient_id limit 1`,
		nil, &survivor, &merged, &mergedPlan)
	for _, id := range []string{survivor, merged} {
		execNorthside(t, app, `update coverages set is_primary = false where patient_id = $1`, id)
		execNorthside(t, app, `insert into coverages (tenant_id, patient_id, payer, is_primary)
			values (current_setting('app.tenant_id')::uuid, $1, 'Medicaid', true)`, id)
		execNorthside(t, app, `insert into consents (tenant_id, patient_id, kind, given_on, given_by)
			values (current_setting('app.tenant_id')::uuid, $1, 'text_messages', '2026-01-05', 'Patient')`, id)
		execNorthside(t, app, `insert into care_team_members (tenant_id, patient_id, kind, name)
			values (current_setting('app.tenant_id')::uuid, $1, 'caregiver', 'Ines Okoro')`, id)
	}
	execNorthside(t, app, `update contacts set care_team_member_id = (select id from care_team_members where patient_id = $1 and name = 'Ines Okoro')
		 where id = (select id from contacts where patient_id = $1 order by id limit 1)`, merged)
	grace := app.signedIn("supervisor@northside.test")
	// Without a choice of plan the comparison comes back, asking for it.
	page := grace.get("/t/northside/patients/" + survivor + "/merge/" + merged)
	form := url.Values{}
	for _, m := range mergeVersions.FindAllStringSubmatch(page.body, -1) {
		form.Set(m[1], m[2])
	}
	if res := grace.post("/t/northside/patients/"+survivor+"/merge/"+merged, form); res.status != http.StatusUnprocessableEntity {
		t.Fatalf("merge without choosing a plan: %d", res.status)
	} else {
		mustContain(t, "comparison again", res.body, `data-testid="error-keep_plan"`)
	}
	if res := mergeVia(t, grace, survivor, merged, url.Values{"keep_plan": {mergedPlan}, "keep.Phone": {"merged"}}); res.status != http.StatusSeeOther {
		t.Fatalf("merge: %d\n%s", res.status, res.body)
	}
	var open, closedNote string
	chartRow(t, app, `select (select string_agg(id::text, ',') from care_plans where patient_id = $1 and status in ('draft', 'active')),
		(select string_agg(closed_reason, ',') from care_plans where patient_id = $1 and closed_reason like '%merged%')`, []any{survivor}, &open, &closedNote)
	if open != mergedPlan || closedNote == "" {
		t.Errorf("open plans %q, want the chosen %s; note on the other %q", open, mergedPlan, closedNote)
	}
	for what, sql := range map[string]string{
		"primary coverages":   `select count(*) from coverages where patient_id = $1 and is_primary`,
		"text consents":       `select count(*) from consents where patient_id = $1 and kind = 'text_messages' and given_on = '2026-01-05'`,
		"Ines Okoro entries":  `select count(*) from care_team_members where patient_id = $1 and name = 'Ines Okoro'`,
		"contacts naming her": `select count(*) from contacts c join care_team_members m on m.id = c.care_team_member_id where c.patient_id = $1 and m.name = 'Ines Okoro'`,
	} {
		if n := chartInt(t, app, sql, survivor); n != 1 {
			t.Errorf("%s: %d, want 1", what, n)
		}
	}
	var phone, mergedPhone, detail string
	chartRow(t, app, `select p.phone, m.merged_record->>'phone', (select detail::text from audit_events where action = 'patient.merged' and patient_id = $1)
		  from patients p join patient_merges m on m.survivor_id = p.id where p.id = $1`, []any{survivor}, &phone, &mergedPhone, &detail)
	if phone != mergedPhone || !strings.Contains(detail, `"phone"`) || !strings.Contains(detail, merged) {
		t.Errorf("phone %q, merged record's %q; audit detail %s", phone, mergedPhone, detail)
	}
}

// Two supervisors merge the same pair at once, each the other way round:
// the rows are locked in one order, so one merges and the other is told
// the record was merged already; nothing is lost or merged twice.
func TestMerge_TwoMergesAtOnceMergeOnce(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	var one, two string
	chartRow(t, app, `select (array_agg(id order by id))[3], (array_agg(id order by id))[4] from patients`, nil, &one, &two)
	a, b := app.signedIn("supervisor@northside.test"), app.signedIn("supervisor@northside.test")
	forms := make([]url.Values, 2)
	for i, pair := range [][2]string{{one, two}, {two, one}} {
		page := []*client{a, b}[i].get("/t/northside/patients/" + pair[0] + "/merge/" + pair[1])
		forms[i] = url.Values{}
		for _, m := range mergeVersions.FindAllStringSubmatch(page.body, -1) {
			forms[i].Set(m[1], m[2])
		}
		if m := keptPlan.FindStringSubmatch(page.body); m != nil {
			forms[i].Set("keep_plan", m[1])
		}
	}
	statuses := make(chan int, 2)
	go func() { statuses <- a.post("/t/northside/patients/"+one+"/merge/"+two, forms[0]).status }()
	go func() { statuses <- b.post("/t/northside/patients/"+two+"/merge/"+one, forms[1]).status }()
	got := []int{<-statuses, <-statuses}
	slices.Sort(got)
	if got[0] != http.StatusSeeOther || got[1] == http.StatusSeeOther {
		t.Errorf("two merges at once answered %v, want one 303 and one refusal", got)
	}
	if n := chartInt(t, app, `select count(*) from patients where id in ($1, $2)`, one, two); n != 1 {
		t.Errorf("%d of the two records remain, want 1", n)
	}
}

// The list shows a pair with its evidence; "not the same person" is
// remembered and the pair leaves the list.
func TestDuplicates_ListShowsEvidenceAndRemembersDistinctPairs(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	var id string
	chartRow(t, app, `select id from patients where external_id <> '' and phone <> '' order by id limit 1`, nil, &id)
	dup := addDuplicate(t, app, id)
	grace := app.signedIn("supervisor@northside.test")
	list := grace.get("/t/northside/duplicates")
	if list.status != http.StatusOK || strings.Count(list.body, `data-testid="duplicate-pair"`) != 1 {
		t.Fatalf("list: %d\n%s", list.status, list.body)
	}
	mustContain(t, "evidence", list.body, "Same date of birth, similar name", "Same phone number", "Same MRN or member id, written differently", dup)
	if res := grace.post("/t/northside/duplicates/distinct", url.Values{"a": {dup}, "b": {id}}); res.status != http.StatusSeeOther {
		t.Fatalf("not the same person: %d", res.status)
	}
	if list := grace.get("/t/northside/duplicates"); strings.Contains(list.body, `data-testid="duplicate-pair"`) {
		t.Errorf("a pair decided distinct is still listed")
	}
	if n := chartInt(t, app, `select count(*) from audit_events where action = 'patient.distinct_marked'`); n != 2 {
		t.Errorf("%d audit events for the decision, want one per record", n)
	}
	if res := app.signedIn("coord1@northside.test").post("/t/northside/duplicates/distinct", url.Values{"a": {dup}, "b": {id}}); res.status != http.StatusForbidden {
		t.Errorf("a coordinator's decision: %d", res.status)
	}
}

// A long list comes in keyset pages; a broken page link starts again
// from the first page, saying so.
func TestDuplicates_ListIsPaged(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	var ids []string
	chartRow(t, app, `select array_agg(id::text order by id) from (select id from patients order by id limit 26) p`, nil, &ids)
	for _, id := range ids {
		addDuplicate(t, app, id)
	}
	grace := app.signedIn("supervisor@northside.test")
	first := grace.get("/t/northside/duplicates")
	next := regexp.MustCompile(`href="(/t/northside/duplicates\?after=[^"]+)" data-testid="next-page"`).FindStringSubmatch(first.body)
	if n := strings.Count(first.body, `data-testid="duplicate-pair"`); n != patients.DuplicatePageSize || next == nil {
		t.Fatalf("first page: %d pairs, next link %v", n, next)
	}
	pairs := strings.Count(grace.get(strings.ReplaceAll(next[1], "&amp;", "&")).body, `data-testid="duplicate-pair"`)
	total := chartInt(t, app, `select count(*) from patient_duplicate_candidates`)
	if pairs == 0 || patients.DuplicatePageSize+pairs > total {
		t.Errorf("second page: %d pairs of %d", pairs, total)
	}
	mustContain(t, "broken link", grace.get("/t/northside/duplicates?after=nonsense").body, "starts again from the first page")
}
