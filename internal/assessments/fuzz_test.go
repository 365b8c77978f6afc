package assessments

import (
	"net/url"
	"testing"
)

// FuzzForms feeds any posted form to the assessment forms: reading and
// checking never panics.
func FuzzForms(f *testing.F) {
	f.Add("instrument=phq9&version=1&q1=1&q9=3")
	f.Add("instrument=%00&version=-1&q1=99")
	f.Fuzz(func(t *testing.T, raw string) {
		v, _ := url.ParseQuery(raw)
		ParseStartForm(v).Validate()
		ParseAnswersForm(v)
	})
}
