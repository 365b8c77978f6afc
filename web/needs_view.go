package web

// NeedProposalsView is the needs a result proposes, each decided in one
// step with its own form.
type NeedProposalsView struct {
	// Action is where every proposal form posts.
	Action     string
	Proposals  []NeedProposalView
	Priorities []SelectOption
}

// NeedProposalView is one proposal as its form shows it: the suggested
// wording, or what the coordinator typed when it could not be saved.
type NeedProposalView struct {
	Domain      string
	Label       string
	Description string
	Priority    string
	Reason      string
	// DeclineOpen unfolds the decline form (after an error in it).
	DeclineOpen bool
	Errors      FieldErrors
}

// ChartNeedRow is one open need on the chart.
type ChartNeedRow struct {
	Label       string
	Description string
	Priority    ChartBadge
	Status      string
	// Source is "From AHC-HRSN"; SourceHref links to that result.
	Source     string
	SourceHref string
	// ReferHref writes a referral for the need.
	ReferHref string
}

// needFieldID is a field's id within its proposal's form: several proposal
// forms share one page, so names alone would repeat.
func needFieldID(domain, field string) string { return "need-" + domain + "-" + field }

func needDescribedBy(domain, field, msg string) string {
	if msg == "" {
		return ""
	}
	return "e-" + needFieldID(domain, field)
}
