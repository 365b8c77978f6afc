package referrals

import (
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// dateLayout is how dates travel in forms (<input type="date">).
const dateLayout = "2006-01-02"

// Errors maps a form field's name to the message shown beside it.
type Errors map[string]string

func (e Errors) add(field, msg string) {
	if _, ok := e[field]; !ok {
		e[field] = msg
	}
}

func (e Errors) required(field, v, msg string) {
	if strings.TrimSpace(v) == "" {
		e.add(field, msg)
	}
}

func (e Errors) maxLen(field, v string, n int) {
	if utf8.RuneCountInString(v) > n {
		e.add(field, "This is too long: at most "+strconv.Itoa(n)+" characters.")
	}
}

func (e Errors) email(field, v string) {
	if v == "" {
		return
	}
	if a, err := mail.ParseAddress(v); err != nil || a.Address != v {
		e.add(field, "Enter an email address like name@example.org.")
	}
}

// date parses a form date; "" is allowed unless required.
func (e Errors) date(field, v string, required bool) *time.Time {
	if v == "" {
		if required {
			e.add(field, "Choose a date.")
		}
		return nil
	}
	d, err := time.Parse(dateLayout, v)
	if err != nil {
		e.add(field, "Enter a real date, for example 2027-01-31.")
		return nil
	}
	return &d
}

// Option is a value with its label, for the enums forms offer.
type Option struct {
	Value string
	Label string
}

// LabelOf is the label of value among opts, or value itself.
func LabelOf(opts []Option, value string) string {
	for _, o := range opts {
		if o.Value == value {
			return o.Label
		}
	}
	return value
}

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
