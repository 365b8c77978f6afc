// Package forms holds what every form's validation shares: the messages
// beside each field, and the checks that produce the same message
// wherever a field of that kind appears.
package forms

import (
	"errors"
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"carecoord/internal/calendar"
)

// Errors maps a form field's name to the message shown beside it.
type Errors map[string]string

// Add records msg for field unless the field already has a message: the
// first problem found is the one worth fixing first.
func (e Errors) Add(field, msg string) {
	if _, ok := e[field]; !ok {
		e[field] = msg
	}
}

// Required adds msg when v is blank.
func (e Errors) Required(field, v, msg string) {
	if strings.TrimSpace(v) == "" {
		e.Add(field, msg)
	}
}

// MaxLen adds a message when v is longer than n characters.
func (e Errors) MaxLen(field, v string, n int) {
	if utf8.RuneCountInString(v) > n {
		e.Add(field, "This is too long: at most "+strconv.Itoa(n)+" characters.")
	}
}

// Email adds a message when v, if given, is not one plain address with a
// domain that has a dot.
func (e Errors) Email(field, v string) {
	if v == "" {
		return
	}
	a, err := mail.ParseAddress(v)
	_, domain, _ := strings.Cut(v, "@")
	if err != nil || a.Address != v || !strings.Contains(domain, ".") || len(v) > 254 {
		e.Add(field, "Enter an email address like name@example.org.")
	}
}

// Date parses a form date; "" is allowed unless required.
func (e Errors) Date(field, v string, required bool) *time.Time {
	if v == "" {
		if required {
			e.Add(field, "Choose a date.")
		}
		return nil
	}
	d, err := calendar.ParseDate(v)
	if errors.Is(err, calendar.ErrDateOutOfRange) {
		e.Add(field, calendar.OutOfRangeMessage)
		return nil
	}
	if err != nil {
		e.Add(field, "Enter a real date, for example 2027-01-31.")
		return nil
	}
	return &d
}

// Version reads a form's hidden version; anything unreadable becomes 0,
// which no record has, so it ends as a conflict rather than an overwrite.
func Version(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 {
		return 0
	}
	return n
}
