package caseload

import (
	"net/url"

	"carecoord/internal/db"
	"carecoord/internal/forms"
	"carecoord/internal/patients"
)

// Sort orders the patient list.
type Sort string

// Sort orders: by name, most at risk first, longest without contact first.
const (
	ByName    Sort = "name"
	ByRisk    Sort = "risk"
	ByContact Sort = "contact"
)

// Sorts lists the orders with their labels, for the page.
var Sorts = forms.Choices[Sort]{
	{Value: ByName, Label: "Name"}, {Value: ByRisk, Label: "Risk tier"}, {Value: ByContact, Label: "Longest without contact"},
}

// Label names the order.
func (s Sort) Label() string { return Sorts.Label(s) }

// Valid reports whether s is one of Sorts.
func (s Sort) Valid() bool { return Sorts.Has(s) }

// Filter narrows the patient list behind the dashboard. Filters are
// combined; the zero Filter is every open patient of the team by name.
type Filter struct {
	// Coordinator is whose patients: nil for the whole team, "" for the
	// unassigned ones.
	Coordinator *string
	Flag        Flag
	Tier        patients.RiskTier
	Status      patients.Status
	Sort        Sort
	// After is the last patient of the previous page; "" starts at the top.
	After string
	// Limit is the page size; 0 lists every match (exports, reassignment).
	Limit int
}

// ParseFilter reads the list's filters from a query or a posted form.
// Unknown values are ignored; a coordinator that is not an id is not
// found.
func ParseFilter(v url.Values) (Filter, error) {
	var f Filter
	switch c := v.Get("coordinator"); {
	case c == "":
	case c == "none":
		f.Coordinator = new(string)
	case !db.ValidUUID(c):
		return f, db.ErrNotFound
	default:
		f.Coordinator = &c
	}
	if f.Flag = Flag(v.Get("flag")); !f.Flag.Valid() {
		f.Flag = ""
	}
	// A label that is the value itself marks a value the enum lacks.
	if f.Tier = patients.RiskTier(v.Get("tier")); f.Tier.Label() == string(f.Tier) {
		f.Tier = ""
	}
	if f.Status = patients.Status(v.Get("status")); f.Status.Label() == string(f.Status) {
		f.Status = ""
	}
	if f.Sort = Sort(v.Get("sort")); !f.Sort.Valid() {
		f.Sort = ByName
	}
	if after := v.Get("after"); db.ValidUUID(after) {
		f.After = after
	}
	return f, nil
}

// CoordinatorParam is the filter's coordinator as written in a URL: an
// id, "none" for the unassigned patients, "" for the whole team.
func (f Filter) CoordinatorParam() string {
	switch {
	case f.Coordinator == nil:
		return ""
	case *f.Coordinator == "":
		return "none"
	}
	return *f.Coordinator
}

// Values is the filter as URL parameters, without the page cursor.
func (f Filter) Values() url.Values {
	v := url.Values{}
	for k, val := range map[string]string{"coordinator": f.CoordinatorParam(), "flag": string(f.Flag), "tier": string(f.Tier),
		"status": string(f.Status), "sort": string(f.Sort)} {
		if val != "" {
			v.Set(k, val)
		}
	}
	return v
}
