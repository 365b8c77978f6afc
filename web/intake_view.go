package web

import (
	"strings"

	"carecoord/internal/forms"
	"carecoord/internal/patients"
)

// IntakeView is the intake form, blank or as the coordinator typed it.
type IntakeView struct {
	Shell  Shell
	Action string
	Form   patients.IntakeForm
	Errors map[string]string
	// Problem is a message about the form as a whole.
	Problem      string
	Coordinators []SelectOption
	// Duplicates, when present, are shown before anything is saved.
	Duplicates []DuplicateRow
}

// DuplicateRow is an existing patient who may be the person being taken in.
type DuplicateRow struct {
	Name        string
	DateOfBirth string
	Status      string
	Coordinator string
	Href        string
}

// OptionsOf turns an enum's choices into select options.
func OptionsOf[T ~string](c forms.Choices[T]) []SelectOption {
	out := make([]SelectOption, len(c))
	for i, o := range c {
		out[i] = SelectOption{Value: string(o.Value), Label: o.Label}
	}
	return out
}

func riskOptions() []SelectOption { return OptionsOf(patients.RiskTiers) }

func indexed(prefix string, i int, field string) string {
	return prefix + "." + itoa(i) + "." + field
}

// sectionOpen reports whether a folding section of the intake should show:
// when anything in it was typed or needs fixing.
func (v IntakeView) sectionOpen(prefix string) bool {
	for field := range v.Errors {
		if strings.HasPrefix(field, prefix) {
			return true
		}
	}
	switch prefix {
	case "coverage":
		for _, c := range v.Form.Coverages {
			if c != (patients.CoverageForm{}) {
				return true
			}
		}
	case "team":
		for _, m := range v.Form.CareTeam {
			if m != (patients.MemberForm{}) {
				return true
			}
		}
	case "consent":
		for _, c := range v.Form.Consents {
			if c.GivenOn != "" || c.GivenBy != "" || c.ExpiresOn != "" {
				return true
			}
		}
	}
	return false
}
