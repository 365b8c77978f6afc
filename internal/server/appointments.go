package server

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
	"time"

	"carecoord/internal/db"
	"carecoord/internal/forms"
	"carecoord/internal/patients"
	"carecoord/internal/referrals"
	"carecoord/web"

	"github.com/jackc/pgx/v5"
)

// Appointments (issue 10): with a care-team member, a resource or someone
// else, from a referral or on their own. Times are read and shown on the
// server's clock (time.Local), like every other time of the app; the
// calendar file carries them in UTC.

// appointmentWhen is an appointment's day and time.
func appointmentWhen(a referrals.Appointment) string {
	return a.StartsAt.Local().Format("Mon 2 Jan 2006, 15:04")
}

var apptTone = map[referrals.ApptStatus]string{
	referrals.Scheduled: "info", referrals.Kept: "ok", referrals.Missed: "danger", referrals.ApptCancelled: "muted",
}

// appointmentRow is an appointment with the buttons that record what it
// still needs and, once it has begun, how it went.
func appointmentRow(c chartReq, a referrals.Appointment, now time.Time) web.ChartAppointmentRow {
	row := web.ChartAppointmentRow{
		ID: a.ID, When: appointmentWhen(a), With: a.WithName, Purpose: a.Purpose, Location: a.Location,
		Status: web.ChartBadge{Label: a.Status.Label(), Tone: apptTone[a.Status]}, Note: a.Note,
		Action: c.base + "/appointments/" + a.ID, Version: a.Version,
	}
	if a.Status != referrals.Scheduled {
		return row
	}
	row.Prep = a.Preparations()
	if now.Before(a.StartsAt) {
		if a.RemindedAt == nil {
			row.Marks = append(row.Marks, web.AppointmentMark{Mark: string(referrals.MarkReminded), Label: "Reminded"})
		}
		if a.TransportNeeded && !a.TransportArranged {
			row.Marks = append(row.Marks, web.AppointmentMark{Mark: string(referrals.MarkTransport), Label: "Transport arranged"})
		}
		if a.InterpreterNeeded && !a.InterpreterArranged {
			row.Marks = append(row.Marks, web.AppointmentMark{Mark: string(referrals.MarkInterpreter), Label: "Interpreter arranged"})
		}
	} else {
		row.Prep = nil
		row.Marks = append(row.Marks,
			web.AppointmentMark{Mark: string(referrals.MarkKept), Label: "Kept"},
			web.AppointmentMark{Mark: string(referrals.MarkMissed), Label: "Missed", NeedsNote: true})
	}
	row.Marks = append(row.Marks, web.AppointmentMark{Mark: string(referrals.MarkCancelled), Label: "Cancel", NeedsNote: true})
	return row
}

// appointmentChoices are whom the patient's appointments may be with.
func appointmentChoices(r *http.Request, tx pgx.Tx, c chartReq) (referrals.WithChoices, []web.SelectOption, error) {
	ctx := r.Context()
	ch := referrals.WithChoices{Members: map[string]patients.Member{}, Resources: map[string]referrals.Resource{}, Referrals: map[string]referrals.Referral{}}
	var opts []web.SelectOption
	team, err := patients.CareTeam(ctx, tx, c.tenantID, c.patientID)
	if err != nil {
		return ch, nil, err
	}
	for _, m := range team {
		if m.Kind == "caregiver" {
			continue
		}
		ch.Members[m.ID] = m
		opts = append(opts, web.SelectOption{Value: "member:" + m.ID, Label: memberName(m) + " — " + patients.CareTeamKinds.Label(m.Kind)})
	}
	refs, err := referrals.ForPatient(ctx, tx, c.tenantID, c.patientID)
	if err != nil {
		return ch, nil, err
	}
	for _, ref := range refs {
		ch.Referrals[ref.ID] = ref
		if ref.ResourceID == "" || !ref.Status.Open() {
			continue
		}
		if _, ok := ch.Resources[ref.ResourceID]; ok {
			continue
		}
		res, err := referrals.GetResource(ctx, tx, c.tenantID, ref.ResourceID)
		if err != nil {
			return ch, nil, err
		}
		ch.Resources[res.ID] = res
		opts = append(opts, web.SelectOption{Value: "resource:" + res.ID, Label: res.Name + " — referred"})
	}
	opts = append(opts, web.SelectOption{Value: "other", Label: "Someone else (type the name)"})
	return ch, opts, nil
}

// appointmentForm is the form page, with who it is with preset from the
// referral it is made from.
func (s *Server) appointmentForm(r *http.Request, tx pgx.Tx, c chartReq, f referrals.AppointmentForm, errs referrals.Errors) (web.AppointmentFormView, referrals.WithChoices, error) {
	p, err := patients.Get(r.Context(), tx, c.tenantID, c.patientID)
	if err != nil {
		return web.AppointmentFormView{}, referrals.WithChoices{}, err
	}
	ch, opts, err := appointmentChoices(r, tx, c)
	v := web.AppointmentFormView{
		Shell: s.shell(r), Base: c.base, PatientName: p.DisplayName(), Action: c.base + "/appointments", BackHref: c.base,
		With: f.With, WithName: f.WithName, Date: f.Date, Time: f.Time, Minutes: f.Minutes, Location: f.Location,
		Purpose: f.Purpose, Transport: f.Transport, Interpreter: f.Interpreter, ReferralID: f.ReferralID,
		WithOptions: opts, Errors: errs,
	}
	if f.ReferralID != "" {
		v.BackHref = c.base + "/referrals/" + f.ReferralID
	}
	if len(errs) > 0 {
		v.Problem = "Some answers need another look. They are marked below; nothing was saved yet."
	}
	if v.Errors == nil {
		v.Errors = map[string]string{}
	}
	return v, ch, err
}

func (s *Server) newAppointment(w http.ResponseWriter, r *http.Request) error {
	c, err := chartRequest(r)
	if err != nil {
		return err
	}
	f := referrals.AppointmentForm{Minutes: "60"}
	var v web.AppointmentFormView
	err = s.inTenant(r, func(tx pgx.Tx) error {
		if id := r.URL.Query().Get("referral"); validUUID(id) {
			ref, err := referrals.Get(r.Context(), tx, c.tenantID, c.patientID, id)
			if err != nil {
				return err
			}
			f.ReferralID = ref.ID
			switch {
			case ref.ResourceID != "":
				f.With = "resource:" + ref.ResourceID
			case ref.MemberID != "":
				f.With = "member:" + ref.MemberID
			}
			f.Purpose = ref.Reason
			if len([]rune(f.Purpose)) > 120 {
				f.Purpose = ""
			}
		}
		p, err := patients.Get(r.Context(), tx, c.tenantID, c.patientID)
		if err != nil {
			return err
		}
		f.Interpreter = p.InterpreterNeeded
		v, _, err = s.appointmentForm(r, tx, c, f, nil)
		return err
	})
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, web.AppointmentFormPage(v))
}

func (s *Server) createAppointment(w http.ResponseWriter, r *http.Request) error {
	c, err := postedChartRequest(r)
	if err != nil {
		return err
	}
	f := referrals.ParseAppointmentForm(r.PostForm)
	errs := referrals.Errors{}
	var v web.AppointmentFormView
	var a referrals.Appointment
	err = s.inTenant(r, func(tx pgx.Tx) error {
		var ch referrals.WithChoices
		var err error
		if v, ch, err = s.appointmentForm(r, tx, c, f, errs); err != nil {
			return err
		}
		a = f.Validate(ch, time.Local, time.Now(), errs)
		if len(errs) > 0 {
			return errChartRedisplay
		}
		id, err := referrals.CreateAppointment(r.Context(), tx, c.tenantID, c.patientID, c.actorID, a)
		if err != nil {
			return err
		}
		return s.record(r, tx, c, "appointment", "Appointment with "+a.WithName+" on "+appointmentWhen(a)+": "+a.Purpose,
			audited{action: "appointment.created", entityType: "appointment", entityID: id})
	})
	if errors.Is(err, errChartRedisplay) {
		v.Errors = errs
		v.Problem = "Some answers need another look. They are marked below; nothing was saved yet."
		return render(w, r, http.StatusUnprocessableEntity, web.AppointmentFormPage(v))
	}
	if err != nil {
		return err
	}
	s.flash(r, "Appointment with "+a.WithName+" scheduled for "+appointmentWhen(a)+".")
	if a.ReferralID != "" {
		return redirect(w, r, c.base+"/referrals/"+a.ReferralID)
	}
	return redirect(w, r, c.base)
}

// markAppointment records a preparation done or how the appointment went;
// a missed one raises its follow-up task in the same transaction.
func (s *Server) markAppointment(w http.ResponseWriter, r *http.Request) error {
	c, id, err := postedChartRowRequest(r, "appointmentID")
	if err != nil {
		return err
	}
	version := forms.Version(r.PostForm.Get("version"))
	mark := referrals.Mark(r.PostForm.Get("mark"))
	note := trimmedForm(r, "note")
	if len([]rune(note)) > 2000 {
		return errBadRequest
	}
	var a referrals.Appointment
	err = s.inTenant(r, func(tx pgx.Tx) (err error) {
		if a, err = referrals.GetAppointment(r.Context(), tx, c.tenantID, c.patientID, id); err != nil {
			return err
		}
		if err := referrals.MarkAppointment(r.Context(), tx, c.tenantID, a, version, mark, note, time.Now()); err != nil {
			return err
		}
		if mark == referrals.MarkMissed {
			if err := referrals.MissedTask(r.Context(), tx, c.tenantID, c.actorID, a, today()); err != nil {
				return err
			}
		}
		summary := mark.Done() + " appointment with " + a.WithName + " on " + appointmentWhen(a)
		if note != "" {
			summary += " — " + note
		}
		return s.record(r, tx, c, "appointment", summary,
			audited{action: "appointment." + string(mark), entityType: "appointment", entityID: id})
	})
	switch {
	case errors.Is(err, referrals.ErrWrongStatus), errors.Is(err, db.ErrConflict):
		return errConflict
	case err != nil:
		return err
	}
	s.flash(r, mark.Done()+" appointment with "+a.WithName+".")
	back := c.base
	if a.ReferralID != "" && r.PostForm.Get("from") == "referral" {
		back = c.base + "/referrals/" + a.ReferralID
	}
	return redirect(w, r, back)
}

func trimmedForm(r *http.Request, name string) string {
	return strings.TrimSpace(r.PostForm.Get(name))
}

// appointmentsCalendar downloads the patient's upcoming appointments as an
// iCalendar file. The events leave out the patient's name: calendars sync
// to services outside the organisation's care.
func (s *Server) appointmentsCalendar(w http.ResponseWriter, r *http.Request) error {
	c, err := chartRequest(r)
	if err != nil {
		return err
	}
	var events []referrals.CalendarEvent
	err = s.inTenant(r, func(tx pgx.Tx) error {
		if _, err := patients.Get(r.Context(), tx, c.tenantID, c.patientID); err != nil {
			return err
		}
		list, err := referrals.UpcomingOf(r.Context(), tx, c.tenantID, c.patientID, time.Now())
		if err != nil {
			return err
		}
		for _, a := range list {
			events = append(events, calendarEvent(a))
		}
		return s.audit(r, tx, audited{action: "appointment.calendar_downloaded", entityType: "patient", entityID: c.patientID, patientID: c.patientID})
	})
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := referrals.WriteCalendar(&b, "Appointments", events, time.Now()); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="appointments.ics"`)
	_, err = w.Write(b.Bytes())
	return err
}

func calendarEvent(a referrals.Appointment) referrals.CalendarEvent {
	e := referrals.CalendarEvent{
		UID: a.ID + "@carecoord", Start: a.StartsAt, End: a.Ends(),
		Summary: a.Purpose + " — " + a.WithName, Location: a.Location,
	}
	var notes []string
	switch {
	case a.TransportArranged:
		notes = append(notes, "Transport is arranged.")
	case a.TransportNeeded:
		notes = append(notes, "Transport is needed.")
	}
	switch {
	case a.InterpreterArranged:
		notes = append(notes, "An interpreter is arranged.")
	case a.InterpreterNeeded:
		notes = append(notes, "An interpreter is needed.")
	}
	e.Description = strings.Join(notes, "\n")
	return e
}

// chartAppointmentRows are the chart's appointments.
func chartAppointmentRows(r *http.Request, tx pgx.Tx, c chartReq) ([]web.ChartAppointmentRow, bool, error) {
	list, err := referrals.AppointmentsOf(r.Context(), tx, c.tenantID, c.patientID)
	now := time.Now()
	var out []web.ChartAppointmentRow
	upcoming := false
	for _, a := range list {
		out = append(out, appointmentRow(c, a, now))
		upcoming = upcoming || (a.Status == referrals.Scheduled && a.Ends().After(now))
	}
	return out, upcoming, err
}

// worklistAppointments are the signed-in coordinator's patients'
// scheduled appointments that begin within two days and still need a
// reminder, transport or an interpreter, and those already begun that
// nobody recorded as kept or missed, soonest first. The action opens the
// chart's appointments, where each is recorded with one button.
func worklistAppointments(r *http.Request, list []referrals.CoordinatorAppointment, now time.Time) []web.PatientRow {
	var out []web.PatientRow
	for _, a := range list {
		row := web.PatientRow{PatientName: a.PatientName, PatientHref: patientPath(r, a.PatientID),
			When: appointmentWhen(a.Appointment), ActionHref: patientPath(r, a.PatientID) + "#appointments-title"}
		prep := a.Preparations()
		switch {
		case now.After(a.StartsAt):
			row.Detail, row.Late, row.ActionLabel = "With "+a.WithName+": record whether it was kept", true, "Record"
		case len(prep) == 0:
			continue
		default:
			row.Detail, row.ActionLabel = "With "+a.WithName+": "+strings.ToLower(strings.Join(prep, ", ")), "Arrange"
		}
		out = append(out, row)
	}
	return out
}
