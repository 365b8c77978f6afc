package tenants

import (
	"net/url"
	"testing"
)

// FuzzForms feeds any posted form to the administration forms and any
// query to the audit log's filter: reading and checking never panics, and
// settings that pass are within their rules.
func FuzzForms(f *testing.F) {
	f.Add("idle_timeout_minutes=30&cadence_high_days=7&email=a%40b.org&role=coordinator&name=Northside&slug=northside")
	f.Add("idle_timeout_minutes=-1&cadence_high_days=99999999999999999999&email=%00&role=platform")
	f.Add("user=x&action=patient.viewed&patient=MRN-1&from=0001-01-01&to=9999-12-31&after=1_x&password=p")
	f.Fuzz(func(t *testing.T, raw string) {
		v, _ := url.ParseQuery(raw)
		if _, s, errs := ParseSettingsForm(v).Validate(); len(errs) == 0 && len(s.Validate()) > 0 {
			t.Errorf("settings passed the form but not their rules: %+v", s)
		}
		ParseInviteForm(v).Validate(Errors{})
		ParseAcceptForm(v)
		ParseNewTenantForm(v)
		ParseAuditQuery(v)
	})
}
