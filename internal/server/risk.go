package server

import (
	"net/http"
	"time"

	"carecoord/internal/calendar"
	"carecoord/internal/fail"
	"carecoord/internal/forms"
	"carecoord/internal/patients"
	"carecoord/internal/risk"
	"carecoord/web"

	"github.com/a-h/templ"
)

// Risk tier proposals (issue 15): the chart's card of a tier the evidence
// proposes, and the coordinator's two decisions on it. risk.Reevaluate
// raises the proposals as the evidence is recorded.

// acceptRiskProposal sets the patient's tier to the one proposed.
func (s *Server) acceptRiskProposal(w http.ResponseWriter, r *http.Request) error {
	c := patientOf(r)
	p, err := s.risk.Accept(r.Context(), s.actor(r), c.patientID, urlID(r, "proposalID"), forms.Version(r.PostForm.Get("version")))
	if err != nil {
		return s.flashFailure(w, r, err, c.base)
	}
	return s.redirectWith(w, r, c.base, "Risk tier changed to "+p.Tier.Label()+".")
}

// overrideRiskProposal keeps the patient's tier, for the reason typed.
func (s *Server) overrideRiskProposal(w http.ResponseWriter, r *http.Request) error {
	c := patientOf(r)
	reason := r.PostForm.Get("reason")
	_, err := s.risk.Override(r.Context(), s.actor(r), c.patientID, urlID(r, "proposalID"), forms.Version(r.PostForm.Get("version")), reason)
	if err != nil {
		return s.showAgain(w, r, err, func(e *fail.Error) (templ.Component, error) { return s.riskProblem(r, c, reason, e) })
	}
	return s.redirectWith(w, r, c.base, "Risk tier kept as it is; the reason is recorded.")
}

// riskProblem is the chart again with an override that was refused: the
// reason kept and the message beside it, or above the card when the
// proposal moved on.
func (s *Server) riskProblem(r *http.Request, c chartReq, reason string, e *fail.Error) (templ.Component, error) {
	ch, err := s.charts.Again(r.Context(), s.actor(r), c.patientID)
	if err != nil {
		return nil, err
	}
	v := s.chartView(r, c, ch)
	if v.RiskProposal == nil {
		// Decided or withdrawn meanwhile: the page says so at the top.
		v.Status.Problem = e.Message
		return web.ChartPage(v), nil
	}
	v.RiskProposal.Open, v.RiskProposal.Reason, v.RiskProposal.Error = true, reason, e.Fields["reason"]
	if e.Kind != fail.KindInvalid {
		v.RiskProposal.Problem = e.Message
	}
	return web.ChartPage(v), nil
}

// chartRiskProposal is the chart's card of p for a patient whose tier is
// now current, or nil.
func chartRiskProposal(c chartReq, p *risk.Stored, current patients.RiskTier, loc *time.Location) *web.ChartRiskProposal {
	if p == nil {
		return nil
	}
	v := &web.ChartRiskProposal{Action: c.base + "/risk-proposals/" + p.ID, Version: p.Version,
		From: riskBadge(current), To: riskBadge(p.Tier), Since: p.CreatedAt.In(loc).Format(calendar.Day)}
	for _, reason := range p.Reasons {
		v.Reasons = append(v.Reasons, reason.Evidence)
	}
	return v
}
