package server

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"carecoord/internal/careplans"
	"carecoord/internal/contacts"
	"carecoord/internal/db"
	"carecoord/internal/forms"
	"carecoord/internal/patients"
	"carecoord/internal/tasks"
	"carecoord/web"

	"github.com/jackc/pgx/v5"
)

// The contact log (issue 7): a short form from the chart or the worklist
// records a call, visit or message, the goals it touched and an optional
// follow-up task, all in one transaction that also recounts whether the
// patient can be reached and meets any discharge follow-up. A contact is
// corrected only by its author within 24 hours, keeping what it said
// before; after that only an addendum is possible.

// contactForm is the form's frame and choices for one patient.
type contactForm struct {
	name      string
	choices   contacts.Choices
	assignees []web.SelectOption
}

// loadContactForm reads the patient and what their contact form offers.
func (s *Server) loadContactForm(r *http.Request, tx pgx.Tx, c chartReq) (contactForm, error) {
	ctx := r.Context()
	p, err := patients.Get(ctx, tx, c.tenantID, c.patientID)
	if err != nil {
		return contactForm{}, err
	}
	f := contactForm{name: p.DisplayName()}
	if f.choices.Members, err = patients.CareTeam(ctx, tx, c.tenantID, c.patientID); err != nil {
		return f, err
	}
	if f.choices.Goals, err = careplans.OpenGoals(ctx, tx, c.tenantID, c.patientID); err != nil {
		return f, err
	}
	f.assignees, err = s.coordinatorOptions(r, tx)
	f.choices.Assignees = idsOf(f.assignees)
	return f, err
}

// contactFormView builds the page of the form, with form's typed values
// and errs.
func (s *Server) contactFormView(r *http.Request, c chartReq, cf contactForm, form contacts.ContactForm, errs patients.Errors) web.ContactFormView {
	v := web.ContactFormView{
		ChartSubformView: s.subform(r, c, cf.name, "Log a contact", c.base+"/contacts", "Save contact", errs),
		Form:             form, Methods: web.OptionsOf(contacts.Methods), Directions: web.OptionsOf(contacts.Directions),
		Outcomes: web.OptionsOf(contacts.Outcomes), Assignees: cf.assignees,
	}
	v.With = []web.SelectOption{{Value: "patient", Label: "The patient"}}
	for _, m := range cf.choices.Members {
		v.With = append(v.With, web.SelectOption{Value: "member:" + m.ID,
			Label: m.Name + " (" + orText(m.Relationship, patients.CareTeamKinds.Label(m.Kind)) + ")"})
	}
	v.With = append(v.With, web.SelectOption{Value: "other", Label: "Someone else"})
	for _, g := range cf.choices.Goals {
		v.Goals = append(v.Goals, web.ContactGoalOption{ID: g.ID, Label: g.Label, Checked: form.Goals[g.ID], Note: form.GoalNotes[g.ID]})
	}
	return v
}

// newContactForm shows a blank contact: now, a call to the patient.
func (s *Server) newContactForm(w http.ResponseWriter, r *http.Request) error {
	c, err := chartRequest(r)
	if err != nil {
		return err
	}
	var cf contactForm
	err = s.inTenant(r, func(tx pgx.Tx) (err error) {
		cf, err = s.loadContactForm(r, tx, c)
		return err
	})
	if err != nil {
		return err
	}
	form := contacts.NewContactForm(time.Now(), c.actorID)
	if r.URL.Query().Get("return") == "worklist" {
		form.Return = "worklist"
	}
	return render(w, r, http.StatusOK, web.ContactFormPage(s.contactFormView(r, c, cf, form, nil)))
}

// logContact validates and stores a contact with everything it brings.
func (s *Server) logContact(w http.ResponseWriter, r *http.Request) error {
	c, err := postedChartRequest(r)
	if err != nil {
		return err
	}
	form := contacts.ParseContactForm(r.PostForm)
	errs := patients.Errors{}
	var cf contactForm
	var logged contacts.Logged
	err = s.inTenant(r, func(tx pgx.Tx) (err error) {
		if cf, err = s.loadContactForm(r, tx, c); err != nil {
			return err
		}
		nc := form.Validate(time.Now(), time.Local, cf.choices, errs)
		if len(errs) > 0 {
			return errChartRedisplay
		}
		if logged, err = contacts.Log(r.Context(), tx, c.tenantID, c.patientID, c.actorID, nc); err != nil {
			return err
		}
		return s.recordContact(r, tx, c, nc, logged)
	})
	if errors.Is(err, errChartRedisplay) {
		return render(w, r, http.StatusUnprocessableEntity, web.ContactFormPage(s.contactFormView(r, c, cf, form, errs)))
	}
	if err != nil {
		return err
	}
	s.flash(r, contactFlash(logged))
	if form.Return == "worklist" {
		return redirect(w, r, tenantPath(r, "/worklist"))
	}
	return redirect(w, r, c.base)
}

// recordContact puts a logged contact, its follow-up, the tasks it met and
// any change in reach on the timeline and in the audit log.
func (s *Server) recordContact(r *http.Request, tx pgx.Tx, c chartReq, nc contacts.NewContact, l contacts.Logged) error {
	err := s.record(r, tx, c, "contact", nc.Line(),
		audited{action: "contact.logged", entityType: "contact", entityID: l.ID,
			detail: map[string]any{"method": nc.Method, "party": nc.Party, "outcome": nc.Outcome, "goals": len(nc.Goals)}})
	if err != nil {
		return err
	}
	if l.FollowUpID != "" {
		err = s.record(r, tx, c, "task", "Follow-up task: "+nc.FollowUp.Title+", due "+longDate(nc.FollowUp.DueAt),
			audited{action: "task.created", entityType: "task", entityID: l.FollowUpID,
				detail: map[string]any{"source": string(tasks.FromContact), "contact": l.ID, "assignee": nc.FollowUp.AssigneeID}})
		if err != nil {
			return err
		}
	}
	if err := s.recordMet(r, tx, c, l.Met); err != nil {
		return err
	}
	return s.recordReachChange(r, tx, c, l.Before, l.Reach)
}

// recordMet notes the discharge follow-ups a contact completed.
func (s *Server) recordMet(r *http.Request, tx pgx.Tx, c chartReq, met []tasks.Task) error {
	for _, t := range met {
		err := s.record(r, tx, c, "task", "Done: "+t.Title+" (met by the contact)",
			audited{action: "task.completed", entityType: "task", entityID: t.ID, detail: map[string]any{"by": "contact"}})
		if err != nil {
			return err
		}
	}
	return nil
}

// recordReachChange notes when a patient becomes, or stops being, unable
// to reach.
func (s *Server) recordReachChange(r *http.Request, tx pgx.Tx, c chartReq, before, after contacts.Reach) error {
	switch {
	case after.Unreachable() && !before.Unreachable():
		return s.record(r, tx, c, "reach", "Flagged unable to reach: "+strconv.Itoa(after.UnreachedAttempts)+" attempts in a row without reaching the patient",
			audited{action: "patient.unreachable", entityType: "patient", entityID: c.patientID})
	case before.Unreachable() && !after.Unreachable():
		return s.record(r, tx, c, "reach", "Reached again: no longer flagged unable to reach",
			audited{action: "patient.reached", entityType: "patient", entityID: c.patientID})
	}
	return nil
}

// contactFlash says what saving a contact did.
func contactFlash(l contacts.Logged) string {
	msg := "Contact saved."
	if l.FollowUpID != "" {
		msg += " The follow-up task is on the worklist."
	}
	if len(l.Met) > 0 {
		msg += " It met the discharge follow-up."
	}
	if l.Reach.Unreachable() && !l.Before.Unreachable() {
		msg += " After " + strconv.Itoa(l.Reach.UnreachedAttempts) + " attempts in a row the patient is now flagged unable to reach."
	}
	return msg
}

var outcomeTone = map[string]string{
	"reached": "ok", "declined": "warn", "left_message": "muted", "no_answer": "muted", "wrong_number": "danger", "sent": "info",
}

func outcomeBadge(outcome string) web.ChartBadge {
	return web.ChartBadge{Label: contacts.Outcomes.Label(outcome), Tone: outcomeTone[outcome]}
}

// contactSummaryOf is a contact as a page describes it.
func contactSummaryOf(c contacts.Contact) web.ContactSummary {
	v := web.ContactSummary{
		When: c.OccurredAt.Local().Format("Mon 2 Jan 2006, 15:04"), Method: contacts.Methods.Label(c.Method),
		Direction: strings.ToLower(contacts.Directions.Label(c.Direction)), With: c.WithWhom(),
		Outcome: outcomeBadge(c.Outcome), Summary: c.Summary, Author: c.AuthorName,
		Logged: c.CreatedAt.Local().Format("2 Jan 2006, 15:04"),
	}
	if c.Minutes != nil {
		v.Minutes = strconv.Itoa(*c.Minutes) + " min"
	}
	if c.CorrectedAt != nil {
		v.Corrected = c.CorrectedAt.Local().Format("2 Jan 2006, 15:04")
	}
	return v
}

// contactRequest reads the patient and contact from the URL.
func contactRequest(r *http.Request) (chartReq, string, error) {
	return chartRowRequest(r, "contactID")
}

// showContact shows one contact with its corrections and addenda.
func (s *Server) showContact(w http.ResponseWriter, r *http.Request) error {
	c, id, err := contactRequest(r)
	if err != nil {
		return err
	}
	v, err := s.contactPage(r, c, id)
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, web.ContactPage(v))
}

// contactPage reads everything the contact's page shows.
func (s *Server) contactPage(r *http.Request, c chartReq, id string) (web.ContactPageView, error) {
	v := web.ContactPageView{Shell: s.shell(r), Base: c.base, AddendumAction: c.base + "/contacts/" + id + "/addenda"}
	err := s.inTenant(r, func(tx pgx.Tx) error {
		ctx := r.Context()
		p, err := patients.Get(ctx, tx, c.tenantID, c.patientID)
		if err != nil {
			return err
		}
		v.PatientName = p.DisplayName()
		ct, err := contacts.Get(ctx, tx, c.tenantID, c.patientID, id)
		if err != nil {
			return err
		}
		v.Contact = contactSummaryOf(ct)
		if ct.CanCorrect(c.actorID, time.Now()) {
			v.CorrectHref = c.base + "/contacts/" + id + "/correct"
			v.CorrectUntil = ct.CreatedAt.Add(contacts.CorrectionWindow).Local().Format("Mon 2 Jan, 15:04")
		}
		goals, err := contacts.GoalsOf(ctx, tx, c.tenantID, id)
		for _, g := range goals {
			v.Goals = append(v.Goals, web.ContactGoalLine{Label: g.Label, Note: g.Note})
		}
		if err != nil {
			return err
		}
		revs, err := contacts.Revisions(ctx, tx, c.tenantID, id)
		for _, rv := range revs {
			old := contacts.Contact{OccurredAt: rv.OccurredAt, Method: rv.Method, Direction: rv.Direction, Party: rv.Party,
				PartyName: rv.PartyName, PartyRole: rv.PartyRole, Outcome: rv.Outcome, Minutes: rv.Minutes, Summary: rv.Summary,
				AuthorName: ct.AuthorName, CreatedAt: ct.CreatedAt}
			v.Revisions = append(v.Revisions, web.ContactRevisionLine{Number: rv.Number, Contact: contactSummaryOf(old),
				Corrected: rv.CorrectedAt.Local().Format("2 Jan 2006, 15:04") + " by " + rv.CorrectedName, Reason: rv.Reason})
		}
		if err != nil {
			return err
		}
		adds, err := contacts.Addenda(ctx, tx, c.tenantID, id)
		for _, a := range adds {
			v.Addenda = append(v.Addenda, web.ContactAddendumLine{Note: a.Note, Author: a.AuthorName, When: a.CreatedAt.Local().Format("2 Jan 2006, 15:04")})
		}
		if err != nil {
			return err
		}
		return s.audit(r, tx, audited{action: "contact.viewed", entityType: "contact", entityID: id, patientID: c.patientID})
	})
	return v, err
}

// correctionClosed shows the contact with the reason it can't be corrected.
func (s *Server) correctionClosed(w http.ResponseWriter, r *http.Request, c chartReq, id string) error {
	v, err := s.contactPage(r, c, id)
	if err != nil {
		return err
	}
	v.Problem = "Only the person who logged a contact can correct it, and only within 24 hours of logging it. Add an addendum below instead: the contact stays as it was."
	return render(w, r, http.StatusForbidden, web.ContactPage(v))
}

// correctContactForm shows the contact's details for its author to correct.
func (s *Server) correctContactForm(w http.ResponseWriter, r *http.Request) error {
	c, id, err := contactRequest(r)
	if err != nil {
		return err
	}
	var cf contactForm
	var ct contacts.Contact
	err = s.inTenant(r, func(tx pgx.Tx) (err error) {
		if cf, err = s.loadContactForm(r, tx, c); err != nil {
			return err
		}
		ct, err = contacts.Get(r.Context(), tx, c.tenantID, c.patientID, id)
		return err
	})
	if err != nil {
		return err
	}
	if !ct.CanCorrect(c.actorID, time.Now()) {
		return s.correctionClosed(w, r, c, id)
	}
	return render(w, r, http.StatusOK, web.ContactFormPage(s.correctionView(r, c, cf, ct, contacts.FormOf(ct, time.Local), ct.Version, nil)))
}

func (s *Server) correctionView(r *http.Request, c chartReq, cf contactForm, ct contacts.Contact, form contacts.ContactForm, version int, errs patients.Errors) web.ContactFormView {
	v := s.contactFormView(r, c, cf, form, errs)
	v.Title, v.Submit, v.Action = "Correct a contact", "Save correction", c.base+"/contacts/"+ct.ID+"/correct"
	v.Correcting, v.Version, v.Goals = true, version, nil
	v.CorrectUntil = ct.CreatedAt.Add(contacts.CorrectionWindow).Local().Format("Mon 2 Jan, 15:04")
	return v
}

// correctContact saves its author's correction, keeping the earlier
// wording.
func (s *Server) correctContact(w http.ResponseWriter, r *http.Request) error {
	c, id, err := postedChartRowRequest(r, "contactID")
	if err != nil {
		return err
	}
	form := contacts.ParseContactForm(r.PostForm)
	version := forms.Version(r.PostForm.Get("version"))
	errs := patients.Errors{}
	var cf contactForm
	var ct contacts.Contact
	var logged contacts.Logged
	err = s.inTenant(r, func(tx pgx.Tx) (err error) {
		if cf, err = s.loadContactForm(r, tx, c); err != nil {
			return err
		}
		if ct, err = contacts.Get(r.Context(), tx, c.tenantID, c.patientID, id); err != nil {
			return err
		}
		if !ct.CanCorrect(c.actorID, time.Now()) {
			return contacts.ErrCorrectionClosed
		}
		// Goals and the follow-up stay with the original contact.
		form.Goals, form.GoalNotes, form.FollowUpTitle, form.FollowUpDue = nil, nil, "", ""
		nc := form.Validate(time.Now(), time.Local, cf.choices, errs)
		if form.Reason == "" {
			errs["reason"] = "Say why you are correcting the contact."
		} else if len([]rune(form.Reason)) > 500 {
			errs["reason"] = "Keep the reason to 500 characters or fewer."
		}
		if len(errs) > 0 {
			return errChartRedisplay
		}
		if logged, err = contacts.Correct(r.Context(), tx, c.tenantID, c.patientID, id, c.actorID, version, nc); err != nil {
			return err
		}
		err = s.record(r, tx, c, "contact", "Contact of "+longDate(ct.OccurredAt.Local())+" corrected: "+form.Reason,
			audited{action: "contact.corrected", entityType: "contact", entityID: id, detail: map[string]any{"outcome": nc.Outcome}})
		if err != nil {
			return err
		}
		if err := s.recordMet(r, tx, c, logged.Met); err != nil {
			return err
		}
		return s.recordReachChange(r, tx, c, logged.Before, logged.Reach)
	})
	switch {
	case errors.Is(err, contacts.ErrCorrectionClosed):
		return s.correctionClosed(w, r, c, id)
	case errors.Is(err, errChartRedisplay):
		return render(w, r, http.StatusUnprocessableEntity, web.ContactFormPage(s.correctionView(r, c, cf, ct, form, version, errs)))
	case errors.Is(err, db.ErrConflict):
		v := s.correctionView(r, c, cf, ct, form, ct.Version, errs)
		v.Problem = "Someone changed this contact while you were correcting it, so your correction was not saved. Your wording is kept below; look at the contact again, then save."
		return render(w, r, http.StatusConflict, web.ContactFormPage(v))
	case err != nil:
		return err
	}
	s.flash(r, "Correction saved. The earlier wording is kept with the contact.")
	return redirect(w, r, c.base+"/contacts/"+id)
}

// addAddendum adds a note to a contact, by anyone, at any time.
func (s *Server) addAddendum(w http.ResponseWriter, r *http.Request) error {
	c, id, err := postedChartRowRequest(r, "contactID")
	if err != nil {
		return err
	}
	note := strings.TrimSpace(r.PostForm.Get("note"))
	problem := contacts.ValidateAddendum(note)
	_, err = s.changeInChart(r, c, nil, func(tx pgx.Tx) error {
		ct, err := contacts.Get(r.Context(), tx, c.tenantID, c.patientID, id)
		if err != nil {
			return err
		}
		if problem != "" {
			return errChartRedisplay
		}
		aid, err := contacts.AddAddendum(r.Context(), tx, c.tenantID, c.patientID, id, c.actorID, note)
		if err != nil {
			return err
		}
		return s.record(r, tx, c, "contact", "Addendum to the contact of "+longDate(ct.OccurredAt.Local()),
			audited{action: "contact.addendum_added", entityType: "contact", entityID: id, detail: map[string]any{"addendum": aid}})
	})
	if errors.Is(err, errChartRedisplay) {
		v, err := s.contactPage(r, c, id)
		if err != nil {
			return err
		}
		v.AddendumNote, v.AddendumError = note, problem
		return render(w, r, http.StatusUnprocessableEntity, web.ContactPage(v))
	}
	if err != nil {
		return err
	}
	s.flash(r, "Addendum added.")
	return redirect(w, r, c.base+"/contacts/"+id)
}
