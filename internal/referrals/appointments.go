package referrals

import (
	"bytes"
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"carecoord/internal/audit"
	"carecoord/internal/calendar"
	"carecoord/internal/db"
	"carecoord/internal/fail"
	"carecoord/internal/forms"
	"carecoord/internal/patients"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// ApptStatus is where an appointment stands.
type ApptStatus string

// Appointment statuses: scheduled until the day has come and gone, then
// kept or missed; or cancelled.
const (
	Scheduled     ApptStatus = "scheduled"
	Kept          ApptStatus = "kept"
	Missed        ApptStatus = "missed"
	ApptCancelled ApptStatus = "cancelled"
)

// ApptStatuses are the appointment's statuses.
var ApptStatuses = forms.Choices[ApptStatus]{
	{Value: Scheduled, Label: "Scheduled"}, {Value: Kept, Label: "Kept"}, {Value: Missed, Label: "Missed"},
	{Value: ApptCancelled, Label: "Cancelled"},
}

// Label is the status in plain words.
func (s ApptStatus) Label() string { return ApptStatuses.Label(s) }

// Appointment is one appointment of the patient's.
type Appointment struct {
	ID                  string
	PatientID           string
	ReferralID          string
	MemberID            string
	ResourceID          string
	WithName            string
	StartsAt            time.Time
	Minutes             int
	Location            string
	Purpose             string
	TransportNeeded     bool
	TransportArranged   bool
	InterpreterNeeded   bool
	InterpreterArranged bool
	RemindedAt          *time.Time
	Status              ApptStatus
	Note                string
	Version             int
}

// Ends is when the appointment is over.
func (a Appointment) Ends() time.Time { return a.StartsAt.Add(time.Duration(a.Minutes) * time.Minute) }

// When is the appointment's day and time on loc's clock (the tenant's).
func (a Appointment) When(loc *time.Location) string {
	return a.StartsAt.In(loc).Format(calendar.WeekdayTime)
}

// Preparations lists what is still to be done before the appointment: a
// reminder, transport, an interpreter.
func (a Appointment) Preparations() []string {
	var out []string
	if a.RemindedAt == nil {
		out = append(out, "Remind the patient")
	}
	if a.TransportNeeded && !a.TransportArranged {
		out = append(out, "Arrange transport")
	}
	if a.InterpreterNeeded && !a.InterpreterArranged {
		out = append(out, "Arrange an interpreter")
	}
	return out
}

// Mark is one thing recorded about an appointment.
type Mark string

// Marks: preparations done, and how it went.
const (
	MarkReminded    Mark = "reminded"
	MarkTransport   Mark = "transport"
	MarkInterpreter Mark = "interpreter"
	MarkKept        Mark = "kept"
	MarkMissed      Mark = "missed"
	MarkCancelled   Mark = "cancelled"
)

// Marks are what may be recorded about an appointment, as their buttons
// read.
var Marks = forms.Choices[Mark]{
	{Value: MarkReminded, Label: "Reminded"}, {Value: MarkTransport, Label: "Transport arranged"},
	{Value: MarkInterpreter, Label: "Interpreter arranged"}, {Value: MarkKept, Label: "Kept"},
	{Value: MarkMissed, Label: "Missed"}, {Value: MarkCancelled, Label: "Cancel"},
}

// marksDone say what each mark recorded, for the timeline and the flash.
var marksDone = forms.Choices[Mark]{
	{Value: MarkReminded, Label: "Patient reminded of"}, {Value: MarkTransport, Label: "Transport arranged for"},
	{Value: MarkInterpreter, Label: "Interpreter arranged for"}, {Value: MarkKept, Label: "Kept:"},
	{Value: MarkMissed, Label: "Missed:"}, {Value: MarkCancelled, Label: "Cancelled:"},
}

// Label is the mark as its button reads.
func (m Mark) Label() string { return Marks.Label(m) }

// Done says what the mark recorded.
func (m Mark) Done() string { return marksDone.Label(m) }

// NeedsNote reports whether the mark asks for a short note (why it was
// missed or cancelled).
func (m Mark) NeedsNote() bool { return m == MarkMissed || m == MarkCancelled }

// MarksAt lists what may be recorded about the appointment at now: before
// it begins, the preparations still to do; once begun, whether it was kept
// or missed; and, while scheduled, cancelling it.
func (a Appointment) MarksAt(now time.Time) []Mark {
	if a.Status != Scheduled {
		return nil
	}
	var out []Mark
	switch {
	case !now.Before(a.StartsAt):
		out = append(out, MarkKept, MarkMissed)
	default:
		if a.RemindedAt == nil {
			out = append(out, MarkReminded)
		}
		if a.TransportNeeded && !a.TransportArranged {
			out = append(out, MarkTransport)
		}
		if a.InterpreterNeeded && !a.InterpreterArranged {
			out = append(out, MarkInterpreter)
		}
	}
	return append(out, MarkCancelled)
}

// AppointmentForm is an appointment as typed. With is "member:<id>",
// "resource:<id>" or "other" (then WithName says who).
type AppointmentForm struct {
	With, WithName, Date, Time, Minutes, Location, Purpose string
	Transport, Interpreter                                 bool
	ReferralID                                             string
}

// ParseAppointmentForm reads the appointment form.
func ParseAppointmentForm(v url.Values) AppointmentForm {
	g := func(k string) string { return trimmed(v.Get, k) }
	return AppointmentForm{
		With: g("with"), WithName: g("with_name"), Date: g("date"), Time: g("time"), Minutes: g("minutes"),
		Location: g("location"), Purpose: g("purpose"), Transport: v.Get("transport") == "yes",
		Interpreter: v.Get("interpreter") == "yes", ReferralID: g("referral_id"),
	}
}

// WithChoices are the people and places an appointment of the patient may
// be with, in the order the form offers them: the care team's members
// other than caregivers, and the resources of open referrals.
type WithChoices struct {
	PatientName string
	Members     []patients.Member
	Resources   []Resource
	Referrals   []Referral
}

// AppointmentYearsAhead is how far ahead an appointment may be booked.
const AppointmentYearsAhead = 3

// Validate checks the form; times are read on loc's clock and may not lie
// in the past of now, nor more than AppointmentYearsAhead after it.
func (f AppointmentForm) Validate(c WithChoices, loc *time.Location, now time.Time, errs Errors) Appointment {
	a := Appointment{Location: f.Location, Purpose: f.Purpose, TransportNeeded: f.Transport,
		InterpreterNeeded: f.Interpreter, Status: Scheduled, Minutes: 60}
	kind, id, _ := strings.Cut(f.With, ":")
	member := slices.IndexFunc(c.Members, func(m patients.Member) bool { return m.ID == id })
	resource := slices.IndexFunc(c.Resources, func(r Resource) bool { return r.ID == id })
	switch {
	case kind == "member" && member >= 0:
		a.MemberID, a.WithName = id, ProviderName(c.Members[member])
	case kind == "resource" && resource >= 0:
		a.ResourceID, a.WithName = id, c.Resources[resource].Name
		if a.Location == "" {
			a.Location = c.Resources[resource].Address()
		}
	case kind == "other":
		errs.Required("with_name", f.WithName, "Say who the appointment is with.")
		errs.MaxLen("with_name", f.WithName, 200)
		a.WithName = f.WithName
	default:
		errs.Add("with", "Choose who the appointment is with.")
	}
	if f.ReferralID != "" {
		if !slices.ContainsFunc(c.Referrals, func(r Referral) bool { return r.ID == f.ReferralID }) {
			errs.Add("referral_id", "Choose one of the patient's referrals, or none.")
		}
		a.ReferralID = f.ReferralID
	}
	d := errs.Date("date", f.Date, true)
	clock, err := time.Parse(calendar.TimeOfDay, f.Time)
	if f.Time == "" || err != nil {
		errs.Add("time", "Enter the time, like 14:30.")
	}
	if d != nil && err == nil {
		a.StartsAt = time.Date(d.Year(), d.Month(), d.Day(), clock.Hour(), clock.Minute(), 0, 0, loc)
		if a.StartsAt.Before(now.Add(-time.Hour)) {
			errs.Add("date", "The appointment can't be in the past.")
		} else if a.StartsAt.After(now.AddDate(AppointmentYearsAhead, 0, 0)) {
			errs.Add("date", "The appointment is more than "+strconv.Itoa(AppointmentYearsAhead)+" years ahead. Check the year.")
		}
	}
	if f.Minutes != "" {
		n, err := strconv.Atoi(f.Minutes)
		if err != nil || n < 5 || n > 600 {
			errs.Add("minutes", "Enter how many minutes it lasts, from 5 to 600.")
		} else {
			a.Minutes = n
		}
	}
	errs.Required("purpose", f.Purpose, "Say what the appointment is for.")
	errs.MaxLen("purpose", f.Purpose, 500)
	errs.MaxLen("location", f.Location, 300)
	return a
}

// withChoices reads whom the patient's appointments may be with.
func withChoices(ctx context.Context, q db.DBTX, tenantID, patientID string) (WithChoices, error) {
	var c WithChoices
	p, err := patients.Get(ctx, q, tenantID, patientID)
	if err != nil {
		return c, err
	}
	c.PatientName = p.DisplayName()
	team, err := patients.CareTeam(ctx, q, tenantID, patientID)
	if err != nil {
		return c, err
	}
	for _, m := range team {
		if m.Kind != "caregiver" {
			c.Members = append(c.Members, m)
		}
	}
	if c.Referrals, err = ForPatient(ctx, q, tenantID, patientID); err != nil {
		return c, err
	}
	for _, r := range c.Referrals {
		if r.ResourceID == "" || !r.Status.Open() || slices.ContainsFunc(c.Resources, func(res Resource) bool { return res.ID == r.ResourceID }) {
			continue
		}
		res, err := GetResource(ctx, q, tenantID, r.ResourceID)
		if err != nil {
			return c, err
		}
		c.Resources = append(c.Resources, res)
	}
	return c, nil
}

// NewAppointment reads the appointment form: whom it may be with and, when
// it is made from one of the patient's referrals, what it starts from (the
// referral's party, and its reason when short enough to be a purpose). An
// interpreter is asked for when the patient needs one.
func (s *Service) NewAppointment(ctx context.Context, a tenants.Actor, patientID, referralID string) (WithChoices, AppointmentForm, error) {
	f := AppointmentForm{Minutes: "60"}
	var c WithChoices
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		if db.ValidUUID(referralID) {
			r, err := Get(ctx, tx, a.TenantID, patientID, referralID)
			if err != nil {
				return err
			}
			f.ReferralID, f.Purpose = r.ID, r.Reason
			switch {
			case r.ResourceID != "":
				f.With = "resource:" + r.ResourceID
			case r.MemberID != "":
				f.With = "member:" + r.MemberID
			}
			if len([]rune(f.Purpose)) > 120 {
				f.Purpose = ""
			}
		}
		p, err := patients.Get(ctx, tx, a.TenantID, patientID)
		if err != nil {
			return err
		}
		f.Interpreter = p.InterpreterNeeded
		c, err = withChoices(ctx, tx, a.TenantID, patientID)
		return err
	})
	return c, f, err
}

// AppointmentChoices reads whom the patient's appointments may be with, to
// show the form again as it was posted.
func (s *Service) AppointmentChoices(ctx context.Context, a tenants.Actor, patientID string) (WithChoices, error) {
	var c WithChoices
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		c, err = withChoices(ctx, tx, a.TenantID, patientID)
		return err
	})
	return c, err
}

// ScheduleAppointment books an appointment for the patient, with its
// timeline line and audit event, and returns it.
func (s *Service) ScheduleAppointment(ctx context.Context, a tenants.Actor, patientID string, f AppointmentForm) (Appointment, error) {
	var appt Appointment
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		c, err := withChoices(ctx, tx, a.TenantID, patientID)
		if err != nil {
			return err
		}
		errs := Errors{}
		appt = f.Validate(c, a.At.Location(), a.At, errs)
		if err := invalid(errs, ""); err != nil {
			return err
		}
		if appt.ID, err = InsertAppointment(ctx, tx, a, patientID, appt); err != nil {
			return err
		}
		if err := patients.AddEvent(ctx, tx, a.TenantID, patientID, a.UserID, "appointment",
			"Appointment with "+appt.WithName+" on "+appt.When(a.At.Location())+": "+appt.Purpose); err != nil {
			return err
		}
		return a.Audit(ctx, tx, audit.Event{Action: "appointment.created", EntityType: "appointment", EntityID: appt.ID, PatientID: patientID})
	})
	return appt, err
}

// InsertAppointment stores a validated appointment of the patient, booked
// by a at a.At.
func InsertAppointment(ctx context.Context, q db.DBTX, a tenants.Actor, patientID string, appt Appointment) (string, error) {
	var id string
	err := q.QueryRow(ctx, `
		insert into appointments (tenant_id, patient_id, referral_id, care_team_member_id, resource_id, with_name, starts_at,
			minutes, location, purpose, transport_needed, interpreter_needed, created_by, created_at, updated_at)
		values ($1, $2, nullif($3, '')::uuid, nullif($4, '')::uuid, nullif($5, '')::uuid, $6, $7, $8, $9, $10, $11, $12,
			nullif($13, '')::uuid, $14, $14)
		returning id`,
		a.TenantID, patientID, appt.ReferralID, appt.MemberID, appt.ResourceID, appt.WithName, appt.StartsAt, appt.Minutes,
		appt.Location, appt.Purpose, appt.TransportNeeded, appt.InterpreterNeeded, a.UserID, a.At).Scan(&id)
	return id, err
}

const appointmentColumns = `a.id, a.patient_id, coalesce(a.referral_id::text, '') as referral_id,
	coalesce(a.care_team_member_id::text, '') as member_id, coalesce(a.resource_id::text, '') as resource_id,
	a.with_name, a.starts_at, a.minutes, a.location, a.purpose, a.transport_needed, a.transport_arranged,
	a.interpreter_needed, a.interpreter_arranged, a.reminded_at, a.status, a.note, a.version`

// GetAppointment loads one of the patient's appointments.
func GetAppointment(ctx context.Context, q db.DBTX, tenantID, patientID, id string) (Appointment, error) {
	rows, _ := q.Query(ctx, `select `+appointmentColumns+` from appointments a
		where a.tenant_id = $1 and a.patient_id = $2 and a.id = $3`, tenantID, patientID, id)
	a, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Appointment])
	return a, db.NotFound(err)
}

// AppointmentsOf lists the patient's appointments: scheduled ones first,
// soonest first, then the others, latest first.
func AppointmentsOf(ctx context.Context, q db.DBTX, tenantID, patientID string) ([]Appointment, error) {
	return AppointmentsQuery(tenantID, patientID).All(ctx, q)
}

// AppointmentsQuery reads the patient's appointments, for a batch.
func AppointmentsQuery(tenantID, patientID string) db.Query[Appointment] {
	return db.Query[Appointment]{SQL: `select ` + appointmentColumns + ` from appointments a
		where a.tenant_id = $1 and a.patient_id = $2
		order by a.status <> 'scheduled', case when a.status = 'scheduled' then a.starts_at end,
		         a.starts_at desc, a.id`, Args: []any{tenantID, patientID}, Scan: pgx.RowToStructByName[Appointment]}
}

// UpcomingOf lists the patient's scheduled appointments that end after
// from, soonest first.
func UpcomingOf(ctx context.Context, q db.DBTX, tenantID, patientID string, from time.Time) ([]Appointment, error) {
	rows, _ := q.Query(ctx, `select `+appointmentColumns+` from appointments a
		where a.tenant_id = $1 and a.patient_id = $2 and a.status = 'scheduled'
		  and a.starts_at + make_interval(mins => a.minutes) > $3
		order by a.starts_at, a.id`, tenantID, patientID, from)
	return pgx.CollectRows(rows, pgx.RowToStructByName[Appointment])
}

// MarkForm is something recorded about an appointment, as posted.
type MarkForm struct {
	Mark Mark
	Note string
	// Version is the appointment's version as the coordinator saw it.
	Version int
}

// ParseMarkForm reads a button that records something about an
// appointment.
func ParseMarkForm(v url.Values) MarkForm {
	return MarkForm{Mark: Mark(v.Get("mark")), Note: trimmed(v.Get, "note"), Version: forms.Version(v.Get("version"))}
}

// MarkAppointment records a preparation done, or how the appointment
// went, with its timeline line and audit event; a missed one raises its
// follow-up task. It returns the appointment.
func (s *Service) MarkAppointment(ctx context.Context, a tenants.Actor, patientID, id string, f MarkForm) (Appointment, error) {
	var appt Appointment
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		if appt, err = GetAppointment(ctx, tx, a.TenantID, patientID, id); err != nil {
			return err
		}
		errs := Errors{}
		errs.MaxLen("note", f.Note, 2000)
		if err := invalid(errs, ""); err != nil {
			return err
		}
		if err := ApplyMark(ctx, tx, a, appt, f); err != nil {
			return err
		}
		summary := f.Mark.Done() + " appointment with " + appt.WithName + " on " + appt.When(a.At.Location())
		if f.Note != "" {
			summary += " — " + f.Note
		}
		if err := patients.AddEvent(ctx, tx, a.TenantID, patientID, a.UserID, "appointment", summary); err != nil {
			return err
		}
		return a.Audit(ctx, tx, audit.Event{Action: "appointment." + string(f.Mark), EntityType: "appointment", EntityID: id,
			PatientID: patientID})
	})
	return appt, err
}

// ApplyMark records f on a scheduled appointment at a.At, if nobody
// changed it since f.Version (db.ErrConflict otherwise). Whether it was
// kept or missed can only be recorded once it has begun (ErrNotBegun);
// the note is kept with a missed or cancelled one, and a missed one raises
// its follow-up task.
func ApplyMark(ctx context.Context, q db.DBTX, a tenants.Actor, appt Appointment, f MarkForm) error {
	if appt.Status != Scheduled {
		return db.ErrConflict
	}
	set, keepNote := "", &f.Note
	switch f.Mark {
	case MarkReminded:
		set, keepNote = "reminded_at = $6", nil
	case MarkTransport:
		set, keepNote = "transport_arranged = true", nil
	case MarkInterpreter:
		set, keepNote = "interpreter_arranged = true", nil
	case MarkKept, MarkMissed:
		if a.At.Before(appt.StartsAt) {
			return ErrNotBegun
		}
		set = "status = '" + string(f.Mark) + "'"
	case MarkCancelled:
		set = "status = 'cancelled'"
	default:
		return fail.Invalid(Errors{"mark": "Choose what to record about the appointment."}, "")
	}
	tag, err := q.Exec(ctx, `update appointments set `+set+`, note = coalesce($5, note), updated_at = $6, version = version + 1
		where tenant_id = $1 and patient_id = $2 and id = $3 and version = $4`,
		a.TenantID, appt.PatientID, appt.ID, f.Version, keepNote, a.At)
	err = versioned(ctx, q, err, tag.RowsAffected(), db.ErrConflict, `select 1 from appointments where tenant_id = $1 and id = $2`, a.TenantID, appt.ID)
	if err != nil || f.Mark != MarkMissed {
		return err
	}
	return missedTask(ctx, q, a, appt)
}

// Calendar writes the patient's upcoming appointments as an iCalendar
// file, and records that it was downloaded. The events leave out the
// patient's name: calendars sync to services outside the organisation's
// care.
func (s *Service) Calendar(ctx context.Context, a tenants.Actor, patientID string) ([]byte, error) {
	var list []Appointment
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		if _, err := patients.Get(ctx, tx, a.TenantID, patientID); err != nil {
			return err
		}
		if list, err = UpcomingOf(ctx, tx, a.TenantID, patientID, a.At); err != nil {
			return err
		}
		return a.Audit(ctx, tx, audit.Event{Action: "appointment.calendar_downloaded", EntityType: "patient", EntityID: patientID,
			PatientID: patientID})
	})
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	err = WriteCalendar(&b, "Appointments", calendarEvents(list), a.At)
	return b.Bytes(), err
}

// CoordinatorAppointment is a scheduled appointment of one of a
// coordinator's patients, for the worklist.
type CoordinatorAppointment struct {
	Appointment
	PatientName string
}

// ScheduledForCoordinator lists the scheduled appointments of the
// coordinator's patients that start before until, soonest first: those
// already begun are waiting to be recorded as kept or missed.
func ScheduledForCoordinator(ctx context.Context, q db.DBTX, tenantID, coordinatorID string, until time.Time) ([]CoordinatorAppointment, error) {
	return ScheduledForCoordinatorQuery(tenantID, coordinatorID, until).All(ctx, q)
}

// ScheduledForCoordinatorQuery is ScheduledForCoordinator's statement, for a batch.
func ScheduledForCoordinatorQuery(tenantID, coordinatorID string, until time.Time) db.Query[CoordinatorAppointment] {
	return db.Query[CoordinatorAppointment]{SQL: `select ` + appointmentColumns + `, p.given_name, p.family_name, p.preferred_name
		  from appointments a
		  join patients p on p.tenant_id = a.tenant_id and p.id = a.patient_id
		 where a.tenant_id = $1 and a.status = 'scheduled' and a.starts_at < $3 and p.assigned_coordinator_id = $2
		 order by a.starts_at, a.id`, Args: []any{tenantID, coordinatorID, until}, Scan: func(row pgx.CollectableRow) (CoordinatorAppointment, error) {
		var c CoordinatorAppointment
		var p patients.Patient
		a := &c.Appointment
		err := row.Scan(&a.ID, &a.PatientID, &a.ReferralID, &a.MemberID, &a.ResourceID, &a.WithName, &a.StartsAt, &a.Minutes,
			&a.Location, &a.Purpose, &a.TransportNeeded, &a.TransportArranged, &a.InterpreterNeeded, &a.InterpreterArranged,
			&a.RemindedAt, &a.Status, &a.Note, &a.Version, &p.GivenName, &p.FamilyName, &p.PreferredName)
		c.PatientName = p.DisplayName()
		return c, err
	}}
}
