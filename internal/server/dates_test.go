package server

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

// TestDates_OutOfTheirBoundsAreRefusedBesideTheField: dates no record can
// have (year 1, year 9999, a consent before the patient was born, an
// appointment years ahead) come back with a message beside the field, the
// typed value kept, and nothing written.
func TestDates_OutOfTheirBoundsAreRefusedBesideTheField(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	id := chartPatient(t, app) // born 1958-03-21
	c := app.signedIn("coord1@northside.test")
	base := "/t/northside/patients/" + id
	ahead := time.Now().AddDate(4, 0, 0).Format("2006-01-02")
	appointment := func(date string) url.Values {
		return url.Values{"with": {"other"}, "with_name": {"Eastside Clinic"}, "date": {date}, "time": {"09:15"}, "purpose": {"Check-up"}}
	}
	consent := func(date string) url.Values {
		return url.Values{"kind": {"text_messages"}, "given_on": {date}, "given_by": {"Rosa Delgado"}}
	}
	for _, tc := range []struct {
		name, path string
		form       url.Values
		field      string
	}{
		{"consent in year 1", base + "/consents", consent("0001-01-01"), "given_on"},
		{"consent before birth", base + "/consents", consent("1950-06-01"), "given_on"},
		{"appointment in 9999", base + "/appointments", appointment("9999-12-31"), "date"},
		{"appointment four years ahead", base + "/appointments", appointment(ahead), "date"},
		{"intake consent in year 1", "/t/northside/patients", chartDetails("consent.treatment.kind", "treatment",
			"consent.treatment.given_on", "0001-01-01", "consent.treatment.given_by", "Rosa", "confirmed_new", "yes"), "consent.treatment.given_on"},
		{"intake consent before birth", "/t/northside/patients", chartDetails("consent.treatment.kind", "treatment",
			"consent.treatment.given_on", "1957-01-01", "consent.treatment.given_by", "Rosa", "confirmed_new", "yes"), "consent.treatment.given_on"},
		{"intake birth in year 1", "/t/northside/patients", chartDetails("date_of_birth", "0001-01-01", "confirmed_new", "yes"), "date_of_birth"},
	} {
		before := chartInt(t, app, "select (select count(*) from consents) + (select count(*) from appointments) + (select count(*) from patients)")
		res := c.post(tc.path, tc.form)
		if res.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422", tc.name, res.status)
			continue
		}
		mustContain(t, tc.name, res.body, `data-testid="error-`+tc.field+`"`, `value="`+tc.form.Get(tc.field)+`"`)
		if after := chartInt(t, app, "select (select count(*) from consents) + (select count(*) from appointments) + (select count(*) from patients)"); after != before {
			t.Errorf("%s: %d rows written, want none", tc.name, after-before)
		}
	}
}
