package server

import (
	"time"

	"context"
	"net/http"
	"strconv"

	"carecoord/internal/calendar"
	"carecoord/internal/careplans"
	"carecoord/internal/tenants"
	"carecoord/web"
)

// A plan's life: submitted by a coordinator, approved or returned by a
// supervisor, revised while the approved version stays in force, and
// completed or cancelled at the end. Each step goes on the patient's
// timeline as well as into the audit log (see careplans.Service).

// planStep is a one-click step of the plan's life, taken at the version
// the person saw.
type planStep func(ctx context.Context, a tenants.Actor, patientID, planID string, version int) error

func (s *Server) takePlanStep(w http.ResponseWriter, r *http.Request, step planStep, flash string) error {
	p := planOf(r)
	err := step(r.Context(), s.actor(r), p.patientID, p.planID, postedVersion(r))
	return s.planSaved(w, r, p, err, web.PlanForm{}, flash, "")
}

func (s *Server) submitPlan(w http.ResponseWriter, r *http.Request) error {
	return s.takePlanStep(w, r, s.plans.Submit, "Submitted for approval.")
}

func (s *Server) revisePlan(w http.ResponseWriter, r *http.Request) error {
	return s.takePlanStep(w, r, s.plans.Revise, "Revision started. The approved plan stays in force until the revision is approved.")
}

// approvePlan puts the submitted plan in force; its coordinator
// interventions become tasks.
func (s *Server) approvePlan(w http.ResponseWriter, r *http.Request) error {
	return s.takePlanStep(w, r, s.plans.Approve, "Plan approved and in force.")
}

func (s *Server) returnPlan(w http.ResponseWriter, r *http.Request) error {
	p := planOf(r)
	f := careplans.ParseReason(r.PostForm)
	err := s.plans.Return(r.Context(), s.actor(r), p.patientID, p.planID, f)
	open := web.PlanForm{Kind: "return", Values: map[string]string{"text": f.Text}}
	return s.planSaved(w, r, p, err, open, "Plan returned to the coordinator with your comment.", "")
}

// completePlan and cancelPlan close the plan, for a reason; the open
// tasks of its interventions are cancelled with it.
func (s *Server) completePlan(w http.ResponseWriter, r *http.Request) error {
	return s.closePlan(w, r, "complete", s.plans.Complete, "Plan completed.")
}

func (s *Server) cancelPlan(w http.ResponseWriter, r *http.Request) error {
	return s.closePlan(w, r, "cancel", s.plans.Cancel, "Plan cancelled.")
}

func (s *Server) closePlan(w http.ResponseWriter, r *http.Request, kind string,
	end func(context.Context, tenants.Actor, string, string, careplans.ReasonForm) error, flash string) error {
	p := planOf(r)
	f := careplans.ParseReason(r.PostForm)
	err := end(r.Context(), s.actor(r), p.patientID, p.planID, f)
	open := web.PlanForm{Kind: kind, Action: p.href + "/" + kind, Values: map[string]string{"text": f.Text}}
	return s.planSaved(w, r, p, err, open, flash, "")
}

// planHistory lists a plan's revisions and compares two of them: by
// number, or "approved" (the version in force) and "current" (the
// working copy).
func (s *Server) planHistory(w http.ResponseWriter, r *http.Request) error {
	p := planOf(r)
	from, to := r.URL.Query().Get("from"), r.URL.Query().Get("to")
	page, err := s.plans.HistoryPage(r.Context(), s.actor(r), p.patientID, p.planID, from, to)
	if err != nil {
		return err
	}
	v := historyView(s.shell(r), p, page, zone(r))
	if c := page.Compare; c != nil {
		v.Compare = &web.PlanCompareView{From: versionName(c.From), To: versionName(c.To), Changes: changeViews(c.Changes)}
		v.From, v.To = from, to
	}
	return render(w, r, http.StatusOK, web.PlanHistoryPage(v))
}

func historyView(sh web.Shell, p planReq, page careplans.HistoryPage, loc *time.Location) web.PlanHistoryView {
	v := web.PlanHistoryView{Shell: sh, PatientName: page.Patient.DisplayName(), ChartHref: p.base, PlanHref: p.href, Title: page.Plan.Title}
	revs := page.Revisions
	for i, rev := range revs {
		n := strconv.Itoa(rev.Number)
		row := web.PlanRevisionRow{Number: n, When: rev.CreatedAt.In(loc).Format(calendar.DayTime), Who: rev.ActorName,
			Kind: rev.Kind, Summary: rev.Summary, Comment: rev.Comment, Approval: rev.Approval()}
		if i+1 < len(revs) {
			row.CompareHref = p.href + "/history?from=" + strconv.Itoa(revs[i+1].Number) + "&to=" + n
		}
		v.Revisions = append(v.Revisions, row)
		v.Numbers = append(v.Numbers, web.SelectOption{Value: n, Label: "Version " + n + " · " + rev.Summary})
	}
	if len(revs) > 0 {
		v.From, v.To = strconv.Itoa(max(revs[0].Number-1, 1)), strconv.Itoa(revs[0].Number)
	}
	return v
}

// versionName is how the comparison names a version.
func versionName(v careplans.Version) string {
	switch v.Name {
	case "current":
		return "being written"
	case "approved":
		return "in force (" + strconv.Itoa(v.Number) + ")"
	}
	return v.Name
}

// printPlan is the patient's copy of the plan in force, or of the draft
// (marked as such) while nothing has been approved yet.
func (s *Server) printPlan(w http.ResponseWriter, r *http.Request) error {
	p := planOf(r)
	a := s.actor(r)
	page, err := s.plans.PrintPage(r.Context(), a, p.patientID, p.planID)
	if err != nil {
		return err
	}
	m, _ := currentMembership(r)
	v := web.PlanPrintView{PlanHref: p.href, Organisation: m.Tenant.Name, PrintedOn: longDate(a.At),
		PatientName: page.Patient.DisplayName(), Coordinator: page.Patient.CoordinatorName, Team: memberRows(p.base, page.Team),
		Title: page.Plan.Title, Draft: page.ApprovedAt == nil, ReviewDue: readableDate(page.Plan.ReviewDue), Needs: printNeeds(page.Plan)}
	if page.ApprovedAt != nil {
		v.ApprovedOn = longDate(*page.ApprovedAt)
	}
	return render(w, r, http.StatusOK, web.PlanPrintPage(v))
}

// printNeeds are the needs of the patient's copy (careplans.ForPatient).
func printNeeds(snap careplans.Snapshot) []web.PlanPrintNeed {
	out := make([]web.PlanPrintNeed, len(snap.Needs))
	for i, n := range snap.Needs {
		out[i].Label = n.Label
		for _, g := range n.Goals {
			pg := web.PlanPrintGoal{PatientWords: g.PatientWords, Target: g.Target, TargetDate: readableDate(g.TargetDate)}
			for _, in := range g.Interventions {
				pg.Steps = append(pg.Steps, web.PlanPrintStep{Action: in.Action, Who: in.Responsible, When: orText(readableDate(in.DueDate), "—")})
			}
			out[i].Goals = append(out[i].Goals, pg)
		}
	}
	return out
}

// approvalQueue lists the plans of the tenant waiting for a supervisor,
// each with what changed since the version in force, to approve or return
// from here.
func (s *Server) approvalQueue(w http.ResponseWriter, r *http.Request) error {
	queue, err := s.plans.ApprovalQueue(r.Context(), s.actor(r))
	if err != nil {
		return err
	}
	v := web.ApprovalQueueView{Shell: s.shell(r)}
	for _, q := range queue {
		v.Rows = append(v.Rows, web.ApprovalRow{Patient: q.PatientName, Title: q.Title, SubmittedBy: q.SubmittedBy,
			Submitted: q.SubmittedAt.In(zone(r)).Format(calendar.DayTime), Revision: q.Revision,
			Href: patientPath(r, q.PatientID) + "/care-plans/" + q.PlanID, Version: q.Version, Review: *reviewView(&q.Review)})
	}
	return render(w, r, http.StatusOK, web.ApprovalQueuePage(v))
}
