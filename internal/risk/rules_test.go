package risk

import (
	"testing"
	"time"

	"carecoord/internal/patients"
	"carecoord/internal/tenants"

	"github.com/google/go-cmp/cmp"
)

var dec3 = time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)

func result(total int) *Result { return &Result{Source: "a1", On: dec3, Total: total} }

// defaults are the published cut-offs the tenant starts with.
var defaults = ThresholdsOf(tenants.DefaultSettings())

// Each rule at its boundary, worked by hand from the published cut-offs:
// LACE ≥ 10 (van Walraven et al., CMAJ 2010); PHQ-9 10–14 moderate, 15+
// moderately severe, item 9 any answer above "Not at all" (Kroenke et al.
// 2001); the brief's two domains, two ED visits, three attempts.
func TestEvaluate_EachRuleAtItsBoundary(t *testing.T) {
	t.Parallel()
	attempt := time.Date(2026, 12, 3, 15, 0, 0, 0, time.Local)
	tests := []struct {
		name     string
		facts    Facts
		tier     patients.RiskTier
		evidence []string
	}{
		{"nothing known", Facts{}, "", nil},
		{"LACE 9", Facts{LACE: result(9)}, "", nil},
		{"LACE 10", Facts{LACE: result(10)}, patients.High, []string{"LACE 10 on 3 Dec: ≥ 10 → High"}},
		{"LACE 19", Facts{LACE: result(19)}, patients.High, []string{"LACE 19 on 3 Dec: ≥ 10 → High"}},
		{"PHQ-9 9", Facts{PHQ9: result(9)}, "", nil},
		{"PHQ-9 10", Facts{PHQ9: result(10)}, patients.Moderate, []string{"PHQ-9 10 on 3 Dec: 10–14 → Moderate"}},
		{"PHQ-9 14", Facts{PHQ9: result(14)}, patients.Moderate, []string{"PHQ-9 14 on 3 Dec: 10–14 → Moderate"}},
		{"PHQ-9 15", Facts{PHQ9: result(15)}, patients.High, []string{"PHQ-9 15 on 3 Dec: ≥ 15 → High"}},
		{"PHQ-9 3 with item 9", Facts{PHQ9: result(3), PHQ9Item9: true}, patients.High, []string{"PHQ-9 item 9 positive on 3 Dec → High"}},
		{"one domain", Facts{Social: result(0), SocialDomains: []string{"Food insecurity"}}, "", nil},
		{"two domains", Facts{Social: result(0), SocialDomains: []string{"Food insecurity", "Transportation problems"}}, patients.Moderate,
			[]string{"AHC-HRSN on 3 Dec: 2 positive domains (Food insecurity, Transportation problems): ≥ 2 → Moderate"}},
		{"two domains with safety", Facts{Social: result(0), SocialDomains: []string{"Food insecurity", "Interpersonal safety"}, SocialSafety: true},
			patients.High, []string{"AHC-HRSN on 3 Dec: 2 positive domains (Food insecurity, Interpersonal safety): ≥ 2 with interpersonal safety → High"}},
		{"one ED visit", Facts{EmergencyVisits: []Visit{{"t1", dec3}}}, "", nil},
		{"two ED visits", Facts{EmergencyVisits: []Visit{{"t2", dec3}, {"t1", dec3.AddDate(0, -2, 0)}}}, patients.High,
			[]string{"2 emergency visits in six months (3 Dec, 3 Oct): ≥ 2 → High"}},
		{"two attempts", Facts{Unreached: 2, LastAttempt: &attempt}, "", nil},
		{"three attempts", Facts{Unreached: 3, LastAttempt: &attempt}, patients.Moderate,
			[]string{"3 attempts in a row without reaching the patient, the last on 3 Dec: ≥ 3 → Moderate"}},
		{"the highest tier wins and every rule is shown", Facts{PHQ9: result(12), LACE: result(11)}, patients.High,
			[]string{"LACE 11 on 3 Dec: ≥ 10 → High", "PHQ-9 12 on 3 Dec: 10–14 → Moderate"}},
	}
	for _, tt := range tests {
		p := Evaluate(tt.facts, defaults)
		var got []string
		for _, r := range p.Reasons {
			got = append(got, r.Evidence)
		}
		if p.Tier != tt.tier {
			t.Errorf("%s: tier %q, want %q", tt.name, p.Tier, tt.tier)
		}
		if diff := cmp.Diff(tt.evidence, got); diff != "" {
			t.Errorf("%s: evidence (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestEvaluate_FollowsTheTenantsThresholds(t *testing.T) {
	t.Parallel()
	th := Thresholds{LACEHigh: 14, PHQ9High: 20, SocialDomains: 1, EmergencyVisits: 1, UnreachedAttempts: 6}
	tests := []struct {
		name  string
		facts Facts
		tier  patients.RiskTier
	}{
		{"LACE 13 under 14", Facts{LACE: result(13)}, ""},
		{"LACE 14", Facts{LACE: result(14)}, patients.High},
		{"PHQ-9 19 is moderate under 20", Facts{PHQ9: result(19)}, patients.Moderate},
		{"PHQ-9 20", Facts{PHQ9: result(20)}, patients.High},
		{"one domain", Facts{Social: result(0), SocialDomains: []string{"Food insecurity"}}, patients.Moderate},
		{"one ED visit", Facts{EmergencyVisits: []Visit{{"t1", dec3}}}, patients.High},
		{"five attempts", Facts{Unreached: 5, LastAttempt: &dec3}, ""},
	}
	for _, tt := range tests {
		if got := Evaluate(tt.facts, th).Tier; got != tt.tier {
			t.Errorf("%s: tier %q, want %q", tt.name, got, tt.tier)
		}
	}
}

func TestProposal_RaisesOnlyAndFingerprintsItsEvidence(t *testing.T) {
	t.Parallel()
	high := Evaluate(Facts{LACE: result(19)}, defaults)
	for current, want := range map[patients.RiskTier]bool{patients.Low: true, patients.Moderate: true, patients.High: false} {
		if got := high.Raises(current); got != want {
			t.Errorf("High raises %s: %v, want %v", current, got, want)
		}
	}
	if (Proposal{}).Raises(patients.Low) {
		t.Error("no rule fired, yet it proposes")
	}
	moderate := Evaluate(Facts{PHQ9: result(12)}, defaults)
	if moderate.Raises(patients.High) {
		t.Error("a moderate proposal lowers a high tier")
	}
	again := Evaluate(Facts{LACE: result(19), PHQ9: result(3)}, defaults)
	if high.Fingerprint() != again.Fingerprint() {
		t.Errorf("a result that fires nothing changed the evidence: %q, %q", high.Fingerprint(), again.Fingerprint())
	}
	newer := Evaluate(Facts{LACE: &Result{Source: "a2", On: dec3, Total: 19}}, defaults)
	if high.Fingerprint() == newer.Fingerprint() {
		t.Error("a new LACE is the same evidence")
	}
}
