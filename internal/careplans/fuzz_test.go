package careplans

import (
	"net/url"
	"testing"
	"time"
)

// FuzzForms feeds any posted form to every care-plan form: reading and
// checking never panics.
func FuzzForms(f *testing.F) {
	f.Add("title=Housing+first&need_id=0a1b2c3d-0000-4000-8000-000000000001&review_due=2027-01-31&version=3")
	f.Add("domain=housing&description=Needs+a+home&priority=high&target=Move&target_date=0001-01-01&own_words=%00")
	f.Add("description=Call&responsible=coordinator&due_on=9999-12-31&item=goal:x&direction=up&reason=&decision=accept&domain=food")
	today := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, raw string) {
		v, _ := url.ParseQuery(raw)
		_, _ = ParseStart(v).Validate()
		d := ParseDetails(v)
		d.Validate(today, Plan{})
		n := ParseNeed(v)
		n.Validate()
		g := ParseGoal(v)
		g.Validate(today, Goal{})
		i := ParseIntervention(v)
		i.Validate(today, Intervention{}, map[string]bool{"coordinator": true})
		r := ParseReason(v)
		r.Validate("")
		ParseMove(v)
		ParseStarters(v)
		if dec, ok := ParseDecision(v); ok {
			dec.Validate()
		}
	})
}
