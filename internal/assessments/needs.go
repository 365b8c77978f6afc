package assessments

import (
	"fmt"
	"strings"
)

// Need is a care-plan need domain.
type Need string

// Need domains.
const (
	NeedFood            Need = "food"
	NeedHousing         Need = "housing"
	NeedTransportation  Need = "transportation"
	NeedUtilities       Need = "utilities"
	NeedSafety          Need = "safety"
	NeedMentalHealth    Need = "mental_health"
	NeedMedical         Need = "medical"
	NeedFinancial       Need = "financial"
	NeedSocialIsolation Need = "social_isolation"
	// The AHC-HRSN supplemental domains' own needs (issue 15).
	NeedEmployment       Need = "employment"
	NeedEducation        Need = "education"
	NeedPhysicalActivity Need = "physical_activity"
	NeedSubstanceUse     Need = "substance_use"
	NeedDisability       Need = "disability"
)

// NeedProposal is a need a result suggests; the coordinator decides whether
// it goes into the care plan.
type NeedProposal struct {
	Need        Need
	Description string
}

// ProposedNeeds returns the needs a result suggests: one for a total in a
// band that names a need, one for each need domain with a positive screen.
// Two positive domains of the same need (housing instability and housing
// quality) make one proposal.
func (r Result) ProposedNeeds() []NeedProposal {
	var out []NeedProposal
	if r.HasTotal && r.Band.Need != "" {
		out = append(out, NeedProposal{
			Need:        r.Band.Need,
			Description: fmt.Sprintf("%s (%s %d, %s)", r.Measures, r.Code, r.Total, strings.ToLower(r.Band.Label)),
		})
	}
	var needs []Need
	labels := map[Need][]string{}
	for _, d := range r.PositiveDomains {
		if d.Need == "" {
			continue
		}
		if labels[d.Need] == nil {
			needs = append(needs, d.Need)
		}
		labels[d.Need] = append(labels[d.Need], d.Label)
	}
	for _, n := range needs {
		out = append(out, NeedProposal{
			Need:        n,
			Description: fmt.Sprintf("%s (%s positive)", strings.Join(labels[n], "; "), r.Code),
		})
	}
	return out
}
