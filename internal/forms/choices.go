package forms

// Every enum of CareCoord (a patient's status, a contact's method, a
// role) is labelled one way: a Choices table in the order forms offer its
// values, and a Label method on the enum's type that reads it.
//
//	var Statuses = forms.Choices[Status]{{Value: Referred, Label: "Referred"}, …}
//	func (s Status) Label() string { return Statuses.Label(s) }

// Choice is one value of an enum with the words people see for it.
type Choice[T ~string] struct {
	Value T
	Label string
}

// Choices are an enum's values, in the order a form offers them.
type Choices[T ~string] []Choice[T]

// Label is v's label, or v itself when v is not one of the choices (a
// value stored by a later version, say): a page never goes blank.
func (c Choices[T]) Label(v T) string {
	for _, o := range c {
		if o.Value == v {
			return o.Label
		}
	}
	return string(v)
}

// Has reports whether v is one of the choices: how a posted value is
// checked.
func (c Choices[T]) Has(v T) bool {
	for _, o := range c {
		if o.Value == v {
			return true
		}
	}
	return false
}

// Values lists the choices' values in order.
func (c Choices[T]) Values() []T {
	out := make([]T, len(c))
	for i, o := range c {
		out[i] = o.Value
	}
	return out
}
