package server

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"carecoord/internal/calendar"
	"carecoord/internal/careplans"
	"carecoord/internal/fail"
	"carecoord/internal/patients"
	"carecoord/internal/referrals"
	"carecoord/internal/tenants"
	"carecoord/web"

	"github.com/a-h/templ"
)

// Referrals (issue 10): from a need or a goal, "Refer" picks a resource of
// the directory or a clinical provider of the care team and writes a draft;
// sending checks the patient's consent; each step after is recorded with
// who and when, on the referral, the chart's timeline and the audit log;
// an outcome of "need met" offers to close the loop on the plan. The rules
// live in internal/referrals; these handlers read the request and build
// the pages.

// returnPath is where a form reached from a referral goes back to:
// ?return=referrals/<id>, a path under the same chart and nothing else, so
// that it can never send the browser elsewhere.
func returnPath(r *http.Request) string {
	v := r.URL.Query().Get("return")
	if rest, ok := strings.CutPrefix(v, "referrals/"); ok && validUUID(rest) {
		return v
	}
	return ""
}

func returnQuery(r *http.Request) string {
	if p := returnPath(r); p != "" {
		return "?return=" + p
	}
	return ""
}

// returnTo is c with the chart address replaced by where to go back to.
func returnTo(r *http.Request, c chartReq) chartReq {
	if p := returnPath(r); p != "" {
		c.base += "/" + p
	}
	return c
}

// newReferral chooses where to refer (a search of the directory and the
// care team's providers), or, once chosen (?resource= or ?member=), shows
// the referral form.
func (s *Server) newReferral(w http.ResponseWriter, r *http.Request) error {
	c := patientOf(r)
	q := r.URL.Query()
	if q.Get("resource") != "" || q.Get("member") != "" {
		f := referrals.DraftForm{NeedID: q.Get("need"), GoalID: q.Get("goal"), ResourceID: q.Get("resource"), MemberID: q.Get("member")}
		o, f, err := s.referrals.NewDraft(r.Context(), s.actor(r), c.patientID, f)
		if err != nil {
			return err
		}
		return render(w, r, http.StatusOK, web.ReferralFormPage(s.draftView(r, c, o, f, nil)))
	}
	f := referrals.ParseFilter(q)
	t, err := s.referrals.ReferralTargets(r.Context(), s.actor(r), c.patientID,
		referrals.TargetQuery{NeedID: q.Get("need"), GoalID: q.Get("goal"), Filter: f, Fresh: q.Get("searched") == ""})
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, web.ReferralPickPage(s.pickView(r, c, t, f.Given())))
}

// pickView is the page choosing where to refer. Every link and search on
// it carries the need and the goal along.
func (s *Server) pickView(r *http.Request, c chartReq, t referrals.Targets, filtered bool) web.ReferralPickView {
	keep, hidden := url.Values{}, []web.Hidden{}
	for _, kv := range [][2]string{{"goal", t.GoalID}, {"need", t.NeedID}} {
		if kv[1] != "" {
			keep.Set(kv[0], kv[1])
			hidden = append(hidden, web.Hidden{Name: kv[0], Value: kv[1]})
		}
	}
	hidden = append(hidden, web.Hidden{Name: "searched", Value: "yes"})
	refer := func(kind, id string) string {
		k := maps.Clone(keep)
		k.Set(kind, id)
		return c.base + "/referrals/new?" + k.Encode()
	}
	v := web.ReferralPickView{Shell: s.shell(r), Base: c.base, AddMemberHref: c.base + "/care-team/new", PatientName: t.PatientName,
		Directory: directoryView(r, t.Directory, filtered, c.base+"/referrals/new", hidden, func(id string) string { return refer("resource", id) })}
	if t.Need != nil {
		v.Need = careplans.DomainLabel(t.Need.Domain) + ": " + t.Need.Description
	}
	for _, m := range t.Providers {
		v.Providers = append(v.Providers, web.ProviderChoice{
			Name: m.Name, Detail: joinNonEmpty(" · ", patients.CareTeamKinds.Label(m.Kind), m.Relationship, m.Organisation),
			ReferHref: refer("member", m.ID),
		})
	}
	return v
}

// draftView is the referral form for f, with e's messages when it comes
// back.
func (s *Server) draftView(r *http.Request, c chartReq, o referrals.DraftOptions, f referrals.DraftForm, e *fail.Error) web.ReferralFormView {
	v := web.ReferralFormView{
		Shell: s.shell(r), Base: c.base, PatientName: o.PatientName, Action: c.base + "/referrals",
		BackHref: c.base + "/referrals/new", NeedID: f.NeedID, GoalID: f.GoalID, Reason: f.Reason,
		CoverageID: f.CoverageID, PriorAuth: f.PriorAuth,
	}
	if f.NeedID != "" {
		v.BackHref += "?need=" + url.QueryEscape(f.NeedID)
	}
	switch to := o.To; {
	case to != nil && to.Resource != nil:
		v.ToName, v.ResourceID = to.Name, to.Resource.ID
		v.ToDetail = joinNonEmpty(" · ", "Community resource", to.Resource.Address(), to.Resource.Phone)
	case to != nil:
		v.ToName, v.MemberID, v.Clinical = to.Name, to.Member.ID, true
		v.ToDetail = joinNonEmpty(" · ", patients.CareTeamKinds.Label(to.Member.Kind), to.Member.Phone)
	}
	for _, n := range o.Needs {
		v.Needs = append(v.Needs, web.SelectOption{Value: n.ID, Label: careplans.DomainLabel(n.Domain) + ": " + n.Description})
	}
	for _, g := range o.Goals {
		v.Goals = append(v.Goals, web.SelectOption{Value: g.ID, Label: "“" + g.Label + "”"})
	}
	for _, cv := range o.Coverages {
		v.Coverages = append(v.Coverages, web.SelectOption{Value: cv.ID, Label: joinNonEmpty(" · ", cv.Payer, cv.PlanName, cv.MemberID)})
	}
	if e != nil {
		v.Problem, v.Errors = e.Message, e.Fields
	}
	return v
}

func (s *Server) createReferral(w http.ResponseWriter, r *http.Request) error {
	c := patientOf(r)
	f := referrals.ParseDraft(r.PostForm)
	id, err := s.referrals.CreateDraft(r.Context(), s.actor(r), c.patientID, f)
	if err != nil {
		return s.showAgain(w, r, err, func(e *fail.Error) (templ.Component, error) {
			o, err := s.referrals.DraftOptions(r.Context(), s.actor(r), c.patientID, f)
			return web.ReferralFormPage(s.draftView(r, c, o, f, e)), err
		})
	}
	return s.redirectWith(w, r, c.base+"/referrals/"+id, "Referral saved as a draft. Check the consent and send it when ready.")
}

func (s *Server) showReferral(w http.ResponseWriter, r *http.Request) error {
	c, id := patientOf(r), urlID(r, "referralID")
	a := s.actor(r)
	p, err := s.referrals.ReferralPage(r.Context(), a, c.patientID, id)
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, web.ReferralPage(referralView(s.shell(r), c, a, p)))
}

// referralAgain answers a change to a referral that failed: its page
// again, with the failure's message and what fill puts back of the form.
func (s *Server) referralAgain(w http.ResponseWriter, r *http.Request, c chartReq, id string, err error,
	fill func(v *web.ReferralView, p referrals.Page, e *fail.Error)) error {
	return s.showAgain(w, r, err, func(e *fail.Error) (templ.Component, error) {
		a := s.actor(r)
		p, err := s.referrals.ReferralPageAgain(r.Context(), a, c.patientID, id)
		if err != nil {
			return nil, err
		}
		v := referralView(s.shell(r), c, a, p)
		v.Problem = e.Message
		if fill != nil {
			fill(&v, p, e)
		}
		return web.ReferralPage(v), nil
	})
}

// referralView is a referral's page: where it stands, its steps, and what
// can be done next.
func referralView(shell web.Shell, c chartReq, a tenants.Actor, p referrals.Page) web.ReferralView {
	ref, href := p.Referral, c.base+"/referrals/"+p.Referral.ID
	v := web.ReferralView{
		Shell: shell, Base: c.base, Href: href, PatientName: p.PatientName, Version: ref.Version,
		ToName: ref.ToName, Need: needLabel(ref), Goal: ref.GoalWords,
		Reason: ref.Reason, Status: referralBadge(ref.Status), Basis: ref.ConsentBasis, OutcomeNote: ref.OutcomeNote,
		Clinical: ref.Clinical(), Payer: ref.Payer, PriorAuth: ref.PriorAuth,
		PrintOrgHref: href + "/print?copy=organisation", PrintPatientHref: href + "/print?copy=patient", Outcome: ref.Outcome.Label(),
		NewAppointmentHref: c.base + "/appointments/new?referral=" + ref.ID, Outcomes: web.OptionsOf(referrals.Outcomes), Steps: stepsView(p.Events, a.At.Location()),
	}
	v.ToKind, v.ToFacts = partyView(ref, p.Resource, p.Member)
	if ref.Status.Open() {
		v.Age = "open " + ageText(ref.Age(a.At))
	}
	if ref.FollowUpDue != nil && ref.Status == referrals.Sent {
		v.FollowUp = ref.FollowUpDue.Format(calendar.Day)
	}
	for _, f := range ref.SharedFields {
		v.Shared = append(v.Shared, strings.ToLower(referrals.SharedFields.Label(f)))
	}
	for _, n := range ref.Status.Next() {
		v.Next = append(v.Next, web.SelectOption{Value: string(n), Label: n.Label()})
	}
	if p.Sharing != nil {
		v.Send = sendView(c.base, ref, *p.Sharing, referrals.Sending{Fields: referrals.DefaultShared}, nil)
	}
	if p.Loop != nil {
		v.Proposal = &web.LoopProposal{Action: href + "/close-loop", NeedLabel: careplans.DomainLabel(ref.NeedDomain)}
		if p.Loop.GoalOpen {
			v.Proposal.GoalWords = ref.GoalWords
		}
	}
	if ref.Clinical() {
		v.Auth, v.AuthForm = authSection(href, ref, p.Authorization, a)
	}
	for _, appt := range p.Appointments {
		v.Appointments = append(v.Appointments, appointmentRow(c.base, appt, a.At, "referral"))
	}
	return v
}

// needLabel is the need a referral serves, or "" for a clinical referral
// that serves none.
func needLabel(ref referrals.Referral) string {
	if ref.NeedID == "" {
		return ""
	}
	return careplans.DomainLabel(ref.NeedDomain) + ": " + ref.NeedText
}

// partyView is what the referral's page says about the receiving party.
func partyView(ref referrals.Referral, res *referrals.Resource, m *patients.Member) (string, []web.ChartFact) {
	switch {
	case res != nil:
		return "Community resource", facts("Address", res.Address(), "Phone", res.Phone, "Fax", res.Fax, "Email", res.Email,
			"Hours", res.Hours, "How to refer", res.HowToRefer)
	case m != nil:
		return patients.CareTeamKinds.Label(ref.MemberKind), facts("Phone", m.Phone, "Email", m.Email)
	}
	return "Clinical provider (no longer on the care team)", nil
}

// stepsView is the referral's history.
func stepsView(events []referrals.Event, loc *time.Location) []web.ReferralStep {
	var out []web.ReferralStep
	for _, e := range events {
		label := e.Status.Label()
		if e.Status == referrals.Draft {
			label = "Written"
		}
		out = append(out, web.ReferralStep{Status: label, When: e.At.In(loc).Format(calendar.DayTime), Who: orText(e.ActorName, "CareCoord"), Note: e.Note})
	}
	return out
}

// sendView is the send form of a draft with its consent check, ticked as
// sending says.
func sendView(base string, ref referrals.Referral, check referrals.Sharing, sending referrals.Sending, errs map[string]string) *web.ReferralSend {
	send := &web.ReferralSend{
		Action: base + "/referrals/" + ref.ID + "/send", Allowed: check.Allowed, Reason: check.Reason, Fix: check.Fix,
		AskAgreement: !ref.Clinical(), PartyAgreed: sending.PartyAgreed, Errors: errs,
	}
	switch {
	case check.FixMember != "":
		send.FixHref, send.FixLabel = base+"/care-team/"+check.FixMember+"/edit", "Open the care-team entry"
	case !check.Allowed && (!ref.Clinical() || ref.MemberID != ""):
		send.FixHref = base + "/consents/new?kind=information_sharing&return=referrals/" + ref.ID
		send.FixLabel = "Record consent to share information"
	}
	for _, f := range referrals.SharedFields {
		send.Fields = append(send.Fields, web.CheckOption{Value: f.Value, Label: f.Label, Checked: slices.Contains(sending.Fields, f.Value)})
	}
	return send
}

func (s *Server) sendReferral(w http.ResponseWriter, r *http.Request) error {
	c, id := patientOf(r), urlID(r, "referralID")
	f := referrals.ParseSending(r.PostForm)
	ref, err := s.referrals.Send(r.Context(), s.actor(r), c.patientID, id, f)
	if err != nil {
		return s.referralAgain(w, r, c, id, err, func(v *web.ReferralView, p referrals.Page, e *fail.Error) {
			if p.Sharing != nil {
				v.Send = sendView(c.base, p.Referral, *p.Sharing, f, e.Fields)
			}
		})
	}
	return s.redirectWith(w, r, c.base+"/referrals/"+id, "Referral to "+ref.ToName+" marked as sent. If nobody answers, it is followed up on "+
		ref.FollowUpDue.Format(calendar.Day)+".")
}

func (s *Server) moveReferral(w http.ResponseWriter, r *http.Request) error {
	c, id := patientOf(r), urlID(r, "referralID")
	st := referrals.ParseStep(r.PostForm)
	if err := s.referrals.TakeStep(r.Context(), s.actor(r), c.patientID, id, st); err != nil {
		return s.referralAgain(w, r, c, id, err, func(v *web.ReferralView, _ referrals.Page, e *fail.Error) {
			v.StepTo, v.StepOutcome, v.StepNote, v.StepErrors = string(st.To), string(st.Outcome), st.Note, e.Fields
		})
	}
	return s.redirectWith(w, r, c.base+"/referrals/"+id, "Recorded: "+st.To.Label()+".")
}

// closeLoop accepts the proposal: the need is resolved and the goal marked
// achieved (progress on the plan, without a revision to approve).
func (s *Server) closeLoop(w http.ResponseWriter, r *http.Request) error {
	c, id := patientOf(r), urlID(r, "referralID")
	summary, err := s.referrals.CloseLoop(r.Context(), s.actor(r), c.patientID, id)
	if err != nil {
		return s.referralAgain(w, r, c, id, err, nil)
	}
	return s.redirectWith(w, r, c.base+"/referrals/"+id, "Loop closed: "+summary+".")
}

// authSection is the clinical referral's authorisation as it stands, and
// the form that records the payer's answer.
func authSection(href string, ref referrals.Referral, auth *referrals.Authorization, a tenants.Actor) (*web.AuthSummary, web.AuthFormView) {
	if auth == nil {
		f := referrals.AuthForm{Unit: "visits"}
		if !ref.PriorAuth {
			f.Status = string(referrals.AuthNotNeeded)
		}
		return nil, authFormView(href, f, nil)
	}
	sum := &web.AuthSummary{
		Status: web.ChartBadge{Label: auth.Status.Label(), Tone: authTone[auth.Status]},
		Number: auth.Number, Valid: dateRange(auth.ValidFrom, auth.ValidTo), Notes: auth.Notes,
		Expiring: auth.Expiring(a.Today(), a.Settings.AuthorizationWarningDays),
	}
	if auth.Units != nil {
		sum.Units = strconv.Itoa(*auth.Units) + " " + auth.Unit
	}
	return sum, authFormView(href, referrals.AuthFormOf(*auth), nil)
}

var authTone = map[referrals.AuthStatus]string{
	referrals.AuthNotNeeded: "muted", referrals.AuthRequested: "info", referrals.AuthApproved: "ok",
	referrals.AuthDenied: "danger", referrals.AuthAppealed: "warn",
}

func authFormView(href string, f referrals.AuthForm, errs map[string]string) web.AuthFormView {
	return web.AuthFormView{
		Action: href + "/authorization", Version: f.Version, Status: f.Status, Number: f.Number, Units: f.Units,
		Unit: f.Unit, From: f.ValidFrom, To: f.ValidTo, Notes: f.Notes, Errors: errs, Open: len(errs) > 0,
		Statuses: web.OptionsOf(referrals.AuthStatuses), UnitList: web.OptionsOf(referrals.Units),
	}
}

// saveAuthorization records the payer's answer to a clinical referral. A
// denial raises its task in the same transaction.
func (s *Server) saveAuthorization(w http.ResponseWriter, r *http.Request) error {
	c, id := patientOf(r), urlID(r, "referralID")
	f := referrals.ParseAuthForm(r.PostForm)
	auth, err := s.referrals.SaveAuthorization(r.Context(), s.actor(r), c.patientID, id, f)
	if err != nil {
		return s.referralAgain(w, r, c, id, err, func(v *web.ReferralView, _ referrals.Page, e *fail.Error) {
			if len(e.Fields) > 0 {
				v.AuthForm = authFormView(v.Href, f, e.Fields)
			}
		})
	}
	return s.redirectWith(w, r, c.base+"/referrals/"+id, "Authorisation saved: "+auth.Status.Label()+".")
}

// printReferral is the summary for the receiving organisation (only the
// fields the patient agreed to share, and only while consent is in force)
// or the patient's plain-language copy.
func (s *Server) printReferral(w http.ResponseWriter, r *http.Request) error {
	c, id := patientOf(r), urlID(r, "referralID")
	a, forPatient := s.actor(r), r.URL.Query().Get("copy") == "patient"
	p, err := s.referrals.Printout(r.Context(), a, c.patientID, id, forPatient)
	if err != nil {
		return err
	}
	m, _ := currentMembership(r)
	v := web.ReferralPrintView{Organisation: m.Tenant.Name, BackHref: c.base + "/referrals/" + id, ForPatient: forPatient,
		PrintedOn: a.At.Format(calendar.Day), PatientName: p.Patient.DisplayName(), ToName: p.Referral.ToName,
		Reason: p.Referral.Reason, Need: "your care", Coordinator: orText(p.Patient.CoordinatorName, a.UserName)}
	for _, d := range p.Details() {
		v.Shared = append(v.Shared, web.ChartFact{Label: d.Label, Value: d.Value})
	}
	if p.Referral.NeedID != "" {
		v.Need = strings.ToLower(careplans.DomainLabel(p.Referral.NeedDomain))
	}
	if p.Referral.SentAt != nil {
		v.SentOn = p.Referral.SentAt.In(zone(r)).Format(calendar.Day)
	}
	if p.Withheld != "" {
		v.Withheld = "The patient's details are left out: " + p.Withheld
	}
	if res := p.Resource; res != nil {
		v.ToAddress, v.ToPhone, v.ToHours, v.ToHowTo = res.Address(), res.Phone, res.Hours, res.HowToRefer
	} else if p.Member != nil {
		v.ToPhone = p.Member.Phone
	}
	for _, appt := range p.Appointments {
		v.Appointments = append(v.Appointments, web.ChartAppointmentRow{When: appt.When(zone(r)), With: appt.WithName, Location: appt.Location})
	}
	return render(w, r, http.StatusOK, web.ReferralPrintPage(v))
}

// openReferrals lists open referrals by age: a coordinator's patients',
// or for a supervisor the whole team's.
func (s *Server) openReferrals(w http.ResponseWriter, r *http.Request) error {
	a := s.actor(r)
	after := r.URL.Query().Get("after")
	l, err := s.referrals.OpenReferrals(r.Context(), a, after)
	if err != nil {
		return err
	}
	v := web.OpenReferralsView{Shell: s.shell(r), Team: l.Team}
	if base := tenantPath(r, "/referrals"); l.Next != "" {
		v.NextHref = base + "?after=" + l.Next
	}
	if after != "" {
		v.FirstHref = tenantPath(r, "/referrals")
	}
	for _, o := range l.Referrals {
		chart := patientPath(r, o.PatientID)
		v.Rows = append(v.Rows, web.OpenReferralRow{
			PatientName: o.PatientName, PatientHref: chart, To: o.ToName,
			Need: orText(careplans.DomainLabel(o.NeedDomain), "Clinical"), Status: referralBadge(o.Status), Age: ageText(o.Age(a.At)),
			Late: o.Unanswered(a.Today()), Coordinator: orText(o.CoordinatorName, "Not assigned"), Href: chart + "/referrals/" + o.ID,
		})
	}
	return render(w, r, http.StatusOK, web.OpenReferralsPage(v))
}

// chartReferralRows are the chart's referrals at now.
func chartReferralRows(c chartReq, list []referrals.Referral, now time.Time) []web.ChartReferralRow {
	var out []web.ChartReferralRow
	for _, ref := range list {
		out = append(out, referralRow(c.base, ref, now))
	}
	return out
}

// referralRow is a referral in a list of a patient's, with its age while
// it is open.
func referralRow(chartBase string, ref referrals.Referral, now time.Time) web.ChartReferralRow {
	row := web.ChartReferralRow{To: ref.ToName, Need: orText(careplans.DomainLabel(ref.NeedDomain), "Clinical"), Status: referralBadge(ref.Status),
		Href: chartBase + "/referrals/" + ref.ID, Open: ref.Status.Open()}
	if row.Open {
		row.Age = ageText(ref.Age(now))
	}
	return row
}

// goalReferrals puts on each goal of the care plan the referrals made for
// it, and, while the plan is open, a link to make one.
func (s *Server) goalReferrals(r *http.Request, chartBase string, open bool, needs []web.PlanNeedView) error {
	var ids []string
	for _, n := range needs {
		for _, g := range n.Goals {
			ids = append(ids, g.ID)
		}
	}
	a := s.actor(r)
	byGoal, err := s.referrals.GoalReferrals(r.Context(), a, ids)
	if err != nil {
		return err
	}
	now := a.At
	for i := range needs {
		for j := range needs[i].Goals {
			g := &needs[i].Goals[j]
			for _, ref := range byGoal[g.ID] {
				g.Referrals = append(g.Referrals, referralRow(chartBase, ref, now))
			}
			if open {
				g.ReferHref = chartBase + "/referrals/new?goal=" + g.ID
			}
		}
	}
	return nil
}
