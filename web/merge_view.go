package web

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// DuplicatesView is the supervisor's list of possible duplicates: pairs of
// records that may be one person, with the evidence for each.
type DuplicatesView struct {
	Shell Shell
	Pairs []DuplicatePairView
	// Problem says why a page link was not used.
	Problem string
	// FirstHref and NextHref page through the list ("" when not needed).
	FirstHref, NextHref string
	// CaseloadHref leads back to the caseload.
	CaseloadHref string
}

// DuplicatePairView is one pair and what the supervisor can do with it.
type DuplicatePairView struct {
	A, B     PairSideView
	Evidence []string
	// CompareHref opens the comparison keeping A; DistinctAction posts the
	// "not the same person" decision with the hidden ids.
	CompareHref    string
	DistinctAction string
}

// PairSideView is one record of a pair, as it tells people apart.
type PairSideView struct {
	ID          string
	Name        string
	Born        string
	Phone       string
	Email       string
	ExternalID  string
	Status      string
	Coordinator string
	Href        string
}

// MergeView is the side-by-side comparison of two records, with a choice
// per differing field, before Merged is merged into Survivor.
type MergeView struct {
	Shell            Shell
	Survivor, Merged PairSideView
	Action           string
	// SwapHref compares the other way round (the other record survives).
	SwapHref        string
	BackHref        string
	SurvivorVersion string
	MergedVersion   string
	Fields          []MergeFieldView
	// Plans are both records' open care plans; with two, one is chosen.
	Plans    []MergePlanView
	KeepPlan string
	Problem  string
	Errors   map[string]string
}

// MergeFieldView is one detail of both records.
type MergeFieldView struct {
	Name, Label      string
	Survivor, Merged string
	Differs          bool
	// Keep is the choice made: "survivor" or "merged".
	Keep string
}

// MergePlanView is an open care plan of either record.
type MergePlanView struct {
	ID, Title, Status, Whose string
}

// orDash shows an empty value as a dash, so a blank can be chosen too.
func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// capitalised starts a sentence-case label with a capital, for a heading.
func capitalised(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return strings.ToUpper(string(unicode.ToUpper(r))) + s[n:]
}
