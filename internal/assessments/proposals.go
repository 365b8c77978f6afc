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
	res.PositiveDomains = in.domainsOf(a.PositiveDomains)
	return res.ProposedNeeds()
}

// domainsOf are the definitions of stored positive domains.
func (in Instrument) domainsOf(refs []DomainRef) []Domain {
	var out []Domain
	for _, ref := range refs {
		for _, d := range in.Domains {
			if d.Code == ref.Code {
				out = append(out, d.Domain)
			}
		}
	}
	return out
}

// CountedDomains names the stored result's positive domains as CMS counts
// them (see CountDomains); none for an assessment entered in error or not
// completed. Risk rules count these.
func (a Assessment) CountedDomains() []string {
	in, ok := a.Instrument()
	if !ok || a.Status != Completed {
		return nil
	}
	return CountDomains(in.domainsOf(a.PositiveDomains))
}

// SafetyTotal is the interpersonal-safety total of the answers (AHC-HRSN
// questions 7–10, 4 to 20), the total above which it is positive, and
// whether the instrument has one.
func (a Assessment) SafetyTotal() (total, threshold int, ok bool) {
	in, found := a.Instrument()
	if !found {
		return 0, 0, false
	}
	return in.SafetyTotal(a.Answers)
}
