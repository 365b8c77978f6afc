package referrals

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"carecoord/internal/db"
	"carecoord/internal/patients"

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

// Label is the status in plain words.
func (s ApptStatus) Label() string {
	switch s {
	case Scheduled:
		return "Scheduled"
	case Kept:
		return "Kept"
	case Missed:
		return "Missed"
	case ApptCancelled:
		return "Cancelled"
	}
	return string(s)
}

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

// WithChoices are the people and places an appointment may be with.
type WithChoices struct {
	Members   map[string]patients.Member
	Resources map[string]Resource
	Referrals map[string]Referral
}

// Validate checks the form; times are read on loc's clock and may not lie
// in the past of now.
func (f AppointmentForm) Validate(c WithChoices, loc *time.Location, now time.Time, errs Errors) Appointment {
	a := Appointment{Location: f.Location, Purpose: f.Purpose, TransportNeeded: f.Transport,
		InterpreterNeeded: f.Interpreter, Status: Scheduled, Minutes: 60}
	kind, id, _ := strings.Cut(f.With, ":")
	switch kind {
	case "member":
		if m, ok := c.Members[id]; ok {
			a.MemberID, a.WithName = id, m.Name
			if m.Organisation != "" {
				a.WithName += " (" + m.Organisation + ")"
			}
		} else {
			errs.Add("with", "Choose who the appointment is with.")
		}
	case "resource":
		if r, ok := c.Resources[id]; ok {
			a.ResourceID, a.WithName = id, r.Name
			if a.Location == "" {
				a.Location = r.Address()
			}
		} else {
			errs.Add("with", "Choose who the appointment is with.")
		}
	case "other":
		errs.Required("with_name", f.WithName, "Say who the appointment is with.")
		errs.MaxLen("with_name", f.WithName, 200)
		a.WithName = f.WithName
	default:
		errs.Add("with", "Choose who the appointment is with.")
	}
	if f.ReferralID != "" {
		if _, ok := c.Referrals[f.ReferralID]; !ok {
			errs.Add("referral_id", "Choose one of the patient's referrals, or none.")
		}
		a.ReferralID = f.ReferralID
	}
	d := errs.Date("date", f.Date, true)
	clock, err := time.Parse("15:04", f.Time)
	if f.Time == "" || err != nil {
		errs.Add("time", "Enter the time, like 14:30.")
	}
	if d != nil && err == nil {
		a.StartsAt = time.Date(d.Year(), d.Month(), d.Day(), clock.Hour(), clock.Minute(), 0, 0, loc)
		if a.StartsAt.Before(now.Add(-time.Hour)) {
			errs.Add("date", "The appointment can't be in the past.")
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

// CreateAppointment stores a validated appointment.
func CreateAppointment(ctx context.Context, q db.DBTX, tenantID, patientID, actorID string, a Appointment) (string, error) {
	var id string
	err := q.QueryRow(ctx, `
		insert into appointments (tenant_id, patient_id, referral_id, care_team_member_id, resource_id, with_name, starts_at,
			minutes, location, purpose, transport_needed, interpreter_needed, created_by)
		values ($1, $2, nullif($3, '')::uuid, nullif($4, '')::uuid, nullif($5, '')::uuid, $6, $7, $8, $9, $10, $11, $12, $13)
		returning id`,
		tenantID, patientID, a.ReferralID, a.MemberID, a.ResourceID, a.WithName, a.StartsAt, a.Minutes, a.Location,
		a.Purpose, a.TransportNeeded, a.InterpreterNeeded, actorID).Scan(&id)
	return id, err
}

const appointmentColumns = `a.id, a.patient_id, coalesce(a.referral_id::text, ''), coalesce(a.care_team_member_id::text, ''),
	coalesce(a.resource_id::text, ''), a.with_name, a.starts_at, a.minutes, a.location, a.purpose, a.transport_needed,
	a.transport_arranged, a.interpreter_needed, a.interpreter_arranged, a.reminded_at, a.status, a.note, a.version`

// GetAppointment loads one of the patient's appointments.
func GetAppointment(ctx context.Context, q db.DBTX, tenantID, patientID, id string) (Appointment, error) {
	rows, _ := q.Query(ctx, `select `+appointmentColumns+` from appointments a
		where a.tenant_id = $1 and a.patient_id = $2 and a.id = $3`, tenantID, patientID, id)
	a, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByPos[Appointment])
	return a, db.NotFound(err)
}

// AppointmentsOf lists the patient's appointments: scheduled ones first,
// soonest first, then the others, latest first.
func AppointmentsOf(ctx context.Context, q db.DBTX, tenantID, patientID string) ([]Appointment, error) {
	rows, _ := q.Query(ctx, `select `+appointmentColumns+` from appointments a
		where a.tenant_id = $1 and a.patient_id = $2
		order by a.status <> 'scheduled', case when a.status = 'scheduled' then a.starts_at end,
		         a.starts_at desc, a.id`, tenantID, patientID)
	return pgx.CollectRows(rows, pgx.RowToStructByPos[Appointment])
}

// UpcomingOf lists the patient's scheduled appointments that end after
// from, soonest first.
func UpcomingOf(ctx context.Context, q db.DBTX, tenantID, patientID string, from time.Time) ([]Appointment, error) {
	rows, _ := q.Query(ctx, `select `+appointmentColumns+` from appointments a
		where a.tenant_id = $1 and a.patient_id = $2 and a.status = 'scheduled'
		  and a.starts_at + make_interval(mins => a.minutes) > $3
		order by a.starts_at, a.id`, tenantID, patientID, from)
	return pgx.CollectRows(rows, pgx.RowToStructByPos[Appointment])
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

// Done says what a mark recorded, for the timeline and the flash.
func (m Mark) Done() string {
	switch m {
	case MarkReminded:
		return "Patient reminded of"
	case MarkTransport:
		return "Transport arranged for"
	case MarkInterpreter:
		return "Interpreter arranged for"
	case MarkKept:
		return "Kept:"
	case MarkMissed:
		return "Missed:"
	case MarkCancelled:
		return "Cancelled:"
	}
	return string(m)
}

// MarkAppointment records m on a scheduled appointment if nobody changed
// it since version. Whether it was kept or missed can only be recorded once
// it has begun; note is kept with a missed or cancelled one.
func MarkAppointment(ctx context.Context, q db.DBTX, tenantID string, a Appointment, version int, m Mark, note string, now time.Time) error {
	if a.Status != Scheduled {
		return ErrWrongStatus
	}
	set, keepNote := "", &note
	switch m {
	case MarkReminded:
		set, keepNote = "reminded_at = now()", nil
	case MarkTransport:
		set, keepNote = "transport_arranged = true", nil
	case MarkInterpreter:
		set, keepNote = "interpreter_arranged = true", nil
	case MarkKept, MarkMissed:
		if now.Before(a.StartsAt) {
			return ErrWrongStatus
		}
		set = "status = '" + string(m) + "'"
	case MarkCancelled:
		set = "status = 'cancelled'"
	default:
		return ErrWrongStatus
	}
	tag, err := q.Exec(ctx, `update appointments set `+set+`, note = coalesce($5, note), updated_at = now(), version = version + 1
		where tenant_id = $1 and patient_id = $2 and id = $3 and version = $4`,
		tenantID, a.PatientID, a.ID, version, keepNote)
	return versioned(ctx, q, err, tag.RowsAffected(), `select 1 from appointments where tenant_id = $1 and id = $2`, tenantID, a.ID)
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
	rows, _ := q.Query(ctx, `select `+appointmentColumns+`, p.given_name, p.family_name, p.preferred_name
		  from appointments a
		  join patients p on p.tenant_id = a.tenant_id and p.id = a.patient_id
		 where a.tenant_id = $1 and a.status = 'scheduled' and a.starts_at < $3 and p.assigned_coordinator_id = $2
		 order by a.starts_at, a.id`, tenantID, coordinatorID, until)
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (CoordinatorAppointment, error) {
		var c CoordinatorAppointment
		var p patients.Patient
		a := &c.Appointment
		err := row.Scan(&a.ID, &a.PatientID, &a.ReferralID, &a.MemberID, &a.ResourceID, &a.WithName, &a.StartsAt, &a.Minutes,
			&a.Location, &a.Purpose, &a.TransportNeeded, &a.TransportArranged, &a.InterpreterNeeded, &a.InterpreterArranged,
			&a.RemindedAt, &a.Status, &a.Note, &a.Version, &p.GivenName, &p.FamilyName, &p.PreferredName)
		c.PatientName = p.DisplayName()
		return c, err
	})
}
