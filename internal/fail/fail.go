// Package fail holds the few kinds of failure a use case reports. A use
// case says what went wrong in the person's words; the server answers
// each kind the same way everywhere (see internal/server/errors.go), so a
// new failure needs no new mapping.
package fail

import (
	"errors"
	"maps"
	"sort"
	"strings"
)

// Kind is what sort of failure an Error is.
type Kind int

// The kinds of failure. Anything that is not an *Error is KindInternal.
const (
	// KindInternal is a failure the person can do nothing about: logged,
	// and shown as a plain apology.
	KindInternal Kind = iota
	// KindInvalid is input that can't be accepted; Fields says where and
	// why.
	KindInvalid
	// KindNotFound is a record that does not exist, or belongs to another
	// tenant: the two are deliberately the same.
	KindNotFound
	// KindConflict is a record someone else changed since the person read
	// it.
	KindConflict
	// KindForbidden is an action the person's role does not allow.
	KindForbidden
	// KindPrecondition is an action that does not apply to the record as
	// it is now (no consent recorded, the plan is not open, …); Message
	// says why.
	KindPrecondition
)

var kindNames = map[Kind]string{KindInternal: "internal", KindInvalid: "invalid", KindNotFound: "not found",
	KindConflict: "conflict", KindForbidden: "forbidden", KindPrecondition: "precondition"}

func (k Kind) String() string { return kindNames[k] }

// Error is a failure of a known kind with what to tell the person.
type Error struct {
	Kind Kind
	// Message is a sentence for the person, written for a coordinator,
	// not a programmer.
	Message string
	// Fields maps a form field's name to the message shown beside it.
	Fields map[string]string
	// origin is the declared failure this one was made from (see Because
	// and WithFields), so that errors.Is still recognises it.
	origin *Error
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return e.Kind.String() + ": " + e.Message
	}
	names := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		names = append(names, k)
	}
	sort.Strings(names)
	return e.Kind.String() + ": " + e.Message + " (" + strings.Join(names, ", ") + ")"
}

// Is recognises the declared failure (var ErrX = fail.Precondition(…))
// that e was made from by Because or WithFields.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && e.origin != nil && e.origin == t
}

// New is an error of kind k saying msg.
func New(k Kind, msg string) *Error { return &Error{Kind: k, Message: msg} }

// Invalid is input that can't be accepted, with a message per field. msg
// is the summary above the form; "" takes the usual one.
func Invalid(fields map[string]string, msg string) *Error {
	if msg == "" {
		msg = "Some answers need another look. They are marked below; nothing was saved yet."
	}
	return &Error{Kind: KindInvalid, Message: msg, Fields: maps.Clone(fields)}
}

// NotFound is a record that is not there, or not the tenant's.
func NotFound(msg string) *Error { return New(KindNotFound, msg) }

// Conflict is a record changed by someone else, and what to do about it.
func Conflict(msg string) *Error { return New(KindConflict, msg) }

// Forbidden is an action the person's role does not allow.
func Forbidden(msg string) *Error { return New(KindForbidden, msg) }

// Precondition is an action that does not apply now, and why.
func Precondition(msg string) *Error { return New(KindPrecondition, msg) }

// Because is e saying msg instead: a declared failure told in the words
// of this case ("The patient is discharged, so …").
func (e *Error) Because(msg string) *Error {
	c := e.copy()
	c.Message = msg
	return c
}

// WithFields is e with messages beside fields, for a failure that belongs
// next to one answer of a form (an MRN another patient already has).
func (e *Error) WithFields(fields map[string]string) *Error {
	c := e.copy()
	c.Fields = maps.Clone(fields)
	return c
}

func (e *Error) copy() *Error {
	c := *e
	if c.origin == nil {
		c.origin = e
	}
	return &c
}

// As returns err's *Error, if it has one.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// KindOf is err's kind: KindInternal for anything that is not an *Error.
func KindOf(err error) Kind {
	if e, ok := As(err); ok {
		return e.Kind
	}
	return KindInternal
}

// Fields are the per-field messages of err, or nil.
func Fields(err error) map[string]string {
	if e, ok := As(err); ok {
		return e.Fields
	}
	return nil
}
