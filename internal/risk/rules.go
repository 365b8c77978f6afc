// Package risk proposes a patient's risk tier from the evidence the other
// domains hold (assessment results, emergency visits, unsuccessful contact
// attempts) with named rules, and records the coordinator's decision on
// each proposal. It sits above assessments and contacts and reads them;
// they call it back, through a function handed to them at construction,
// in the transaction of each new piece of evidence.
package risk

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"carecoord/internal/calendar"
	"carecoord/internal/patients"
	"carecoord/internal/tenants"
)

// PHQ9Moderate is the lowest PHQ-9 total of the published "moderate" band
// (10–14; Kroenke, Spitzer & Williams, J Gen Intern Med 2001).
const PHQ9Moderate = 10

// EmergencyWindowMonths is how far back emergency visits are counted.
const EmergencyWindowMonths = 6

// Result is one stored result the rules read: where it came from (the
// record's id, for the proposal's fingerprint), the day it was taken and
// its total.
type Result struct {
	Source string
	On     time.Time
	Total  int
}

// Visit is one recorded emergency department visit.
type Visit struct {
	Source string
	On     time.Time
}

// Facts are the evidence about one patient, as the domains hold it.
type Facts struct {
	// The newest counted result of each instrument, nil when none.
	LACE, PHQ9, Social *Result
	// PHQ9Item9 is whether the newest PHQ-9's item 9 was answered above
	// "Not at all".
	PHQ9Item9 bool
	// SocialDomains are the positive domains of the newest social needs
	// screen, as CMS counts them; SocialSafety whether interpersonal
	// safety is one of them.
	SocialDomains []string
	SocialSafety  bool
	// EmergencyVisits are those within EmergencyWindowMonths of today.
	EmergencyVisits []Visit
	// Unreached counts unsuccessful attempts in a row; LastAttempt is
	// the newest of them.
	Unreached   int
	LastAttempt *time.Time
}

// Thresholds are the tenant's cut-offs (tenants.Settings, within the
// bounds its settings page allows).
type Thresholds struct {
	LACEHigh, PHQ9High, SocialDomains, EmergencyVisits, UnreachedAttempts int
}

// ThresholdsOf reads the thresholds from a tenant's settings.
func ThresholdsOf(s tenants.Settings) Thresholds {
	return Thresholds{LACEHigh: s.RiskLACEHigh, PHQ9High: s.RiskPHQ9High, SocialDomains: s.RiskSocialDomains,
		EmergencyVisits: s.RiskEmergencyVisits, UnreachedAttempts: s.RiskUnreachedAttempts}
}

// Reason is one rule that fired: its key, the tier it proposes, the
// evidence in words ("LACE 19 on 3 Dec: ≥ 10 → High") and the records it
// read (for the fingerprint, never shown).
type Reason struct {
	Rule     string            `json:"rule"`
	Tier     patients.RiskTier `json:"tier"`
	Evidence string            `json:"evidence"`
	Source   string            `json:"-"`
}

// Rule is one named rule: it proposes a tier from the facts, or nothing.
type Rule struct {
	Key  string
	Name string
	fire func(Facts, Thresholds) (Reason, bool)
}

// Rules are every rule, in the order a proposal lists its reasons.
var Rules = []Rule{
	{Key: "lace", Name: "LACE index", fire: laceRule},
	{Key: "phq9", Name: "PHQ-9 total", fire: phq9Rule},
	{Key: "phq9_item9", Name: "PHQ-9 item 9", fire: item9Rule},
	{Key: "social_needs", Name: "Positive social needs domains", fire: socialRule},
	{Key: "emergency_visits", Name: "Emergency visits in six months", fire: emergencyRule},
	{Key: "unreachable", Name: "Unable to reach", fire: unreachableRule},
}

// laceRule: a LACE index of 10 or more is a high risk of readmission or
// death within 30 days of discharge (van Walraven et al., CMAJ 2010).
func laceRule(f Facts, t Thresholds) (Reason, bool) {
	if f.LACE == nil || f.LACE.Total < t.LACEHigh {
		return Reason{}, false
	}
	return Reason{Tier: patients.High, Source: f.LACE.Source,
		Evidence: "LACE " + strconv.Itoa(f.LACE.Total) + " on " + day(f.LACE.On) + ": ≥ " + strconv.Itoa(t.LACEHigh) + " → High"}, true
}

// phq9Rule: moderately severe symptoms (15–19) or worse propose high risk,
// moderate ones (10–14) moderate risk (Kroenke et al. 2001). A tenant
// that raises the high cut-off keeps the totals below it as moderate.
func phq9Rule(f Facts, t Thresholds) (Reason, bool) {
	if f.PHQ9 == nil || f.PHQ9.Total < PHQ9Moderate {
		return Reason{}, false
	}
	lead := "PHQ-9 " + strconv.Itoa(f.PHQ9.Total) + " on " + day(f.PHQ9.On) + ": "
	if f.PHQ9.Total >= t.PHQ9High {
		return Reason{Tier: patients.High, Source: f.PHQ9.Source, Evidence: lead + "≥ " + strconv.Itoa(t.PHQ9High) + " → High"}, true
	}
	return Reason{Tier: patients.Moderate, Source: f.PHQ9.Source,
		Evidence: lead + strconv.Itoa(PHQ9Moderate) + "–" + strconv.Itoa(t.PHQ9High-1) + " → Moderate"}, true
}

// item9Rule: any answer above "Not at all" to item 9 (thoughts of being
// better off dead or of self-harm) proposes high risk, whatever the total.
func item9Rule(f Facts, _ Thresholds) (Reason, bool) {
	if f.PHQ9 == nil || !f.PHQ9Item9 {
		return Reason{}, false
	}
	return Reason{Tier: patients.High, Source: f.PHQ9.Source,
		Evidence: "PHQ-9 item 9 positive on " + day(f.PHQ9.On) + " → High"}, true
}

// socialRule: several positive AHC-HRSN domains propose moderate risk,
// high when interpersonal safety is one of them.
func socialRule(f Facts, t Thresholds) (Reason, bool) {
	n := len(f.SocialDomains)
	if f.Social == nil || n < t.SocialDomains {
		return Reason{}, false
	}
	ev := "AHC-HRSN on " + day(f.Social.On) + ": " + plural(n, "positive domain") + " (" + strings.Join(f.SocialDomains, ", ") +
		"): ≥ " + strconv.Itoa(t.SocialDomains)
	if f.SocialSafety {
		return Reason{Tier: patients.High, Source: f.Social.Source, Evidence: ev + " with interpersonal safety → High"}, true
	}
	return Reason{Tier: patients.Moderate, Source: f.Social.Source, Evidence: ev + " → Moderate"}, true
}

// emergencyRule: repeated emergency department visits within six months
// propose high risk.
func emergencyRule(f Facts, t Thresholds) (Reason, bool) {
	n := len(f.EmergencyVisits)
	if n < t.EmergencyVisits {
		return Reason{}, false
	}
	days, ids := make([]string, n), make([]string, n)
	for i, v := range f.EmergencyVisits {
		days[i], ids[i] = day(v.On), v.Source
	}
	sort.Strings(ids)
	return Reason{Tier: patients.High, Source: strings.Join(ids, ","),
		Evidence: plural(n, "emergency visit") + " in six months (" + strings.Join(days, ", ") + "): ≥ " + strconv.Itoa(t.EmergencyVisits) + " → High"}, true
}

// unreachableRule: unsuccessful attempts in a row propose moderate risk: a
// patient nobody reaches is followed more closely until someone does.
func unreachableRule(f Facts, t Thresholds) (Reason, bool) {
	if f.Unreached < t.UnreachedAttempts || f.LastAttempt == nil {
		return Reason{}, false
	}
	return Reason{Tier: patients.Moderate, Source: strconv.Itoa(f.Unreached) + "@" + strconv.FormatInt(f.LastAttempt.Unix(), 10),
		Evidence: plural(f.Unreached, "attempt") + " in a row without reaching the patient, the last on " + day(calendar.DateOf(*f.LastAttempt)) +
			": ≥ " + strconv.Itoa(t.UnreachedAttempts) + " → Moderate"}, true
}

// Proposal is what the evidence proposes: the highest tier any rule
// proposes (empty when none fired) and every rule that fired.
type Proposal struct {
	Tier    patients.RiskTier
	Reasons []Reason
}

// Evaluate runs every rule over the facts.
func Evaluate(f Facts, t Thresholds) Proposal {
	var p Proposal
	for _, r := range Rules {
		reason, ok := r.fire(f, t)
		if !ok {
			continue
		}
		reason.Rule = r.Key
		p.Reasons = append(p.Reasons, reason)
		if rank(reason.Tier) > rank(p.Tier) {
			p.Tier = reason.Tier
		}
	}
	return p
}

// Raises reports whether the proposal is a higher tier than current.
// Evidence only ever raises a tier: no rule firing is not evidence of low
// risk, so lowering a tier stays a person's judgement.
func (p Proposal) Raises(current patients.RiskTier) bool {
	return p.Tier != "" && rank(p.Tier) > rank(current)
}

// Fingerprint names the evidence the proposal rests on: the tier and each
// fired rule with the records it read. The same evidence gives the same
// fingerprint, and a decided fingerprint is not proposed again.
func (p Proposal) Fingerprint() string {
	parts := []string{string(p.Tier)}
	for _, r := range p.Reasons {
		parts = append(parts, r.Rule+":"+r.Source)
	}
	return strings.Join(parts, "|")
}

// rank orders tiers lowest first; an unknown or empty tier ranks below
// every tier.
func rank(t patients.RiskTier) int {
	return slices.Index(patients.RiskTiers.Values(), t)
}

// day writes a date (midnight UTC, as calendar.DateOf gives) as "3 Dec".
func day(d time.Time) string { return d.Format(calendar.ShortDay) }

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
