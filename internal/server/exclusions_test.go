package server

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

func TestDischargeExclusion_BadInputIsKeptAStaleOneConflictsAndAValidOneCancelsTheTask(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	c := app.signedIn("coord1@northside.test")
	day := func(n int) string { return time.Now().AddDate(0, 0, n).Format("2006-01-02") }
	res := c.post("/t/northside/patients/"+p+"/transitions", url.Values{"kind": {"discharge"}, "facility": {"Mercy General Hospital"},
		"occurred_on": {day(-10)}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("record discharge: status %d\n%s", res.status, res.body)
	}
	var id string
	chartRow(t, app, "select id::text from care_transitions where patient_id = $1", []any{p}, &id)
	path := "/t/northside/patients/" + p + "/transitions/" + id + "/exclusion"
	mustContain(t, "chart", taskSection(t, c.get("/t/northside/patients/"+p).body, "transitions"), `href="`+path+`"`, "Left out of follow-up?")
	form := c.get(path)
	mustContain(t, "exclusion form", form.body, "Leave a discharge out of the follow-up", "Discharged from Mercy General Hospital",
		"Not followed up: nobody reached the patient by", `name="version" value="1"`, "Entered hospice")

	// A readmission on day 9 is outside the window: refused, typed values kept.
	bad := c.post(path, url.Values{"version": {"1"}, "reason": {"readmitted"}, "excluded_on": {day(-1)}})
	if bad.status != http.StatusUnprocessableEntity {
		t.Fatalf("readmission after the window: status %d", bad.status)
	}
	mustContain(t, "refused exclusion", bad.body, `data-testid="error-excluded_on"`, "does not exclude this discharge", `value="`+day(-1)+`"`,
		`value="readmitted" selected`)
	if n := chartInt(t, app, "select count(*) from care_transitions where id = $1 and excluded_reason is null", id); n != 1 {
		t.Fatal("a refused exclusion changed the discharge")
	}
	if stale := c.post(path, url.Values{"version": {"0"}, "reason": {"died"}, "excluded_on": {day(-1)}}); stale.status != http.StatusConflict {
		t.Errorf("stale version: status %d, want 409", stale.status)
	} else {
		mustContain(t, "conflict", stale.body, "Someone changed this discharge", `value="died" selected`)
	}

	ok := c.post(path, url.Values{"version": {"1"}, "reason": {"hospice"}, "excluded_on": {day(-2)}})
	if ok.status != http.StatusSeeOther {
		t.Fatalf("exclusion: status %d\n%s", ok.status, ok.body)
	}
	chart := c.get("/t/northside/patients/" + p).body
	mustContain(t, "flash", chart, "Discharge left out of the 7-day follow-up. Its follow-up task was cancelled.")
	mustContain(t, "transitions", taskSection(t, chart, "transitions"), "Left out of the 7-day follow-up: entered hospice", "Change exclusion")
	mustContain(t, "timeline", chart, "left out of the 7-day follow-up: entered hospice on")
	var status, note string
	chartRow(t, app, "select status, completion_note from tasks where source_transition_id = $1", []any{id}, &status, &note)
	if status != "cancelled" || note == "" {
		t.Errorf("follow-up task: %s %q, want cancelled with the reason", status, note)
	}
	if n := chartInt(t, app, "select count(*) from audit_events where action = 'transition.excluded' and entity_id = $1", id); n != 1 {
		t.Errorf("audit events of the exclusion: %d, want 1", n)
	}

	river := app.signedIn("coord1@riverside.test")
	for _, base := range []string{"/t/northside/patients/" + p, "/t/riverside/patients/" + p} {
		if res := river.get(base + "/transitions/" + id + "/exclusion"); res.status != http.StatusNotFound {
			t.Errorf("another tenant's GET: %d, want 404", res.status)
		}
		if res := river.post(base+"/transitions/"+id+"/exclusion", url.Values{"version": {"2"}, "reason": {"died"}, "excluded_on": {day(-1)}}); res.status != http.StatusNotFound {
			t.Errorf("another tenant's POST: %d, want 404", res.status)
		}
	}
}
