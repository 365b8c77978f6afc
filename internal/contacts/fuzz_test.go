package contacts

import (
	"net/url"
	"testing"
	"time"

	"carecoord/internal/forms"
)

// FuzzForms feeds any posted form to the contact and transition forms:
// reading and checking never panics, and a contact that passes happened
// no later than now.
func FuzzForms(f *testing.F) {
	f.Add("occurred_date=2026-12-03&occurred_time=09:30&method=phone&direction=outbound&party=patient&outcome=reached&minutes=15&summary=Talked&goal_id=x&follow_up_title=Call&follow_up_due=2026-12-10")
	f.Add("occurred_date=0001-01-01&occurred_time=25:61&minutes=-1&summary=%00")
	f.Add("kind=hospital_discharge&occurred_on=9999-12-31&facility=General")
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, raw string) {
		v, _ := url.ParseQuery(raw)
		errs := forms.Errors{}
		c := ParseContactForm(v).Validate(now, time.UTC, Choices{Assignees: map[string]bool{"a": true}}, errs)
		if len(errs) == 0 && c.OccurredAt.After(now) {
			t.Errorf("a contact in the future passed: %v", c.OccurredAt)
		}
		ParseTransitionForm(v).Validate(now, time.UTC, forms.Errors{})
	})
}
