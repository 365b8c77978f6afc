package referrals

import (
	"net/url"
	"testing"
	"time"
)

// FuzzForms feeds any posted form to every referral, directory and
// appointment form, and any query to the directory's search: reading and
// checking never panics, and an appointment that passes is not in the
// past.
func FuzzForms(f *testing.F) {
	f.Add("with=other:&with_name=Dr+Lee&date=2026-12-10&time=14:30&minutes=60&location=Clinic&purpose=Check")
	f.Add("name=Food+bank&domains=food&languages=English&phone=555-0100&email=a%40b.org&website=https://x.org&q=food")
	f.Add("status=completed&outcome=met&reason=%00&number=A1&units=3&valid_from=0001-01-01&valid_to=9999-12-31&share=phone&confirm=yes&kept=yes")
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, raw string) {
		v, _ := url.ParseQuery(raw)
		errs := Errors{}
		ap := ParseAppointmentForm(v).Validate(WithChoices{}, time.UTC, now, errs)
		if len(errs) == 0 && ap.StartsAt.Before(now) {
			t.Errorf("an appointment in the past passed: %v", ap.StartsAt)
		}
		ParseResourceForm(v).Validate(Errors{})
		ParseAuthForm(v).Validate(Errors{})
		ParseDraft(v).Validate(DraftOptions{}, Errors{})
		ParseStep(v).Validate(Sent, Errors{})
		ParseSending(v).Validate(Referral{}, Errors{})
		ParseMarkForm(v)
		ParseFilter(v)
	})
}
