package referrals

import (
	"strings"

	"carecoord/internal/forms"
	"carecoord/internal/patients"
)

// dateLayout is how dates travel in forms.
const dateLayout = forms.DateLayout

// Errors maps a form field's name to the message shown beside it.
type Errors = forms.Errors

// Option is a value with its label, for the enums forms offer: the same
// as the patient record's.
type Option = patients.Option

func valid(opts []Option, value string) bool {
	for _, o := range opts {
		if o.Value == value {
			return true
		}
	}
	return false
}

// trimmed reads a form value without surrounding space.
func trimmed(get func(string) string, name string) string {
	return strings.TrimSpace(get(name))
}
