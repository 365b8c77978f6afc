package assessments

import "fmt"

// Registry holds instrument definitions by code and version.
//
// A stored assessment keeps its instrument's code and version, and its
// answers are only meaningful against that exact definition. So a published
// version never changes: a change of wording, options or scoring is a new
// version, registered after the old one, which stays in the registry for as
// long as any assessment may refer to it. The registry refuses a second
// definition under a code and version it already holds, and hands out a
// freshly built definition on every lookup, so no caller can alter the one
// others see.
type Registry struct {
	defs    map[ref]func() Instrument
	current map[string]string // code → latest registered version
	codes   []string          // in order of first registration
}

type ref struct{ code, version string }

// NewRegistry registers the definitions in order; for each code, the last
// one registered is its current version.
func NewRegistry(defs ...func() Instrument) (*Registry, error) {
	r := &Registry{defs: map[ref]func() Instrument{}, current: map[string]string{}}
	for _, def := range defs {
		in := def()
		k := ref{in.Code, in.Version}
		if in.Code == "" || in.Version == "" {
			return nil, fmt.Errorf("assessments: definition %q has no code or version", in.Title)
		}
		if _, dup := r.defs[k]; dup {
			return nil, fmt.Errorf("assessments: %s version %s is already registered; publish a new version instead", in.Code, in.Version)
		}
		r.defs[k] = def
		if _, seen := r.current[in.Code]; !seen {
			r.codes = append(r.codes, in.Code)
		}
		r.current[in.Code] = in.Version
	}
	return r, nil
}

// Lookup returns the definition of code at version.
func (r *Registry) Lookup(code, version string) (Instrument, bool) {
	def, ok := r.defs[ref{code, version}]
	if !ok {
		return Instrument{}, false
	}
	return def(), true
}

// Current returns the current version of code.
func (r *Registry) Current(code string) (Instrument, bool) {
	v, ok := r.current[code]
	if !ok {
		return Instrument{}, false
	}
	return r.Lookup(code, v)
}

// All returns the current version of every instrument, in registration
// order: the "start an assessment" menu.
func (r *Registry) All() []Instrument {
	all := make([]Instrument, 0, len(r.codes))
	for _, code := range r.codes {
		in, _ := r.Current(code)
		all = append(all, in)
	}
	return all
}

// instruments is every published definition. Add new versions after the
// old ones; never edit or remove a published one.
var instruments = mustRegistry(phq9v1, gad7v1, ahcHRSNv1, lacev1, ahcHRSNv2)

func mustRegistry(defs ...func() Instrument) *Registry {
	r, err := NewRegistry(defs...)
	if err != nil {
		panic(err)
	}
	return r
}

// Lookup returns a published definition by code and version.
func Lookup(code, version string) (Instrument, bool) { return instruments.Lookup(code, version) }

// Current returns the current published version of code.
func Current(code string) (Instrument, bool) { return instruments.Current(code) }

// All returns the current version of every published instrument.
func All() []Instrument { return instruments.All() }
