package server

import (
	"net/http"

	"carecoord/internal/assessments"
	"carecoord/internal/careplans"
	"carecoord/internal/fail"
	"carecoord/web"

	"github.com/a-h/templ"
)

// From findings to needs (issue 5): a completed result proposes needs, and
// the coordinator accepts (perhaps reworded) or declines each one from the
// result page in one step. Accepted needs go on the chart for the care plan;
// declined ones are kept with their reason so they are not proposed again.

// needProposalsView shows each open proposal with its suggested wording
// and a medium priority.
func needProposalsView(a assessmentReq, ps []assessments.NeedProposal) web.NeedProposalsView {
	v := web.NeedProposalsView{Action: a.href + "/needs", Priorities: web.OptionsOf(careplans.Priorities)}
	for _, p := range ps {
		v.Proposals = append(v.Proposals, web.NeedProposalView{
			Domain: string(p.Need), Label: careplans.DomainLabel(p.Need),
			Description: p.Description, Priority: string(careplans.Medium), Errors: web.FieldErrors{},
		})
	}
	return v
}

// keepDecision puts what the coordinator typed, and the messages beside
// it, back into the proposal it was typed into.
func keepDecision(v *web.NeedProposalsView, d careplans.Decision, errs map[string]string) {
	for i := range v.Proposals {
		p := &v.Proposals[i]
		if p.Domain != string(d.Domain) {
			continue
		}
		p.Errors = errs
		if d.Accept {
			p.Description, p.Priority = d.Description, string(d.Priority)
		} else {
			p.Reason, p.DeclineOpen = d.Reason, true
		}
	}
}

// decideNeed accepts or declines one proposed need.
func (s *Server) decideNeed(w http.ResponseWriter, r *http.Request) error {
	a := assessmentOf(r)
	d, ok := careplans.ParseDecision(r.PostForm)
	if !ok {
		return errBadRequest
	}
	if _, err := s.plans.DecideNeed(r.Context(), s.actor(r), a.patientID, a.id, d); err != nil {
		if fail.KindOf(err) != fail.KindInvalid {
			return s.flashFailure(w, r, err, a.href) // decided before, or not proposed any more
		}
		return s.showAgain(w, r, err, func(e *fail.Error) (templ.Component, error) {
			return s.assessmentAgain(r, a, nil, e, func(v *web.AssessmentResultView) { keepDecision(&v.Needs, d, e.Fields) })
		})
	}
	if d.Accept {
		return s.redirectWith(w, r, a.href, careplans.DomainLabel(d.Domain)+" added to the patient's needs.")
	}
	return s.redirectWith(w, r, a.href, careplans.DomainLabel(d.Domain)+" declined.")
}

var needPriorityTone = map[careplans.Priority]string{careplans.High: "danger", careplans.Medium: "warn", careplans.Low: "muted"}

// chartNeedRows lists the patient's open needs for the chart.
func chartNeedRows(c chartReq, ns []careplans.Need) []web.ChartNeedRow {
	var out []web.ChartNeedRow
	for _, n := range ns {
		if !n.Status.Open() {
			continue
		}
		row := web.ChartNeedRow{
			Label: careplans.DomainLabel(n.Domain), Description: n.Description,
			Priority: web.ChartBadge{Label: n.Priority.Label() + " priority", Tone: needPriorityTone[n.Priority]},
		}
		if n.Status == careplans.Addressing {
			row.Status = "Addressing"
		}
		if n.SourceAssessmentID != "" {
			row.Source, row.SourceHref = "From "+n.SourceCode, c.base+"/assessments/"+n.SourceAssessmentID
		}
		row.ReferHref = c.base + "/referrals/new?need=" + n.ID
		out = append(out, row)
	}
	return out
}
