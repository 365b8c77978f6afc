package risk

import (
	"context"
	"slices"
	"time"

	"carecoord/internal/assessments"
	"carecoord/internal/calendar"
	"carecoord/internal/contacts"
	"carecoord/internal/db"
	"carecoord/internal/tenants"
)

// gather reads the evidence about a patient from the domains that hold it,
// at a's moment.
func gather(ctx context.Context, q db.DBTX, a tenants.Actor, patientID string) (Facts, error) {
	var f Facts
	results, err := assessments.StandingResults(ctx, q, a.TenantID, patientID, []string{"LACE", "PHQ-9", "AHC-HRSN"})
	if err != nil {
		return f, err
	}
	for _, as := range results {
		resultFacts(&f, as, a.At.Location())
	}
	since := a.Today().AddDate(0, -EmergencyWindowMonths, 0)
	visits, err := contacts.EmergencyVisits(ctx, q, a.TenantID, patientID, since)
	if err != nil {
		return f, err
	}
	for _, v := range visits {
		f.EmergencyVisits = append(f.EmergencyVisits, Visit{Source: v.ID, On: v.OccurredOn})
	}
	reach, err := contacts.ReachOf(ctx, q, a.TenantID, patientID)
	f.Unreached = reach.UnreachedAttempts
	if last := reach.LastAttempt; last != nil {
		t := last.In(a.At.Location())
		f.LastAttempt = &t
	}
	return f, err
}

// resultFacts reads what the rules need of one result. The PHQ-9 item 9
// answer and the count of positive social-needs domains are read here, and
// only here, so that they can follow the assessments package's own
// helpers once it has them.
func resultFacts(f *Facts, as assessments.Standing, loc *time.Location) {
	r := &Result{Source: as.ID, On: calendar.DateOf(as.CompletedAt.In(loc))}
	if as.Total != nil {
		r.Total = *as.Total
	}
	switch as.Code {
	case "LACE":
		f.LACE = r
	case "PHQ-9":
		f.PHQ9 = r
		f.PHQ9Item9 = slices.ContainsFunc(as.Answers["q9"], func(o string) bool { return o != "not_at_all" })
	case "AHC-HRSN":
		f.Social = r
		f.SocialDomains, f.SocialSafety = cmsDomains(as.PositiveDomains)
	}
}

// cmsDomains are the positive domains as CMS counts them (the screen's
// own rule, assessments.CountRefs: the two living situation questions are
// one domain), and whether interpersonal safety is among them.
func cmsDomains(refs []assessments.DomainRef) (labels []string, safety bool) {
	safety = slices.ContainsFunc(refs, func(d assessments.DomainRef) bool { return d.Code == "safety" })
	return assessments.CountRefs("AHC-HRSN", refs), safety
}
