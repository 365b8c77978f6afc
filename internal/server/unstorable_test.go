package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestForms_UnstorableTextIsRefusedNotAnError sends a NUL byte and
// invalid UTF-8 in a field of each kind of form and search: each is
// refused with 422 and a sentence, writes nothing, and logs no error.
func TestForms_UnstorableTextIsRefusedNotAnError(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn("supervisor@northside.test")
	patient := demoRoute(t, app, "northside", "{patientID}")
	before := app.queryInt("select count(*) from auth_events")
	for _, bad := range []string{"Ann\x00", "Ann\xff\xfe"} {
		for _, tc := range []struct {
			name, method, path string
			form               url.Values
		}{
			{"sign-in email", http.MethodPost, "/login", url.Values{"email": {bad}, "password": {"x"}}},
			{"patient search", http.MethodGet, "/t/northside/patients?q=" + url.QueryEscape(bad), nil},
			{"directory search", http.MethodGet, "/t/northside/resources/?q=" + url.QueryEscape(bad), nil},
			{"a field's name", http.MethodGet, "/t/northside/patients?" + url.QueryEscape(bad) + "=1", nil},
			{"intake", http.MethodPost, "/t/northside/patients", url.Values{"given_name": {bad}, "family_name": {"Okafor"}, "date_of_birth": {"1970-01-01"}}},
			{"contact", http.MethodPost, "/t/northside/patients/" + patient + "/contacts", url.Values{"summary": {bad}, "method": {"phone"}}},
			{"resource", http.MethodPost, "/t/northside/resources/", url.Values{"name": {bad}}},
		} {
			var res response
			if tc.method == http.MethodGet {
				res = c.get(tc.path)
			} else {
				res = c.post(tc.path, tc.form)
			}
			if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "characters CareCoord cannot keep") {
				t.Errorf("%s with %q: status %d, want 422 with the reason", tc.name, bad, res.status)
			}
		}
	}
	if n := app.queryInt("select count(*) from auth_events"); n != before {
		t.Errorf("%d sign-in events written, want none", n-before)
	}
	mustNotContain(t, "log", app.logs.String(), `"level":"ERROR"`)
}

// TestURLs_UnstorableTextIsNotFound: a NUL byte or invalid UTF-8 in the
// address is a page that does not exist.
func TestURLs_UnstorableTextIsNotFound(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn("coord1@northside.test")
	for _, path := range []string{"/t/%00/worklist", "/t/%ff/worklist", "/t/northside/patients/%00", "/invitations/%00", "/password-reset/%ff"} {
		if res := c.get(path); res.status != http.StatusNotFound && res.status != http.StatusGone {
			t.Errorf("GET %s: status %d, want 404", path, res.status)
		}
	}
	mustNotContain(t, "log", app.logs.String(), `"level":"ERROR"`)
}
