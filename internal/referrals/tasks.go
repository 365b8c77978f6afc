package referrals

import (
	"context"
	"time"

	"carecoord/internal/calendar"
	"carecoord/internal/db"
	"carecoord/internal/tasks"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// Tasks that close the loop. Two are raised by the change that causes them,
// in its transaction: a denied authorisation (see RecordAuthorization) and
// a missed appointment (see ApplyMark). Two are raised by time alone: a
// sent referral nobody answered by its follow-up day, and an approved
// authorisation within the warning period of its end. The scheduler raises
// those (RaiseDue, a job of internal/schedule). It is idempotent and safe
// to run concurrently (see docs/architecture.md, "Referrals").

// titleName shortens a name for a task title (titles hold 200 characters).
func titleName(s string) string {
	r := []rune(s)
	if len(r) > 80 {
		return string(r[:79]) + "…"
	}
	return s
}

// raise opens a task about the patient for their coordinator, or for
// fallback when they have none.
func raise(ctx context.Context, q db.DBTX, tenantID, patientID, fallback, title string, due time.Time, source tasks.Source, sourceID string) (bool, error) {
	_, created, err := tasks.Create(ctx, q, tenantID, tasks.NewTask{PatientID: patientID, Title: title, DueAt: due,
		AssigneeID: fallback, ToCoordinator: true, Source: source, SourceID: sourceID})
	return created, err
}

// RaiseDue raises the tasks that time has made due on day (a date) for the
// tenant: follow-ups of referrals unanswered by their follow-up day, and
// warnings of authorisations ending within warnDays. Tasks are due by the
// end of their day on loc's clock. It returns how many it raised.
func RaiseDue(ctx context.Context, q db.DBTX, tenantID string, day time.Time, loc *time.Location, warnDays int) (int, error) {
	n := 0
	rows, _ := q.Query(ctx, `
		select r.id, r.patient_id, coalesce(r.created_by::text, ''), r.to_name, r.sent_at, r.follow_up_due
		  from referrals r
		 where r.tenant_id = $1 and r.status = 'sent' and r.follow_up_due <= $2
		   and not exists (select 1 from tasks t where t.tenant_id = r.tenant_id and t.source = 'referral' and t.source_referral_id = r.id)`,
		tenantID, day)
	type unanswered struct {
		id, patientID, createdBy, toName string
		sentAt, followUp                 time.Time
	}
	var due []unanswered
	var u unanswered
	if _, err := pgx.ForEachRow(rows, []any{&u.id, &u.patientID, &u.createdBy, &u.toName, &u.sentAt, &u.followUp}, func() error {
		due = append(due, u)
		return nil
	}); err != nil {
		return 0, err
	}
	for _, u := range due {
		title := "No answer from " + titleName(u.toName) + " to the referral sent " + u.sentAt.In(loc).Format(calendar.ShortDay) + ": follow up"
		ok, err := raise(ctx, q, tenantID, u.patientID, u.createdBy, title, endOf(u.followUp, loc), tasks.FromReferral, u.id)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	m, err := raiseExpiring(ctx, q, tenantID, day, loc, warnDays)
	return n + m, err
}

// raiseExpiring marks each approved authorisation of an open referral that
// ends within warnDays with its end date, and raises one task for it.
// Rows another transaction holds are skipped: that one raises their tasks.
func raiseExpiring(ctx context.Context, q db.DBTX, tenantID string, day time.Time, loc *time.Location, warnDays int) (int, error) {
	rows, _ := q.Query(ctx, `
		select a.id, a.valid_to, r.patient_id, coalesce(r.created_by::text, ''), r.to_name
		  from authorizations a
		  join referrals r on r.tenant_id = a.tenant_id and r.id = a.referral_id
		 where a.tenant_id = $1 and a.status = 'approved' and a.valid_to <= $2
		   and a.expiry_task_for is distinct from a.valid_to
		   and r.status in ('draft', 'sent', 'accepted', 'in_progress')
		 for update of a skip locked`, tenantID, day.AddDate(0, 0, warnDays))
	type expiring struct {
		id, patientID, createdBy, toName string
		validTo                          time.Time
	}
	var list []expiring
	var e expiring
	if _, err := pgx.ForEachRow(rows, []any{&e.id, &e.validTo, &e.patientID, &e.createdBy, &e.toName}, func() error {
		list = append(list, e)
		return nil
	}); err != nil {
		return 0, err
	}
	for _, e := range list {
		if _, err := q.Exec(ctx, `update authorizations set expiry_task_for = valid_to where tenant_id = $1 and id = $2`,
			tenantID, e.id); err != nil {
			return 0, err
		}
		verb := "ends"
		if e.validTo.Before(day) {
			verb = "ended"
		}
		title := "Authorisation for " + titleName(e.toName) + " " + verb + " " + e.validTo.Format(calendar.ShortDay) + ": renew it or plan the last visits"
		// Due when the warning period began, or today for one found late.
		due := e.validTo.AddDate(0, 0, -warnDays)
		if due.Before(day) {
			due = day
		}
		if _, err := raise(ctx, q, tenantID, e.patientID, e.createdBy, title, endOf(due, loc), tasks.FromAuthorization, e.id); err != nil {
			return 0, err
		}
	}
	return len(list), nil
}

// deniedTask raises the task of an authorisation the payer denied, in the
// transaction that records the denial: appeal, or find another way.
func deniedTask(ctx context.Context, q db.DBTX, a tenants.Actor, r Referral, authorizationID string) error {
	title := "Authorisation for " + titleName(r.ToName) + " denied: appeal or find another way"
	_, err := raise(ctx, q, a.TenantID, r.PatientID, a.UserID, title, endOf(a.Today(), a.At.Location()), tasks.FromAuthorization, authorizationID)
	return err
}

// missedTask raises the follow-up of a missed appointment, once, in the
// transaction that records it.
func missedTask(ctx context.Context, q db.DBTX, a tenants.Actor, appt Appointment) error {
	title := "Missed appointment with " + titleName(appt.WithName) + " on " + appt.StartsAt.In(a.At.Location()).Format(calendar.ShortDay) + ": find out why and rebook"
	_, err := raise(ctx, q, a.TenantID, appt.PatientID, a.UserID, title, endOf(a.Today(), a.At.Location()), tasks.FromAppointment, appt.ID)
	return err
}

// endOf is the end of a date's day on loc's clock (the tenant's): the due
// time of a task due that day.
func endOf(d time.Time, loc *time.Location) time.Time {
	return calendar.EndOfDate(d, loc)
}
