package server

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"carecoord/internal/careplans"
	"carecoord/internal/db"
	"carecoord/internal/forms"
	"carecoord/internal/patients"
	"carecoord/internal/referrals"
	"carecoord/web"

	"github.com/jackc/pgx/v5"
)

// Referrals (issue 10): from a need or a goal, "Refer" picks a resource of
// the directory or a clinical provider of the care team and writes a draft;
// sending checks the patient's consent; each step after is recorded with
// who and when, on the referral, the chart's timeline and the audit log;
// an outcome of "need met" offers to close the loop on the plan.

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
	c, err := chartRequest(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	if q.Get("resource") != "" || q.Get("member") != "" {
		f := referrals.DraftForm{NeedID: q.Get("need"), GoalID: q.Get("goal"), ResourceID: q.Get("resource"), MemberID: q.Get("member")}
		var v web.ReferralFormView
		err := s.inTenant(r, func(tx pgx.Tx) (err error) {
			if f.NeedID == "" && f.GoalID != "" {
				f.NeedID, _ = referrals.NeedOfGoal(r.Context(), tx, c.tenantID, c.patientID, f.GoalID)
			}
			v, err = s.referralForm(r, tx, c, f, nil)
			return err
		})
		if err != nil {
			return err
		}
		if v.ToName == "" {
			return errNotFound
		}
		return render(w, r, http.StatusOK, web.ReferralFormPage(v))
	}
	v := web.ReferralPickView{Shell: s.shell(r), Base: c.base, AddMemberHref: c.base + "/care-team/new"}
	err = s.inTenant(r, func(tx pgx.Tx) error {
		p, err := patients.Get(r.Context(), tx, c.tenantID, c.patientID)
		if err != nil {
			return err
		}
		v.PatientName = p.DisplayName()
		needID, goalID := q.Get("need"), q.Get("goal")
		if needID == "" && goalID != "" {
			needID, _ = referrals.NeedOfGoal(r.Context(), tx, c.tenantID, c.patientID, goalID)
		}
		needs, err := careplans.ListForPatient(r.Context(), tx, c.tenantID, c.patientID)
		if err != nil {
			return err
		}
		dir, f := directoryQuery(q)
		// A first look starts from the need's domain and the patient's own
		// language, when a resource speaks it.
		fresh := q.Get("searched") == ""
		for _, n := range needs {
			if n.ID == needID {
				v.Need = careplans.DomainLabel(n.Domain) + ": " + n.Description
				if fresh {
					d := n.Domain
					dir.Domain, f.Domain = string(d), &d
				}
			}
		}
		if fresh && p.PreferredLanguage != "" && !strings.EqualFold(p.PreferredLanguage, "English") {
			langs, err := referrals.Languages(r.Context(), tx, c.tenantID)
			if err != nil {
				return err
			}
			for _, l := range langs {
				if strings.EqualFold(l, p.PreferredLanguage) {
					dir.Language, f.Language = l, &l
				}
			}
		}
		keep := url.Values{}
		for k, val := range map[string]string{"need": needID, "goal": goalID} {
			if val != "" {
				keep.Set(k, val)
				dir.Keep = append(dir.Keep, web.Hidden{Name: k, Value: val})
			}
		}
		dir.Keep = append(dir.Keep, web.Hidden{Name: "searched", Value: "yes"})
		slices.SortFunc(dir.Keep, func(a, b web.Hidden) int { return strings.Compare(a.Name, b.Name) })
		dir.Action = c.base + "/referrals/new"
		refer := func(kind, id string) string {
			k := url.Values{}
			for key, vals := range keep {
				k[key] = vals
			}
			k.Set(kind, id)
			return c.base + "/referrals/new?" + k.Encode()
		}
		if err := fillDirectory(r, tx, &dir, f, c.patientID, func(id string) string { return refer("resource", id) }); err != nil {
			return err
		}
		v.Directory = dir
		team, err := patients.CareTeam(r.Context(), tx, c.tenantID, c.patientID)
		for _, m := range team {
			if slices.Contains(referrals.ClinicalKinds, m.Kind) {
				v.Providers = append(v.Providers, web.ProviderChoice{
					Name: m.Name, Detail: joinNonEmpty(" · ", patients.CareTeamKinds.Label(m.Kind), m.Relationship, m.Organisation),
					ReferHref: refer("member", m.ID),
				})
			}
		}
		return err
	})
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, web.ReferralPickPage(v))
}

// referralChoices are what a referral of the patient may name.
func referralChoices(r *http.Request, tx pgx.Tx, c chartReq) (referrals.Choices, []careplans.Need, []careplans.GoalChoice, error) {
	ctx := r.Context()
	ch := referrals.Choices{Needs: map[string]bool{}, Goals: map[string]bool{}, Members: map[string]patients.Member{}, Coverages: map[string]patients.Coverage{}}
	needs, err := careplans.ListForPatient(ctx, tx, c.tenantID, c.patientID)
	if err != nil {
		return ch, nil, nil, err
	}
	var open []careplans.Need
	for _, n := range needs {
		if n.Status.Open() {
			ch.Needs[n.ID] = true
			open = append(open, n)
		}
	}
	goals, err := careplans.OpenGoals(ctx, tx, c.tenantID, c.patientID)
	if err != nil {
		return ch, nil, nil, err
	}
	for _, g := range goals {
		ch.Goals[g.ID] = true
	}
	team, err := patients.CareTeam(ctx, tx, c.tenantID, c.patientID)
	if err != nil {
		return ch, nil, nil, err
	}
	for _, m := range team {
		ch.Members[m.ID] = m
	}
	covs, err := patients.Coverages(ctx, tx, c.tenantID, c.patientID)
	for _, cv := range covs {
		ch.Coverages[cv.ID] = cv
	}
	return ch, open, goals, err
}

// referralForm builds the referral form for f; ToName stays "" when f
// names nobody the patient may be referred to.
func (s *Server) referralForm(r *http.Request, tx pgx.Tx, c chartReq, f referrals.DraftForm, errs referrals.Errors) (web.ReferralFormView, error) {
	p, err := patients.Get(r.Context(), tx, c.tenantID, c.patientID)
	if err != nil {
		return web.ReferralFormView{}, err
	}
	ch, needs, goals, err := referralChoices(r, tx, c)
	if err != nil {
		return web.ReferralFormView{}, err
	}
	v := web.ReferralFormView{
		Shell: s.shell(r), Base: c.base, PatientName: p.DisplayName(), Action: c.base + "/referrals",
		BackHref: c.base + "/referrals/new", NeedID: f.NeedID, GoalID: f.GoalID, Reason: f.Reason,
		CoverageID: f.CoverageID, PriorAuth: f.PriorAuth, Errors: errs,
	}
	if f.NeedID != "" {
		v.BackHref += "?need=" + url.QueryEscape(f.NeedID)
	}
	if f.ResourceID != "" && validUUID(f.ResourceID) {
		res, err := referrals.GetResource(r.Context(), tx, c.tenantID, f.ResourceID)
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return v, err
		}
		if err == nil && res.Active {
			v.ToName, v.ResourceID = res.Name, res.ID
			v.ToDetail = joinNonEmpty(" · ", "Community resource", res.Address(), res.Phone)
		}
	} else if m, ok := ch.Members[f.MemberID]; ok && slices.Contains(referrals.ClinicalKinds, m.Kind) {
		v.ToName, v.MemberID, v.Clinical = memberName(m), m.ID, true
		v.ToDetail = joinNonEmpty(" · ", patients.CareTeamKinds.Label(m.Kind), m.Phone)
	}
	for _, n := range needs {
		v.Needs = append(v.Needs, web.SelectOption{Value: n.ID, Label: careplans.DomainLabel(n.Domain) + ": " + n.Description})
	}
	for _, g := range goals {
		v.Goals = append(v.Goals, web.SelectOption{Value: g.ID, Label: "“" + g.Label + "”"})
	}
	covs, err := patients.Coverages(r.Context(), tx, c.tenantID, c.patientID)
	for _, cv := range covs {
		v.Coverages = append(v.Coverages, web.SelectOption{Value: cv.ID, Label: joinNonEmpty(" · ", cv.Payer, cv.PlanName, cv.MemberID)})
	}
	if len(errs) > 0 {
		v.Problem = "Some answers need another look. They are marked below; nothing was saved yet."
	}
	if v.Errors == nil {
		v.Errors = map[string]string{}
	}
	return v, err
}

// needLabel is the need a referral serves, or "" for a clinical referral
// that serves none.
func needLabel(ref referrals.Referral) string {
	if ref.NeedID == "" {
		return ""
	}
	return careplans.DomainLabel(ref.NeedDomain) + ": " + ref.NeedText
}

// memberName is a provider with their organisation.
func memberName(m patients.Member) string {
	if m.Organisation != "" {
		return m.Name + " (" + m.Organisation + ")"
	}
	return m.Name
}

func (s *Server) createReferral(w http.ResponseWriter, r *http.Request) error {
	c, err := postedChartRequest(r)
	if err != nil {
		return err
	}
	f := referrals.ParseDraft(r.PostForm)
	errs := referrals.Errors{}
	var id string
	var v web.ReferralFormView
	err = s.inTenant(r, func(tx pgx.Tx) error {
		ch, _, _, err := referralChoices(r, tx, c)
		if err != nil {
			return err
		}
		f.Validate(ch, errs)
		if v, err = s.referralForm(r, tx, c, f, errs); err != nil {
			return err
		}
		if v.ToName == "" {
			errs["to"] = "Choose a resource from the directory or a provider from the care team."
		}
		if len(errs) > 0 {
			return errChartRedisplay
		}
		payer := ch.Coverages[f.CoverageID].Payer
		if id, err = referrals.CreateDraft(r.Context(), tx, c.tenantID, c.patientID, c.actorID, f, v.ToName, payer); err != nil {
			return err
		}
		return s.record(r, tx, c, "referral", "Referral to "+v.ToName+" written (draft)",
			audited{action: "referral.created", entityType: "referral", entityID: id})
	})
	if errors.Is(err, errChartRedisplay) {
		v.Problem = "Some answers need another look. They are marked below; nothing was saved yet."
		v.Errors = errs
		return render(w, r, http.StatusUnprocessableEntity, web.ReferralFormPage(v))
	}
	if err != nil {
		return err
	}
	s.flash(r, "Referral saved as a draft. Check the consent and send it when ready.")
	return redirect(w, r, c.base+"/referrals/"+id)
}

// referralPage is what a referral page needs besides the view: the
// referral itself, for the handlers that change it.
type referralPage struct {
	v   web.ReferralView
	ref referrals.Referral
}

// loadReferral reads a referral and builds its page.
func (s *Server) loadReferral(r *http.Request, tx pgx.Tx, c chartReq, id string) (referralPage, error) {
	ctx := r.Context()
	ref, err := referrals.Get(ctx, tx, c.tenantID, c.patientID, id)
	if err != nil {
		return referralPage{}, err
	}
	p, err := patients.Get(ctx, tx, c.tenantID, c.patientID)
	if err != nil {
		return referralPage{}, err
	}
	href := c.base + "/referrals/" + id
	now := time.Now()
	v := web.ReferralView{
		Shell: s.shell(r), Base: c.base, Href: href, PatientName: p.DisplayName(), Version: ref.Version,
		ToName: ref.ToName, Need: needLabel(ref), Goal: ref.GoalWords,
		Reason: ref.Reason, Status: referralBadge(ref.Status), Basis: ref.ConsentBasis, OutcomeNote: ref.OutcomeNote,
		Clinical: ref.Clinical(), Payer: ref.Payer, PriorAuth: ref.PriorAuth,
		PrintOrgHref: href + "/print?copy=organisation", PrintPatientHref: href + "/print?copy=patient",
		NewAppointmentHref: c.base + "/appointments/new?referral=" + id,
		StepErrors:         map[string]string{},
	}
	if ref.Status.Open() {
		v.Age = "open " + ageText(ref.Age(now))
	}
	if ref.Outcome != "" {
		v.Outcome = referrals.Outcomes.Label(string(ref.Outcome))
	}
	if ref.FollowUpDue != nil && ref.Status == referrals.Sent {
		v.FollowUp = longDate(*ref.FollowUpDue)
	}
	for _, f := range ref.SharedFields {
		v.Shared = append(v.Shared, strings.ToLower(referrals.SharedFields.Label(f)))
	}
	if err := s.referralParty(r, tx, c, ref, &v); err != nil {
		return referralPage{}, err
	}
	events, err := referrals.Events(ctx, tx, c.tenantID, id)
	if err != nil {
		return referralPage{}, err
	}
	for _, e := range events {
		label := e.Status.Label()
		if e.Status == referrals.Draft {
			label = "Written"
		}
		v.Steps = append(v.Steps, web.ReferralStep{Status: label, When: e.At.Local().Format("2 Jan 2006, 15:04"), Who: orText(e.ActorName, "CareCoord"), Note: e.Note})
	}
	for _, n := range ref.Status.Next() {
		v.Next = append(v.Next, web.SelectOption{Value: string(n), Label: n.Label()})
	}
	for _, o := range referrals.Outcomes {
		v.Outcomes = append(v.Outcomes, web.SelectOption{Value: o.Value, Label: o.Label})
	}
	if ref.Status == referrals.Draft {
		if v.Send, err = s.sendStep(r, tx, c, ref, referrals.Sending{Fields: []string{"contact", "language", "need"}}, nil); err != nil {
			return referralPage{}, err
		}
	}
	if v.Proposal, err = loopProposal(r, tx, c, ref, href); err != nil {
		return referralPage{}, err
	}
	if ref.Clinical() {
		if err := s.authorizationSection(r, tx, c, ref, &v); err != nil {
			return referralPage{}, err
		}
	}
	appts, err := referrals.AppointmentsOf(ctx, tx, c.tenantID, c.patientID)
	for _, a := range appts {
		if a.ReferralID == id {
			row := appointmentRow(c, a, now)
			row.From = "referral"
			v.Appointments = append(v.Appointments, row)
		}
	}
	return referralPage{v: v, ref: ref}, err
}

// referralParty fills what the page says about the receiving party.
func (s *Server) referralParty(r *http.Request, tx pgx.Tx, c chartReq, ref referrals.Referral, v *web.ReferralView) error {
	if ref.ResourceID != "" {
		res, err := referrals.GetResource(r.Context(), tx, c.tenantID, ref.ResourceID)
		if err != nil {
			return err
		}
		v.ToKind = "Community resource"
		v.ToFacts = facts("Address", res.Address(), "Phone", res.Phone, "Fax", res.Fax, "Email", res.Email,
			"Hours", res.Hours, "How to refer", res.HowToRefer)
		return nil
	}
	v.ToKind = "Clinical provider"
	if ref.MemberKind != "" {
		v.ToKind = patients.CareTeamKinds.Label(ref.MemberKind)
	}
	if ref.MemberID == "" {
		v.ToKind += " (no longer on the care team)"
		return nil
	}
	m, err := patients.GetMember(r.Context(), tx, c.tenantID, c.patientID, ref.MemberID)
	if err != nil {
		return err
	}
	v.ToFacts = facts("Phone", m.Phone, "Email", m.Email)
	return nil
}

// sharingFor checks the patient's consent to share with the referral's
// receiving party today.
func sharingFor(r *http.Request, tx pgx.Tx, c chartReq, ref referrals.Referral, name string) (referrals.Sharing, error) {
	consents, err := patients.Consents(r.Context(), tx, c.tenantID, c.patientID)
	if err != nil {
		return referrals.Sharing{}, err
	}
	var member *patients.Member
	if ref.Clinical() {
		if ref.MemberID == "" {
			return referrals.Sharing{Reason: "The provider is no longer on the care team.", Fix: "Cancel this referral and write a new one."}, nil
		}
		m, err := patients.GetMember(r.Context(), tx, c.tenantID, c.patientID, ref.MemberID)
		if err != nil {
			return referrals.Sharing{}, err
		}
		member = &m
	}
	return referrals.CheckSharing(consents, member, name, today()), nil
}

// sendStep is the send form of a draft with its consent check.
func (s *Server) sendStep(r *http.Request, tx pgx.Tx, c chartReq, ref referrals.Referral, sending referrals.Sending, errs referrals.Errors) (*web.ReferralSend, error) {
	p, err := patients.Get(r.Context(), tx, c.tenantID, c.patientID)
	if err != nil {
		return nil, err
	}
	check, err := sharingFor(r, tx, c, ref, p.DisplayName())
	if err != nil {
		return nil, err
	}
	send := &web.ReferralSend{
		Action: c.base + "/referrals/" + ref.ID + "/send", Allowed: check.Allowed, Reason: check.Reason, Fix: check.Fix,
		AskAgreement: !ref.Clinical(), PartyAgreed: sending.PartyAgreed, Errors: errs,
	}
	switch {
	case check.FixMember != "":
		send.FixHref, send.FixLabel = c.base+"/care-team/"+check.FixMember+"/edit", "Open the care-team entry"
	case !check.Allowed && (!ref.Clinical() || ref.MemberID != ""):
		send.FixHref = c.base + "/consents/new?kind=information_sharing&return=referrals/" + ref.ID
		send.FixLabel = "Record consent to share information"
	}
	for _, f := range referrals.SharedFields {
		send.Fields = append(send.Fields, web.CheckOption{Value: f.Value, Label: f.Label, Checked: slices.Contains(sending.Fields, f.Value)})
	}
	if send.Errors == nil {
		send.Errors = map[string]string{}
	}
	return send, nil
}

func (s *Server) showReferral(w http.ResponseWriter, r *http.Request) error {
	c, id, err := chartRowRequest(r, "referralID")
	if err != nil {
		return err
	}
	var page referralPage
	err = s.inTenant(r, func(tx pgx.Tx) (err error) {
		if page, err = s.loadReferral(r, tx, c, id); err != nil {
			return err
		}
		return s.audit(r, tx, audited{action: "referral.viewed", entityType: "referral", entityID: id, patientID: c.patientID})
	})
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, web.ReferralPage(page.v))
}

// referralChange runs a change to a referral: it loads the page first (so
// a missing or foreign referral is a 404), lets change validate and write,
// and on errChartRedisplay shows the page again with what change put in it.
func (s *Server) referralChange(w http.ResponseWriter, r *http.Request, change func(tx pgx.Tx, c chartReq, p *referralPage) (string, error)) error {
	c, id, err := postedChartRowRequest(r, "referralID")
	if err != nil {
		return err
	}
	var page referralPage
	var flash string
	err = s.inTenant(r, func(tx pgx.Tx) (err error) {
		if page, err = s.loadReferral(r, tx, c, id); err != nil {
			return err
		}
		flash, err = change(tx, c, &page)
		return err
	})
	switch {
	case errors.Is(err, errChartRedisplay):
		return render(w, r, http.StatusUnprocessableEntity, web.ReferralPage(page.v))
	case errors.Is(err, db.ErrConflict), errors.Is(err, referrals.ErrWrongStatus):
		page.v.Problem = "Someone else changed this referral while you were looking at it. Reload the page to see where it stands now."
		return render(w, r, http.StatusConflict, web.ReferralPage(page.v))
	case err != nil:
		return err
	}
	s.flash(r, flash)
	return redirect(w, r, c.base+"/referrals/"+id)
}

func (s *Server) sendReferral(w http.ResponseWriter, r *http.Request) error {
	return s.referralChange(w, r, func(tx pgx.Tx, c chartReq, p *referralPage) (string, error) {
		version := forms.Version(r.PostForm.Get("version"))
		sending := referrals.ParseSending(r.PostForm)
		errs := referrals.Errors{}
		if p.ref.Status != referrals.Draft {
			return "", referrals.ErrWrongStatus
		}
		sending.Validate(p.ref, errs)
		send, err := s.sendStep(r, tx, c, p.ref, sending, errs)
		if err != nil {
			return "", err
		}
		p.v.Send = send
		if !send.Allowed {
			p.v.Problem = "Not sent: " + send.Reason
			return "", errChartRedisplay
		}
		if len(errs) > 0 {
			p.v.Problem = "Some answers need another look. They are marked below; nothing was sent yet."
			return "", errChartRedisplay
		}
		m, _ := currentMembership(r)
		followUp := referrals.FollowUpDay(time.Now(), m.Settings.ReferralFollowUpBusinessDays)
		check, err := sharingFor(r, tx, c, p.ref, p.v.PatientName)
		if err != nil {
			return "", err
		}
		if err := referrals.Send(r.Context(), tx, c.tenantID, c.actorID, p.ref, version, sending, check, followUp); err != nil {
			return "", err
		}
		return "Referral to " + p.ref.ToName + " marked as sent. If nobody answers, it is followed up on " + longDate(followUp) + ".",
			s.record(r, tx, c, "referral", "Referral to "+p.ref.ToName+" sent; follow-up on "+longDate(followUp)+" if no answer",
				audited{action: "referral.sent", entityType: "referral", entityID: p.ref.ID, detail: map[string]any{"shared": sending.Fields}})
	})
}

func (s *Server) moveReferral(w http.ResponseWriter, r *http.Request) error {
	return s.referralChange(w, r, func(tx pgx.Tx, c chartReq, p *referralPage) (string, error) {
		version := forms.Version(r.PostForm.Get("version"))
		step := referrals.ParseStep(r.PostForm)
		errs := referrals.Errors{}
		step.Validate(p.ref.Status, errs)
		if len(errs) > 0 {
			p.v.StepTo, p.v.StepOutcome, p.v.StepNote, p.v.StepErrors = string(step.To), string(step.Outcome), step.Note, errs
			p.v.Problem = "Some answers need another look. They are marked below; nothing was saved yet."
			return "", errChartRedisplay
		}
		if err := referrals.Move(r.Context(), tx, c.tenantID, c.actorID, p.ref, version, step); err != nil {
			return "", err
		}
		summary := "Referral to " + p.ref.ToName + ": " + strings.ToLower(step.To.Label())
		if step.To == referrals.Completed {
			summary += ", " + strings.ToLower(referrals.Outcomes.Label(string(step.Outcome)))
		}
		if step.Note != "" {
			summary += " — " + step.Note
		}
		detail := map[string]any{"status": string(step.To)}
		if step.Outcome != "" {
			detail["outcome"] = string(step.Outcome)
		}
		return "Recorded: " + step.To.Label() + ".", s.record(r, tx, c, "referral", summary,
			audited{action: "referral.status_changed", entityType: "referral", entityID: p.ref.ID, detail: detail})
	})
}

// loopProposal is offered once a referral met its need while the need is
// still open or the goal not yet achieved.
func loopProposal(r *http.Request, tx pgx.Tx, c chartReq, ref referrals.Referral, href string) (*web.LoopProposal, error) {
	if ref.Status != referrals.Completed || ref.Outcome != referrals.Met {
		return nil, nil
	}
	loop, err := referrals.LoopState(r.Context(), tx, c.tenantID, ref)
	if err != nil || (!loop.NeedOpen && !loop.GoalOpen) {
		return nil, err
	}
	p := &web.LoopProposal{Action: href + "/close-loop", NeedLabel: careplans.DomainLabel(ref.NeedDomain)}
	if loop.GoalOpen {
		p.GoalWords = ref.GoalWords
	}
	return p, nil
}

// closeLoop accepts the proposal: the need is resolved and the goal marked
// achieved (progress on the plan, without a revision to approve).
func (s *Server) closeLoop(w http.ResponseWriter, r *http.Request) error {
	return s.referralChange(w, r, func(tx pgx.Tx, c chartReq, p *referralPage) (string, error) {
		if p.v.Proposal == nil {
			return "", referrals.ErrWrongStatus
		}
		loop, err := referrals.LoopState(r.Context(), tx, c.tenantID, p.ref)
		if err != nil {
			return "", err
		}
		done := []string{}
		if loop.NeedOpen {
			if err := careplans.ResolveNeed(r.Context(), tx, c.tenantID, c.patientID, p.ref.NeedID); err != nil {
				return "", err
			}
			done = append(done, "need “"+careplans.DomainLabel(p.ref.NeedDomain)+"” resolved")
		}
		if loop.GoalOpen {
			ref := careplans.Ref{TenantID: c.tenantID, PatientID: c.patientID, PlanID: loop.PlanID}
			if err := careplans.SetGoalStatus(r.Context(), tx, ref, c.actorID, p.ref.GoalID, careplans.GoalAchieved, loop.PlanVersion); err != nil {
				return "", err
			}
			done = append(done, "goal “"+p.ref.GoalWords+"” achieved")
		}
		summary := strings.Join(done, " and ")
		return "Loop closed: " + summary + ".", s.record(r, tx, c, "referral", "Referral to "+p.ref.ToName+" met the need: "+summary,
			audited{action: "referral.loop_closed", entityType: "referral", entityID: p.ref.ID,
				detail: map[string]any{"need": p.ref.NeedID, "goal": p.ref.GoalID}})
	})
}

// authorizationSection fills the clinical referral's authorisation.
func (s *Server) authorizationSection(r *http.Request, tx pgx.Tx, c chartReq, ref referrals.Referral, v *web.ReferralView) error {
	a, err := referrals.GetAuthorization(r.Context(), tx, c.tenantID, ref.ID)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return err
	}
	f := referrals.AuthForm{Unit: "visits"}
	if err == nil {
		m, _ := currentMembership(r)
		v.Auth = authSummary(a, m.Settings.AuthorizationWarningDays)
		f = referrals.AuthFormOf(a)
	} else if !ref.PriorAuth {
		f.Status = string(referrals.AuthNotNeeded)
	}
	v.AuthForm = authFormView(v.Href, f, a.Version, nil)
	return nil
}

func authSummary(a referrals.Authorization, warnDays int) *web.AuthSummary {
	sum := &web.AuthSummary{
		Status: web.ChartBadge{Label: referrals.AuthStatuses.Label(string(a.Status)), Tone: authTone[a.Status]},
		Number: a.Number, Valid: dateRange(a.ValidFrom, a.ValidTo), Notes: a.Notes,
		Expiring: a.Expiring(today(), warnDays),
	}
	if a.Units != nil {
		sum.Units = strconv.Itoa(*a.Units) + " " + a.Unit
	}
	return sum
}

var authTone = map[referrals.AuthStatus]string{
	referrals.AuthNotNeeded: "muted", referrals.AuthRequested: "info", referrals.AuthApproved: "ok",
	referrals.AuthDenied: "danger", referrals.AuthAppealed: "warn",
}

func authFormView(href string, f referrals.AuthForm, version int, errs referrals.Errors) web.AuthFormView {
	v := web.AuthFormView{
		Action: href + "/authorization", Version: version, Status: f.Status, Number: f.Number, Units: f.Units,
		Unit: f.Unit, From: f.ValidFrom, To: f.ValidTo, Notes: f.Notes, Errors: errs, Open: len(errs) > 0,
	}
	for _, o := range referrals.AuthStatuses {
		v.Statuses = append(v.Statuses, web.SelectOption{Value: o.Value, Label: o.Label})
	}
	for _, o := range referrals.Units {
		v.UnitList = append(v.UnitList, web.SelectOption{Value: o.Value, Label: o.Label})
	}
	if v.Errors == nil {
		v.Errors = map[string]string{}
	}
	return v
}

// saveAuthorization records the payer's answer to a clinical referral. A
// denial raises its task in the same transaction.
func (s *Server) saveAuthorization(w http.ResponseWriter, r *http.Request) error {
	return s.referralChange(w, r, func(tx pgx.Tx, c chartReq, p *referralPage) (string, error) {
		if !p.ref.Clinical() {
			return "", errNotFound
		}
		version := forms.Version(r.PostForm.Get("version"))
		f := referrals.ParseAuthForm(r.PostForm)
		errs := referrals.Errors{}
		a := f.Validate(errs)
		if len(errs) > 0 {
			p.v.AuthForm = authFormView(p.v.Href, f, version, errs)
			p.v.Problem = "Some answers need another look. They are marked below; nothing was saved yet."
			return "", errChartRedisplay
		}
		id, before, err := referrals.SaveAuthorization(r.Context(), tx, c.tenantID, p.ref.ID, c.actorID, version, a)
		if err != nil {
			return "", err
		}
		if a.Status == referrals.AuthDenied && before != referrals.AuthDenied {
			if err := referrals.DeniedTask(r.Context(), tx, c.tenantID, c.actorID, p.ref, id, today()); err != nil {
				return "", err
			}
		}
		label := referrals.AuthStatuses.Label(string(a.Status))
		summary := "Authorisation for " + p.ref.ToName + ": " + strings.ToLower(label)
		if a.ValidTo != nil {
			summary += ", valid to " + longDate(*a.ValidTo)
		}
		return "Authorisation saved: " + label + ".", s.record(r, tx, c, "referral", summary,
			audited{action: "authorization.saved", entityType: "authorization", entityID: id, detail: map[string]any{"status": string(a.Status)}})
	})
}

// printReferral is the summary for the receiving organisation (only the
// fields the patient agreed to share, and only while consent is in force)
// or the patient's plain-language copy.
func (s *Server) printReferral(w http.ResponseWriter, r *http.Request) error {
	c, id, err := chartRowRequest(r, "referralID")
	if err != nil {
		return err
	}
	m, _ := currentMembership(r)
	u, _ := currentUser(r)
	forPatient := r.URL.Query().Get("copy") == "patient"
	v := web.ReferralPrintView{Organisation: m.Tenant.Name, BackHref: c.base + "/referrals/" + id, ForPatient: forPatient,
		PrintedOn: longDate(time.Now())}
	err = s.inTenant(r, func(tx pgx.Tx) error {
		ctx := r.Context()
		ref, err := referrals.Get(ctx, tx, c.tenantID, c.patientID, id)
		if err != nil {
			return err
		}
		if ref.Status == referrals.Draft {
			return errNotFound
		}
		p, err := patients.Get(ctx, tx, c.tenantID, c.patientID)
		if err != nil {
			return err
		}
		v.PatientName, v.ToName, v.Reason = p.DisplayName(), ref.ToName, ref.Reason
		v.Need = "your care"
		if ref.NeedID != "" {
			v.Need = strings.ToLower(careplans.DomainLabel(ref.NeedDomain))
		}
		if ref.SentAt != nil {
			v.SentOn = longDate(ref.SentAt.Local())
		}
		v.Coordinator = orText(p.CoordinatorName, u.Name)
		if err := printParty(r, tx, c, ref, &v); err != nil {
			return err
		}
		if !forPatient {
			if err := printShared(r, tx, c, ref, p, &v); err != nil {
				return err
			}
		}
		appts, err := referrals.UpcomingOf(ctx, tx, c.tenantID, c.patientID, time.Now())
		if err != nil {
			return err
		}
		for _, a := range appts {
			if a.ReferralID == id {
				v.Appointments = append(v.Appointments, web.ChartAppointmentRow{When: appointmentWhen(a), With: a.WithName, Location: a.Location})
			}
		}
		copyKind := "organisation"
		if forPatient {
			copyKind = "patient"
		}
		return s.audit(r, tx, audited{action: "referral.printed", entityType: "referral", entityID: id, patientID: c.patientID,
			detail: map[string]any{"copy": copyKind}})
	})
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, web.ReferralPrintPage(v))
}

func printParty(r *http.Request, tx pgx.Tx, c chartReq, ref referrals.Referral, v *web.ReferralPrintView) error {
	if ref.ResourceID != "" {
		res, err := referrals.GetResource(r.Context(), tx, c.tenantID, ref.ResourceID)
		if err != nil {
			return err
		}
		v.ToAddress, v.ToPhone, v.ToHours, v.ToHowTo = res.Address(), res.Phone, res.Hours, res.HowToRefer
		return nil
	}
	if ref.MemberID != "" {
		m, err := patients.GetMember(r.Context(), tx, c.tenantID, c.patientID, ref.MemberID)
		if err != nil {
			return err
		}
		v.ToPhone = m.Phone
	}
	return nil
}

// printShared fills the patient details the organisation may see: those
// chosen when the referral was sent, if the consent still holds today.
func printShared(r *http.Request, tx pgx.Tx, c chartReq, ref referrals.Referral, p patients.Patient, v *web.ReferralPrintView) error {
	check, err := sharingFor(r, tx, c, ref, p.DisplayName())
	if err != nil {
		return err
	}
	if !check.Allowed {
		v.Withheld = "The patient's details are left out: " + check.Reason
		return nil
	}
	for _, f := range ref.SharedFields {
		switch f {
		case "contact":
			v.Shared = append(v.Shared, facts("Phone", p.Phone, "Email", p.Email)...)
		case "address":
			v.Shared = append(v.Shared, facts("Address", joinNonEmpty(", ", p.AddressLine1, p.AddressLine2, p.City, joinNonEmpty(" ", p.Region, p.PostalCode)))...)
		case "date_of_birth":
			v.Shared = append(v.Shared, web.ChartFact{Label: "Date of birth", Value: longDate(p.DateOfBirth)})
		case "language":
			lang := p.PreferredLanguage
			if p.InterpreterNeeded {
				lang += " (needs an interpreter)"
			}
			v.Shared = append(v.Shared, facts("Language", lang)...)
		case "need":
			v.Shared = append(v.Shared, facts("Need", needLabel(ref))...)
		case "insurance":
			covs, err := patients.Coverages(r.Context(), tx, c.tenantID, c.patientID)
			if err != nil {
				return err
			}
			for _, cv := range covs {
				if cv.Primary {
					v.Shared = append(v.Shared, facts("Insurance", joinNonEmpty(" · ", cv.Payer, cv.PlanName, chartLabel("member", cv.MemberID)))...)
				}
			}
		}
	}
	return nil
}

func chartLabel(label, value string) string {
	if value == "" {
		return ""
	}
	return label + " " + value
}

// openReferrals lists open referrals by age: a coordinator's patients',
// or for a supervisor the whole team's.
func (s *Server) openReferrals(w http.ResponseWriter, r *http.Request) error {
	m, _ := currentMembership(r)
	u, _ := currentUser(r)
	v := web.OpenReferralsView{Shell: s.shell(r), Team: m.Role.ReviewsCaseloads()}
	coordinator := u.ID
	if v.Team {
		coordinator = ""
	}
	now := time.Now()
	err := s.inTenant(r, func(tx pgx.Tx) error {
		list, err := referrals.Open(r.Context(), tx, m.Tenant.ID, coordinator)
		for _, o := range list {
			v.Rows = append(v.Rows, web.OpenReferralRow{
				PatientName: o.PatientName, PatientHref: patientPath(r, o.PatientID), To: o.ToName,
				Need: orText(careplans.DomainLabel(o.NeedDomain), "Clinical"), Status: referralBadge(o.Status), Age: ageText(o.Age(now)),
				Late:        o.Status == referrals.Sent && o.FollowUpDue != nil && !o.FollowUpDue.After(today()),
				Coordinator: orText(o.CoordinatorName, "Not assigned"), Href: patientPath(r, o.PatientID) + "/referrals/" + o.ID,
			})
		}
		return err
	})
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, web.OpenReferralsPage(v))
}

// chartReferralRows are the chart's referrals.
func chartReferralRows(r *http.Request, tx pgx.Tx, c chartReq) ([]web.ChartReferralRow, error) {
	list, err := referrals.ForPatient(r.Context(), tx, c.tenantID, c.patientID)
	now := time.Now()
	var out []web.ChartReferralRow
	for _, ref := range list {
		row := web.ChartReferralRow{To: ref.ToName, Need: orText(careplans.DomainLabel(ref.NeedDomain), "Clinical"), Status: referralBadge(ref.Status),
			Href: c.base + "/referrals/" + ref.ID, Open: ref.Status.Open()}
		if row.Open {
			row.Age = ageText(ref.Age(now))
		}
		out = append(out, row)
	}
	return out, err
}

// goalReferrals puts on each goal of the care plan the referrals made for
// it, and, while the plan is open, a link to make one.
func goalReferrals(r *http.Request, tx pgx.Tx, tenantID, chartBase string, open bool, needs []web.PlanNeedView) error {
	var ids []string
	for _, n := range needs {
		for _, g := range n.Goals {
			ids = append(ids, g.ID)
		}
	}
	byGoal, err := referrals.ForGoals(r.Context(), tx, tenantID, ids)
	if err != nil {
		return err
	}
	now := time.Now()
	for i := range needs {
		for j := range needs[i].Goals {
			g := &needs[i].Goals[j]
			for _, ref := range byGoal[g.ID] {
				row := web.ChartReferralRow{To: ref.ToName, Status: referralBadge(ref.Status), Href: chartBase + "/referrals/" + ref.ID, Open: ref.Status.Open()}
				if row.Open {
					row.Age = ageText(ref.Age(now))
				}
				g.Referrals = append(g.Referrals, row)
			}
			if open {
				g.ReferHref = chartBase + "/referrals/new?goal=" + g.ID
			}
		}
	}
	return nil
}
