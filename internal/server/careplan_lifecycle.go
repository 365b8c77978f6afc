package server

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"carecoord/internal/careplans"
	"carecoord/internal/forms"
	"carecoord/internal/patients"
	"carecoord/internal/tasks"
	"carecoord/web"

	"github.com/jackc/pgx/v5"
)

// A plan's life: submitted by a coordinator, approved or returned by a
// supervisor, revised while the approved version stays in force, and
// completed or cancelled at the end. Each step goes on the patient's
// timeline as well as into the audit log.

func (s *Server) submitPlan(w http.ResponseWriter, r *http.Request) error {
	p, err := postedPlanRequest(r)
	if err != nil {
		return err
	}
	open := web.PlanForm{}
	return s.planEdit(w, r, p, &open, audited{action: "care_plan.submitted"}, "Submitted for approval.", "", func(tx pgx.Tx) error {
		plan, err := careplans.Load(r.Context(), tx, p.ref)
		if err != nil {
			return err
		}
		if len(careplans.SubmitProblems(plan)) > 0 && plan.Editable() {
			open.Problem = "The plan can't be submitted yet: see what is missing below."
			return errChartRedisplay
		}
		if err := careplans.Submit(r.Context(), tx, p.ref, p.actorID, forms.Version(r.PostForm.Get("version"))); err != nil {
			return err
		}
		return patientEvent(r, tx, p.chartReq, "care_plan", "Care plan submitted for approval: "+plan.Title)
	})
}

func (s *Server) revisePlan(w http.ResponseWriter, r *http.Request) error {
	p, err := postedPlanRequest(r)
	if err != nil {
		return err
	}
	open := web.PlanForm{}
	flash := "Revision started. The approved plan stays in force until the revision is approved."
	return s.planEdit(w, r, p, &open, audited{action: "care_plan.revision_started"}, flash, "", func(tx pgx.Tx) error {
		if err := careplans.Revise(r.Context(), tx, p.ref, p.actorID, forms.Version(r.PostForm.Get("version"))); err != nil {
			return err
		}
		return patientEvent(r, tx, p.chartReq, "care_plan", "Care plan revision started")
	})
}

// approvePlan puts the submitted plan in force and brings the tasks of its
// coordinator interventions in step with it.
func (s *Server) approvePlan(w http.ResponseWriter, r *http.Request) error {
	p, err := postedPlanRequest(r)
	if err != nil {
		return err
	}
	open := web.PlanForm{}
	return s.planEdit(w, r, p, &open, audited{action: "care_plan.approved"}, "Plan approved and in force.", "", func(tx pgx.Tx) error {
		due, err := careplans.Approve(r.Context(), tx, p.ref, p.actorID, forms.Version(r.PostForm.Get("version")))
		if err != nil {
			return err
		}
		sync := make([]tasks.Intervention, len(due))
		for i, d := range due {
			sync[i] = tasks.Intervention{InterventionID: d.ID, PatientID: p.patientID, AssigneeID: d.AssigneeID,
				Title: d.Action, Due: d.DueDate, Open: d.Open}
		}
		if err := tasks.SyncInterventions(r.Context(), tx, p.tenantID, sync); err != nil {
			return err
		}
		return patientEvent(r, tx, p.chartReq, "care_plan", "Care plan approved")
	})
}

func (s *Server) returnPlan(w http.ResponseWriter, r *http.Request) error {
	p, err := postedPlanRequest(r)
	if err != nil {
		return err
	}
	f := careplans.ParseReason(r.PostForm)
	open := web.PlanForm{Kind: "return", Values: map[string]string{"text": f.Text}, Errors: web.FieldErrors{}}
	flash := "Plan returned to the coordinator with your comment."
	return s.planEdit(w, r, p, &open, audited{action: "care_plan.returned"}, flash, "", func(tx pgx.Tx) error {
		if !f.Validate("Say what should change, so the coordinator knows.") {
			open.Errors = web.FieldErrors(f.Errors)
			return errChartRedisplay
		}
		if err := careplans.Return(r.Context(), tx, p.ref, p.actorID, f); err != nil {
			return err
		}
		return patientEvent(r, tx, p.chartReq, "care_plan", "Care plan returned for changes: "+f.Text)
	})
}

func (s *Server) completePlan(w http.ResponseWriter, r *http.Request) error {
	return s.closePlan(w, r, true)
}
func (s *Server) cancelPlan(w http.ResponseWriter, r *http.Request) error {
	return s.closePlan(w, r, false)
}

// closePlan completes or cancels the plan and cancels the open tasks of
// its interventions.
func (s *Server) closePlan(w http.ResponseWriter, r *http.Request, completed bool) error {
	p, err := postedPlanRequest(r)
	if err != nil {
		return err
	}
	kind, action, flash, missing := "cancel", "care_plan.cancelled", "Plan cancelled.", "Say why the plan is cancelled."
	if completed {
		kind, action, flash, missing = "complete", "care_plan.completed", "Plan completed.", "Say how the plan ended."
	}
	f := careplans.ParseReason(r.PostForm)
	open := web.PlanForm{Kind: kind, Action: p.href + "/" + kind, Values: map[string]string{"text": f.Text}, Errors: web.FieldErrors{}}
	return s.planEdit(w, r, p, &open, audited{action: action}, flash, "", func(tx pgx.Tx) error {
		if !f.Validate(missing) {
			open.Errors = web.FieldErrors(f.Errors)
			return errChartRedisplay
		}
		closed, err := careplans.Close(r.Context(), tx, p.ref, p.actorID, completed, f)
		if err != nil {
			return err
		}
		if err := tasks.CancelRaisedBy(r.Context(), tx, p.tenantID, tasks.FromIntervention, closed); err != nil {
			return err
		}
		return patientEvent(r, tx, p.chartReq, "care_plan", flash+" "+f.Text)
	})
}

// patientEvent writes a line on the patient's timeline, cut to fit.
func patientEvent(r *http.Request, tx pgx.Tx, c chartReq, kind, summary string) error {
	if rs := []rune(summary); len(rs) > 500 {
		summary = string(rs[:499]) + "…"
	}
	return patients.AddEvent(r.Context(), tx, c.tenantID, c.patientID, c.actorID, kind, summary)
}

func parseDate(s string) (time.Time, error) { return time.Parse("2006-01-02", s) }

// planHistory lists a plan's revisions and compares two of them: by
// number, or "approved" (the version in force) and "current" (the
// working copy).
func (s *Server) planHistory(w http.ResponseWriter, r *http.Request) error {
	p, err := planRequest(r)
	if err != nil {
		return err
	}
	from, to := r.URL.Query().Get("from"), r.URL.Query().Get("to")
	var v web.PlanHistoryView
	err = s.inTenant(r, func(tx pgx.Tx) error {
		plan, err := careplans.Load(r.Context(), tx, p.ref)
		if err != nil {
			return err
		}
		patient, err := patients.Get(r.Context(), tx, p.tenantID, p.patientID)
		if err != nil {
			return err
		}
		revs, err := careplans.History(r.Context(), tx, p.ref)
		if err != nil {
			return err
		}
		v = historyView(s.shell(r), p, patient.DisplayName(), plan.Title, revs)
		if from != "" && to != "" {
			if v.Compare, err = compareVersions(r, tx, p, plan, from, to); err != nil {
				return err
			}
			v.From, v.To = from, to
		}
		return s.audit(r, tx, audited{action: "care_plan.history_viewed", entityType: "care_plan", entityID: p.ref.PlanID, patientID: p.patientID})
	})
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, web.PlanHistoryPage(v))
}

func historyView(sh web.Shell, p planReq, patient, title string, revs []careplans.Revision) web.PlanHistoryView {
	v := web.PlanHistoryView{Shell: sh, PatientName: patient, ChartHref: p.base, PlanHref: p.href, Title: title}
	for i, rev := range revs {
		n := strconv.Itoa(rev.Number)
		row := web.PlanRevisionRow{Number: n, When: rev.CreatedAt.Local().Format("2 Jan 2006, 15:04"), Who: rev.ActorName,
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

// compareVersions diffs two versions named as in planHistory. An unknown
// version is a page that does not exist.
func compareVersions(r *http.Request, tx pgx.Tx, p planReq, plan careplans.Plan, from, to string) (*web.PlanCompareView, error) {
	a, aName, err := versionNamed(r, tx, p, plan, from)
	if err != nil {
		return nil, err
	}
	b, bName, err := versionNamed(r, tx, p, plan, to)
	if err != nil {
		return nil, err
	}
	return &web.PlanCompareView{From: aName, To: bName, Changes: changeViews(careplans.Diff(a, b))}, nil
}

func versionNamed(r *http.Request, tx pgx.Tx, p planReq, plan careplans.Plan, name string) (careplans.Snapshot, string, error) {
	switch name {
	case "current":
		return careplans.SnapshotOf(plan), "being written", nil
	case "approved":
		rev, err := careplans.LastApproved(r.Context(), tx, p.ref)
		return rev.Snapshot, "in force (" + strconv.Itoa(rev.Number) + ")", err
	}
	n, err := strconv.Atoi(name)
	if err != nil || n < 1 {
		return careplans.Snapshot{}, "", errNotFound
	}
	rev, err := careplans.RevisionAt(r.Context(), tx, p.ref, n)
	return rev.Snapshot, strconv.Itoa(n), err
}

// printPlan is the patient's copy of the plan in force, or of the draft
// (marked as such) while nothing has been approved yet.
func (s *Server) printPlan(w http.ResponseWriter, r *http.Request) error {
	p, err := planRequest(r)
	if err != nil {
		return err
	}
	m, _ := currentMembership(r)
	v := web.PlanPrintView{PlanHref: p.href, Organisation: m.Tenant.Name, PrintedOn: longDate(time.Now())}
	err = s.inTenant(r, func(tx pgx.Tx) error {
		plan, err := careplans.Load(r.Context(), tx, p.ref)
		if err != nil {
			return err
		}
		patient, err := patients.Get(r.Context(), tx, p.tenantID, p.patientID)
		if err != nil {
			return err
		}
		team, err := patients.CareTeam(r.Context(), tx, p.tenantID, p.patientID)
		if err != nil {
			return err
		}
		snap, approvedOn := careplans.SnapshotOf(plan), ""
		if rev, err := careplans.LastApproved(r.Context(), tx, p.ref); err == nil {
			snap, approvedOn = careplans.InForce(rev.Snapshot, plan), longDate(rev.CreatedAt)
		}
		v.PatientName, v.Coordinator, v.Team = patient.DisplayName(), patient.CoordinatorName, memberRows(p.base, team)
		v.Title, v.ApprovedOn, v.Draft = snap.Title, approvedOn, approvedOn == ""
		v.ReviewDue = formDateLong(snap.ReviewDue)
		v.Needs = printNeeds(snap)
		return s.audit(r, tx, audited{action: "care_plan.printed", entityType: "care_plan", entityID: p.ref.PlanID, patientID: p.patientID})
	})
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, web.PlanPrintPage(v))
}

// printNeeds keeps what the patient still works on: closed goals and
// interventions are left off the patient's copy.
func printNeeds(snap careplans.Snapshot) []web.PlanPrintNeed {
	var out []web.PlanPrintNeed
	for _, n := range snap.Needs {
		pn := web.PlanPrintNeed{Label: needLabelForPatient(n.Label)}
		for _, g := range n.Goals {
			if g.Status == careplans.GoalCancelled {
				continue
			}
			pg := web.PlanPrintGoal{PatientWords: g.PatientWords, Target: g.Target, TargetDate: formDateLong(g.TargetDate)}
			for _, i := range g.Interventions {
				if i.Status == careplans.InterventionCancelled {
					continue
				}
				pg.Steps = append(pg.Steps, web.PlanPrintStep{Action: i.Action, Who: i.Responsible, When: orText(formDateLong(i.DueDate), "—")})
			}
			pn.Goals = append(pn.Goals, pg)
		}
		if len(pn.Goals) > 0 {
			out = append(out, pn)
		}
	}
	return out
}

// needLabelForPatient drops the clinical wording after the domain, which
// may quote scores: the patient's copy names the area of life only.
func needLabelForPatient(label string) string {
	domain, _, _ := strings.Cut(label, ":")
	return domain
}

func formDateLong(s string) string {
	d, err := parseDate(s)
	if err != nil {
		return ""
	}
	return longDate(d)
}

// approvalQueue lists the plans of the tenant waiting for a supervisor,
// each with what changed since the version in force, to approve or return
// from here.
func (s *Server) approvalQueue(w http.ResponseWriter, r *http.Request) error {
	m, _ := currentMembership(r)
	u, _ := currentUser(r)
	v := web.ApprovalQueueView{Shell: s.shell(r)}
	err := s.inTenant(r, func(tx pgx.Tx) error {
		waiting, err := careplans.AwaitingApproval(r.Context(), tx, m.Tenant.ID)
		if err != nil {
			return err
		}
		for _, a := range waiting {
			base := patientPath(r, a.PatientID)
			p := planReq{chartReq: chartReq{tenantID: m.Tenant.ID, actorID: u.ID, patientID: a.PatientID, base: base},
				ref:  careplans.Ref{TenantID: m.Tenant.ID, PatientID: a.PatientID, PlanID: a.PlanID},
				href: base + "/care-plans/" + a.PlanID}
			plan, err := careplans.Load(r.Context(), tx, p.ref)
			if err != nil {
				return err
			}
			review, err := reviewOf(r, tx, p, plan)
			if err != nil {
				return err
			}
			v.Rows = append(v.Rows, web.ApprovalRow{Patient: a.PatientName, Title: a.Title, SubmittedBy: a.SubmittedBy,
				Submitted: a.SubmittedAt.Local().Format("2 Jan 2006, 15:04"), Revision: a.Revision, Href: p.href,
				Version: plan.Version, Review: *review})
		}
		return nil
	})
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, web.ApprovalQueuePage(v))
}
