package server

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"carecoord/internal/calendar"
	"carecoord/internal/contacts"
	"carecoord/internal/fail"
	"carecoord/internal/patients"
	"carecoord/web"

	"github.com/a-h/templ"
)

// The contact log (issue 7): a short form from the chart or the worklist
// records a call, visit or message, the goals it touched and an optional
// follow-up task (contacts.Service.LogContact). A contact is corrected
// only by its author within 24 hours, keeping what it said before; after
// that only an addendum is possible.

// newContactForm shows a blank contact: now, a call to the patient.
func (s *Server) newContactForm(w http.ResponseWriter, r *http.Request) error {
	c := patientOf(r)
	a := s.actor(r)
	fp, err := s.contacts.FormPage(r.Context(), a, c.patientID)
	if err != nil {
		return err
	}
	form := contacts.NewContactForm(a.At, a.UserID)
	if r.URL.Query().Get("return") == "worklist" {
		form.Return = "worklist"
	}
	return render(w, r, http.StatusOK, web.ContactFormPage(s.contactFormView(r, c, fp, form, nil)))
}

// logContact logs a contact with everything it brings.
func (s *Server) logContact(w http.ResponseWriter, r *http.Request) error {
	c := patientOf(r)
	form := contacts.ParseContactForm(r.PostForm)
	logged, err := s.contacts.LogContact(r.Context(), s.actor(r), c.patientID, form)
	if err != nil {
		return s.showAgain(w, r, err, func(e *fail.Error) (templ.Component, error) {
			fp, err := s.contacts.FormPage(r.Context(), s.actor(r), c.patientID)
			return web.ContactFormPage(s.contactFormView(r, c, fp, form, e.Fields)), err
		})
	}
	to := c.base
	if form.Return == "worklist" {
		to = tenantPath(r, "/worklist")
	}
	return s.redirectWith(w, r, to, contactFlash(logged))
}

// contactFormView is the contact form with form's typed values and errs.
func (s *Server) contactFormView(r *http.Request, c chartReq, fp contacts.FormPage, form contacts.ContactForm, errs patients.Errors) web.ContactFormView {
	v := web.ContactFormView{
		ChartSubformView: s.subform(r, c, fp.PatientName, "Log a contact", c.base+"/contacts", "Save contact", errs),
		Form:             form, Methods: web.OptionsOf(contacts.Methods), Directions: web.OptionsOf(contacts.Directions),
		Outcomes: web.OptionsOf(contacts.Outcomes), Assignees: peopleOptions(fp.People),
	}
	v.With = []web.SelectOption{{Value: "patient", Label: "The patient"}}
	for _, m := range fp.Choices.Members {
		v.With = append(v.With, web.SelectOption{Value: "member:" + m.ID,
			Label: m.Name + " (" + orText(m.Relationship, patients.CareTeamKinds.Label(m.Kind)) + ")"})
	}
	v.With = append(v.With, web.SelectOption{Value: "other", Label: "Someone else"})
	for _, g := range fp.Choices.Goals {
		v.Goals = append(v.Goals, web.ContactGoalOption{ID: g.ID, Label: g.Label, Checked: form.Goals[g.ID], Note: form.GoalNotes[g.ID]})
	}
	return v
}

// contactFlash says what saving a contact did.
func contactFlash(l contacts.Logged) string {
	msg := "Contact saved."
	if l.FollowUpID != "" {
		msg += " The follow-up task is on the worklist."
	}
	for _, c := range l.Closed {
		if c.FollowUp.State == contacts.FollowUpLate {
			msg += " It closed the discharge follow-up late (day " + strconv.Itoa(c.FollowUp.Day) + ")."
		} else {
			msg += " It met the discharge follow-up."
		}
	}
	if l.Reach.Unreachable() && !l.Before.Unreachable() {
		msg += " After " + strconv.Itoa(l.Reach.UnreachedAttempts) + " attempts in a row the patient is now flagged unable to reach."
	}
	return msg
}

// showContact shows one contact with its corrections and addenda.
func (s *Server) showContact(w http.ResponseWriter, r *http.Request) error {
	c, id := patientOf(r), urlID(r, "contactID")
	v, err := s.contactPage(r, c, id)
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, web.ContactPage(v))
}

// contactPage reads the contact's page; the view is audited.
func (s *Server) contactPage(r *http.Request, c chartReq, id string) (web.ContactPageView, error) {
	pg, err := s.contacts.ContactPage(r.Context(), s.actor(r), c.patientID, id)
	if err != nil {
		return web.ContactPageView{}, err
	}
	ct := pg.Contact
	v := web.ContactPageView{Shell: s.shell(r), Base: c.base, AddendumAction: c.base + "/contacts/" + id + "/addenda",
		PatientName: pg.PatientName, Contact: contactSummaryOf(ct, zone(r))}
	if pg.CanCorrect {
		v.CorrectHref, v.CorrectUntil = c.base+"/contacts/"+id+"/correct", ct.CorrectUntil().In(zone(r)).Format(calendar.ShortWeekdayTime)
	}
	for _, g := range pg.Goals {
		v.Goals = append(v.Goals, web.ContactGoalLine{Label: g.Label, Note: g.Note})
	}
	for _, rv := range pg.Revisions {
		v.Revisions = append(v.Revisions, web.ContactRevisionLine{Number: rv.Number, Contact: contactSummaryOf(rv.Of(ct), zone(r)),
			Corrected: rv.CorrectedAt.In(zone(r)).Format(calendar.DayTime) + " by " + rv.CorrectedName, Reason: rv.Reason})
	}
	for _, ad := range pg.Addenda {
		v.Addenda = append(v.Addenda, web.ContactAddendumLine{Note: ad.Note, Author: ad.AuthorName, When: ad.CreatedAt.In(zone(r)).Format(calendar.DayTime)})
	}
	return v, nil
}

// contactSummaryOf is a contact as a page describes it.
func contactSummaryOf(c contacts.Contact, loc *time.Location) web.ContactSummary {
	v := web.ContactSummary{
		When: c.OccurredAt.In(loc).Format(calendar.WeekdayTime), Method: contacts.Methods.Label(c.Method),
		Direction: strings.ToLower(contacts.Directions.Label(c.Direction)), With: c.WithWhom(),
		Outcome: outcomeBadge(c.Outcome), Summary: c.Summary, Author: c.AuthorName,
		Logged: c.CreatedAt.In(loc).Format(calendar.DayTime),
	}
	if c.Minutes != nil {
		v.Minutes = strconv.Itoa(*c.Minutes) + " min"
	}
	if c.CorrectedAt != nil {
		v.Corrected = c.CorrectedAt.In(loc).Format(calendar.DayTime)
	}
	return v
}

var outcomeTone = map[string]string{
	"reached": "ok", "declined": "warn", "left_message": "muted", "no_answer": "muted", "wrong_number": "danger", "sent": "info",
}

func outcomeBadge(outcome string) web.ChartBadge {
	return web.ChartBadge{Label: contacts.Outcomes.Label(outcome), Tone: outcomeTone[outcome]}
}

// correctContactForm shows the contact's details for its author to correct.
func (s *Server) correctContactForm(w http.ResponseWriter, r *http.Request) error {
	c, id := patientOf(r), urlID(r, "contactID")
	cp, err := s.contacts.CorrectionPage(r.Context(), s.actor(r), c.patientID, id)
	if err != nil {
		return s.correctionClosed(w, r, c, id, err)
	}
	return render(w, r, http.StatusOK, web.ContactFormPage(s.correctionView(r, c, cp, contacts.FormOf(cp.Contact, zone(r)), nil)))
}

// correctContact saves its author's correction, keeping the earlier
// wording; a stale version shows the form again with the wording kept.
func (s *Server) correctContact(w http.ResponseWriter, r *http.Request) error {
	c, id := patientOf(r), urlID(r, "contactID")
	form := contacts.ParseContactForm(r.PostForm)
	if _, err := s.contacts.CorrectContact(r.Context(), s.actor(r), c.patientID, id, form); err != nil {
		err = s.showAgain(w, r, err, func(e *fail.Error) (templ.Component, error) {
			cp, err := s.contacts.CorrectionPage(r.Context(), s.actor(r), c.patientID, id)
			if e.Kind == fail.KindConflict {
				form.Version = cp.Contact.Version // the wording kept, to save over what is there now
			}
			v := s.correctionView(r, c, cp, form, e.Fields)
			v.Problem = e.Message
			return web.ContactFormPage(v), err
		})
		return s.correctionClosed(w, r, c, id, err)
	}
	return s.redirectWith(w, r, c.base+"/contacts/"+id, "Correction saved. The earlier wording is kept with the contact.")
}

// correctionView is the contact form as a correction of cp's contact.
func (s *Server) correctionView(r *http.Request, c chartReq, cp contacts.Correction, form contacts.ContactForm, errs patients.Errors) web.ContactFormView {
	v := s.contactFormView(r, c, cp.FormPage, form, errs)
	v.Title, v.Submit, v.Action = "Correct a contact", "Save correction", c.base+"/contacts/"+cp.Contact.ID+"/correct"
	v.Correcting, v.Version, v.Goals = true, form.Version, nil
	v.CorrectUntil = cp.Contact.CorrectUntil().In(zone(r)).Format(calendar.ShortWeekdayTime)
	return v
}

// correctionClosed answers a correction the person may not make (not
// theirs, or too late) with the contact and the reason, so that they can
// add an addendum instead; any other err is returned as it is.
func (s *Server) correctionClosed(w http.ResponseWriter, r *http.Request, c chartReq, id string, err error) error {
	// The one kind the contact page answers itself: forbidden is the
	// closed correction window (contacts.ErrCorrectionClosed).
	e, ok := fail.As(err)
	if !ok || e.Kind != fail.KindForbidden {
		return err
	}
	v, err := s.contactPage(r, c, id)
	if err != nil {
		return err
	}
	v.Problem = e.Message
	return render(w, r, http.StatusForbidden, web.ContactPage(v))
}

// addAddendum adds a note to a contact, by anyone, at any time.
func (s *Server) addAddendum(w http.ResponseWriter, r *http.Request) error {
	c, id := patientOf(r), urlID(r, "contactID")
	note := strings.TrimSpace(r.PostForm.Get("note"))
	if err := s.contacts.AddAddendum(r.Context(), s.actor(r), c.patientID, id, note); err != nil {
		return s.showAgain(w, r, err, func(e *fail.Error) (templ.Component, error) {
			v, err := s.contactPage(r, c, id)
			v.AddendumNote, v.AddendumError = note, e.Fields["note"]
			return web.ContactPage(v), err
		})
	}
	return s.redirectWith(w, r, c.base+"/contacts/"+id, "Addendum added.")
}
