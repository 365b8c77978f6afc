package server

import (
	"errors"
	"net/http"

	"carecoord/internal/assessments"
	"carecoord/internal/careplans"
	"carecoord/web"

	"github.com/jackc/pgx/v5"
)

// From findings to needs (issue 5): a completed result proposes needs, and
// the coordinator accepts (perhaps reworded) or declines each one from the
// result page in one step. Accepted needs go on the chart for the care plan;
// declined ones are kept with their reason so they are not proposed again.

// openProposals is what the result page offers: the result's proposals not
// accepted or declined yet.
func openProposals(r *http.Request, tx pgx.Tx, a assessmentReq, got assessments.Assessment) ([]assessments.NeedProposal, error) {
	return careplans.ProposalsFor(r.Context(), tx, a.tenantID, got)
}

// needProposalsView shows each open proposal with its suggested wording
// and a medium priority.
func needProposalsView(a assessmentReq, ps []assessments.NeedProposal) web.NeedProposalsView {
	v := web.NeedProposalsView{Action: a.href + "/needs"}
	for _, o := range careplans.Priorities {
		v.Priorities = append(v.Priorities, web.SelectOption{Value: string(o.Priority), Label: o.Label})
	}
	for _, p := range ps {
		v.Proposals = append(v.Proposals, web.NeedProposalView{
			Domain: string(p.Need), Label: careplans.DomainLabel(p.Need),
			Description: p.Description, Priority: string(careplans.Medium), Errors: web.FieldErrors{},
		})
	}
	return v
}

// keepDecision puts what the coordinator typed, and why it was not saved,
// back into the proposal it was typed into.
func keepDecision(v *web.NeedProposalsView, d careplans.Decision) {
	for i := range v.Proposals {
		p := &v.Proposals[i]
		if p.Domain != string(d.Domain) {
			continue
		}
		p.Errors = web.FieldErrors(d.Errors)
		if d.Accept {
			p.Description, p.Priority = d.Description, string(d.Priority)
		} else {
			p.Reason, p.DeclineOpen = d.Reason, true
		}
	}
}

// decideNeed accepts or declines one proposed need.
func (s *Server) decideNeed(w http.ResponseWriter, r *http.Request) error {
	a, err := postedAssessmentRequest(r)
	if err != nil {
		return err
	}
	d := careplans.ParseDecision(r.PostForm)
	if r.PostForm.Get("decision") != "accept" && r.PostForm.Get("decision") != "decline" {
		return errBadRequest
	}
	valid := d.Validate()
	var l loadedAssessment
	err = s.inTenant(r, func(tx pgx.Tx) (err error) {
		if l, err = loadAssessment(r, tx, a); err != nil {
			return err
		}
		if !valid {
			return errChartRedisplay
		}
		return s.storeDecision(r, tx, a, l, d)
	})
	switch {
	case errors.Is(err, errChartRedisplay):
		v := s.assessmentResult(r, a, l)
		keepDecision(&v.Needs, d)
		v.Problem = "The need was not saved. Check the proposal marked below."
		return render(w, r, http.StatusUnprocessableEntity, web.AssessmentResultPage(v))
	case errors.Is(err, careplans.ErrAlreadyDecided):
		s.flash(r, careplans.DomainLabel(d.Domain)+" was already accepted or declined from this result, so nothing changed.")
		return redirect(w, r, a.href)
	case errors.Is(err, careplans.ErrNotProposed):
		s.flash(r, "This result does not propose that need any more, so nothing changed.")
		return redirect(w, r, a.href)
	case err != nil:
		return err
	}
	if d.Accept {
		s.flash(r, careplans.DomainLabel(d.Domain)+" added to the patient's needs.")
	} else {
		s.flash(r, careplans.DomainLabel(d.Domain)+" declined.")
	}
	return redirect(w, r, a.href)
}

func (s *Server) storeDecision(r *http.Request, tx pgx.Tx, a assessmentReq, l loadedAssessment, d careplans.Decision) error {
	id, err := careplans.Decide(r.Context(), tx, a.tenantID, a.actorID, l.Assessment, d)
	if err != nil {
		return err
	}
	label := careplans.DomainLabel(d.Domain) + " (from " + l.Code + ")"
	detail := map[string]any{"domain": string(d.Domain), "assessment": a.id}
	if d.Accept {
		detail["priority"] = string(d.Priority)
		return s.record(r, tx, a.chartReq, "need", "Need identified: "+label,
			audited{action: "need.accepted", entityType: "need", entityID: id, detail: detail})
	}
	return s.record(r, tx, a.chartReq, "need", "Proposed need declined: "+label,
		audited{action: "need.declined", entityType: "need", entityID: id, detail: detail})
}

var needPriorityTone = map[careplans.Priority]string{careplans.High: "danger", careplans.Medium: "warn", careplans.Low: "muted"}

// chartNeedRows lists the patient's open needs for the chart.
func chartNeedRows(r *http.Request, tx pgx.Tx, c chartReq) ([]web.ChartNeedRow, error) {
	ns, err := careplans.ListForPatient(r.Context(), tx, c.tenantID, c.patientID)
	if err != nil {
		return nil, err
	}
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
	return out, nil
}
