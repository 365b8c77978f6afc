package referrals

import (
	"strings"

	"carecoord/internal/forms"
)

// Errors maps a form field's name to the message shown beside it.
type Errors = forms.Errors

// trimmed reads a form value without surrounding space.
func trimmed(get func(string) string, name string) string {
	return strings.TrimSpace(get(name))
}
