package server

import (
	"net/http"
	"strings"
	"time"

	"carecoord/internal/fail"
	"carecoord/internal/patients"
	"carecoord/internal/referrals"
	"carecoord/web"

	"github.com/a-h/templ"
)

// Appointments (issue 10): with a care-team member, a resource or someone
// else, from a referral or on their own. Times are read and shown on the
// tenant's clock (its time zone), like every other time of the app; the
// calendar file carries them in UTC.

var apptTone = map[referrals.ApptStatus]string{
	referrals.Scheduled: "info", referrals.Kept: "ok", referrals.Missed: "danger", referrals.ApptCancelled: "muted",
}

// appointmentRow is an appointment at now with the buttons that record
// what it still needs and, once it has begun, how it went; from is the
// page the buttons come back to ("referral", or "" for the chart).
func appointmentRow(chartBase string, a referrals.Appointment, now time.Time, from string) web.ChartAppointmentRow {
	row := web.ChartAppointmentRow{
		ID: a.ID, When: a.When(now.Location()), With: a.WithName, Purpose: a.Purpose, Location: a.Location,
		Status: web.ChartBadge{Label: a.Status.Label(), Tone: apptTone[a.Status]}, Note: a.Note,
		Action: chartBase + "/appointments/" + a.ID, Version: a.Version, From: from,
	}
	if a.Status == referrals.Scheduled && now.Before(a.StartsAt) {
		row.Prep = a.Preparations()
	}
	for _, m := range a.MarksAt(now) {
		row.Marks = append(row.Marks, web.AppointmentMark{Mark: string(m), Label: m.Label(), NeedsNote: m.NeedsNote()})
	}
	return row
}

// appointmentForm is the form page for f, with e's messages when it comes
// back; who it may be with are c.
func (s *Server) appointmentForm(r *http.Request, chartBase string, c referrals.WithChoices, f referrals.AppointmentForm, e *fail.Error) templ.Component {
	v := web.AppointmentFormView{
		Shell: s.shell(r), Base: chartBase, PatientName: c.PatientName, Action: chartBase + "/appointments", BackHref: chartBase,
		With: f.With, WithName: f.WithName, Date: f.Date, Time: f.Time, Minutes: f.Minutes, Location: f.Location,
		Purpose: f.Purpose, Transport: f.Transport, Interpreter: f.Interpreter, ReferralID: f.ReferralID,
	}
	for _, m := range c.Members {
		v.WithOptions = append(v.WithOptions, web.SelectOption{Value: "member:" + m.ID, Label: referrals.ProviderName(m) + " — " + patients.CareTeamKinds.Label(m.Kind)})
	}
	for _, res := range c.Resources {
		v.WithOptions = append(v.WithOptions, web.SelectOption{Value: "resource:" + res.ID, Label: res.Name + " — referred"})
	}
	v.WithOptions = append(v.WithOptions, web.SelectOption{Value: "other", Label: "Someone else (type the name)"})
	if f.ReferralID != "" {
		v.BackHref = chartBase + "/referrals/" + f.ReferralID
	}
	if e != nil {
		v.Problem, v.Errors = e.Message, e.Fields
	}
	return web.AppointmentFormPage(v)
}

func (s *Server) newAppointment(w http.ResponseWriter, r *http.Request) error {
	c := patientOf(r)
	choices, f, err := s.referrals.NewAppointment(r.Context(), s.actor(r), c.patientID, r.URL.Query().Get("referral"))
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, s.appointmentForm(r, c.base, choices, f, nil))
}

func (s *Server) createAppointment(w http.ResponseWriter, r *http.Request) error {
	c := patientOf(r)
	f := referrals.ParseAppointmentForm(r.PostForm)
	a, err := s.referrals.ScheduleAppointment(r.Context(), s.actor(r), c.patientID, f)
	if err != nil {
		return s.showAgain(w, r, err, func(e *fail.Error) (templ.Component, error) {
			choices, err := s.referrals.AppointmentChoices(r.Context(), s.actor(r), c.patientID)
			return s.appointmentForm(r, c.base, choices, f, e), err
		})
	}
	back := c.base
	if a.ReferralID != "" {
		back += "/referrals/" + a.ReferralID
	}
	return s.redirectWith(w, r, back, "Appointment with "+a.WithName+" scheduled for "+a.When(zone(r))+".")
}

// markAppointment records a preparation done or how the appointment went;
// a missed one raises its follow-up task in the same transaction.
func (s *Server) markAppointment(w http.ResponseWriter, r *http.Request) error {
	c, id := patientOf(r), urlID(r, "appointmentID")
	f := referrals.ParseMarkForm(r.PostForm)
	a, err := s.referrals.MarkAppointment(r.Context(), s.actor(r), c.patientID, id, f)
	if err != nil {
		return err
	}
	back := c.base
	if a.ReferralID != "" && r.PostForm.Get("from") == "referral" {
		back += "/referrals/" + a.ReferralID
	}
	return s.redirectWith(w, r, back, f.Mark.Done()+" appointment with "+a.WithName+".")
}

// appointmentsCalendar downloads the patient's upcoming appointments as an
// iCalendar file, without the patient's name.
func (s *Server) appointmentsCalendar(w http.ResponseWriter, r *http.Request) error {
	c := patientOf(r)
	ics, err := s.referrals.Calendar(r.Context(), s.actor(r), c.patientID)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="appointments.ics"`)
	_, err = w.Write(ics)
	return err
}

// chartAppointmentRows are the chart's appointments at now, and whether
// any is still to come.
func chartAppointmentRows(c chartReq, list []referrals.Appointment, now time.Time) ([]web.ChartAppointmentRow, bool) {
	var out []web.ChartAppointmentRow
	upcoming := false
	for _, a := range list {
		out = append(out, appointmentRow(c.base, a, now, ""))
		upcoming = upcoming || (a.Status == referrals.Scheduled && a.Ends().After(now))
	}
	return out, upcoming
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
			When: a.When(zone(r)), ActionHref: patientPath(r, a.PatientID) + "#appointments-title"}
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
