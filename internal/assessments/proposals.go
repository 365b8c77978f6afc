package assessments

// ProposedNeeds returns the needs a stored result suggests, rebuilt from
// its instrument version, stored band and positive domain codes, so a
// result proposes the same needs later as it did when it was completed.
// Only a completed assessment proposes anything.
func (a Assessment) ProposedNeeds() []NeedProposal {
	in, ok := a.Instrument()
	if !ok || a.Status != Completed {
		return nil
	}
	res := Result{Code: a.Code, Version: a.Version, Measures: in.Measures}
	if a.Total != nil {
		res.Total, res.HasTotal = *a.Total, true
		for _, b := range in.Bands {
			if b.Label == a.Band {
				res.Band = b
			}
		}
	}
	for _, ref := range a.PositiveDomains {
		for _, d := range in.Domains {
			if d.Code == ref.Code {
				res.PositiveDomains = append(res.PositiveDomains, d.Domain)
			}
		}
	}
	return res.ProposedNeeds()
}
