package risk

import (
	"testing"

	"carecoord/internal/assessments"

	"github.com/google/go-cmp/cmp"
)

// CMS counts the two living-situation questions of the AHC-HRSN screen as
// one domain (AHC HRSN Screening Tool guide, CMS 2021): housing
// instability and poor housing quality together are one positive domain.
func TestCMSDomains_LivingSituationCountsOnce(t *testing.T) {
	t.Parallel()
	refs := []assessments.DomainRef{{Code: "housing_instability", Label: "Housing instability"},
		{Code: "housing_quality", Label: "Housing quality"}, {Code: "food", Label: "Food insecurity"}}
	labels, safety := cmsDomains(refs)
	if diff := cmp.Diff([]string{"Living situation", "Food insecurity"}, labels); diff != "" || safety {
		t.Errorf("domains (-want +got):\n%s safety %v", diff, safety)
	}
	// Housing alone is one domain: under the default threshold of two.
	f := Facts{Social: &Result{Source: "a1", On: dec3}}
	f.SocialDomains, f.SocialSafety = cmsDomains(refs[:2])
	if p := Evaluate(f, defaults); p.Tier != "" {
		t.Errorf("both housing questions alone proposed %s", p.Tier)
	}
	labels, safety = cmsDomains([]assessments.DomainRef{{Code: "safety", Label: "Interpersonal safety"}, {Code: "utilities", Label: "Utility help needs"}})
	if len(labels) != 2 || !safety {
		t.Errorf("safety and utilities: %v, safety %v", labels, safety)
	}
}
