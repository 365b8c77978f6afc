package tasks

import (
	"net/url"
	"testing"
	"time"

	"carecoord/internal/forms"
)

// FuzzActionForm feeds any posted form to the task actions' form: reading
// and checking never panics, and a new due date that passes is not in the
// past.
func FuzzActionForm(f *testing.F) {
	f.Add("note=Called&due_on=2026-12-10&reason=Away&assignee=x&version=2")
	f.Add("due_on=0001-01-01&version=-9&note=%00")
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, raw string) {
		v, _ := url.ParseQuery(raw)
		form := ParseActionForm(v)
		form.ValidateComplete(Task{}, forms.Errors{})
		errs := forms.Errors{}
		if due := form.ValidateReschedule(now, time.UTC, errs); len(errs) == 0 && due.Before(now.Truncate(24*time.Hour)) {
			t.Errorf("rescheduled into the past: %v", due)
		}
		form.ValidateHandOver(Task{}, map[string]bool{"x": true}, forms.Errors{})
	})
}
