package demo

import (
	"context"
	"fmt"
	"time"

	"carecoord/internal/referrals"

	"github.com/jackc/pgx/v5"
)

// Demo referrals: the needs on the demo care plans are referred to the
// directory's resources in every state of the lifecycle, placed relative to
// today so that follow-ups fall due; one clinical referral per coordinator
// has an authorisation about to end and another a denied one; appointments
// are coming up (with transport and an interpreter to arrange), waiting to
// be recorded, and missed.

// demoReferral is one state a demo referral is left in, and how long ago
// it was sent.
type demoReferral struct {
	status  referrals.Status
	outcome referrals.Outcome
	daysAgo int
	note    string
}

var demoReferralStates = []demoReferral{
	{referrals.Sent, "", 2, ""},
	{referrals.Sent, "", 11, ""}, // past its follow-up day: the first look raises the task
	{referrals.Accepted, "", 6, "They will call the patient this week."},
	{referrals.InProgress, "", 15, "First visit done; second visit booked."},
	{referrals.Completed, referrals.Met, 35, "Patient now goes every week."},
	{referrals.Completed, referrals.PartlyMet, 42, "Helped with one month; waiting list for the rest."},
	{referrals.Declined, "", 21, "Outside their service area."},
	{referrals.NoResponse, "", 28, "Three calls and an email without an answer."},
	{referrals.Cancelled, "", 13, "The patient found help through her church."},
	{referrals.Draft, "", 0, ""},
}

// demoStep is one step of a demo referral.
type demoStep struct {
	status referrals.Status
	at     time.Time
	note   string
}

// planNeed is a need on a demo care plan with its first goal.
type planNeed struct {
	patientID, needID, goalID, domain, language, coordinator string
}

// loadReferrals refers the tenant's planned needs. The tenant must be bound
// to the transaction.
func loadReferrals(ctx context.Context, tx pgx.Tx, t seededTenant, now time.Time) error {
	rows, _ := tx.Query(ctx, `
		select distinct on (p.family_name, p.given_name, p.id) p.id, n.id, coalesce(g.id::text, ''), n.domain, p.preferred_language,
		       coalesce(p.assigned_coordinator_id::text, '')
		  from care_plan_needs pn
		  join needs n on n.tenant_id = pn.tenant_id and n.id = pn.need_id
		  join patients p on p.tenant_id = n.tenant_id and p.id = n.patient_id
		  left join goals g on g.tenant_id = pn.tenant_id and g.plan_need_id = pn.id
		 where pn.tenant_id = $1 and n.status in ('identified', 'addressing') and p.assigned_coordinator_id is not null
		 order by p.family_name, p.given_name, p.id, pn.position, g.position`, t.ID)
	var list []planNeed
	var pn planNeed
	if _, err := pgx.ForEachRow(rows, []any{&pn.patientID, &pn.needID, &pn.goalID, &pn.domain, &pn.language, &pn.coordinator}, func() error {
		list = append(list, pn)
		return nil
	}); err != nil {
		return err
	}
	for i, n := range list {
		if i == len(demoReferralStates) {
			break
		}
		if err := demoReferTo(ctx, tx, t, n, demoReferralStates[i], now); err != nil {
			return err
		}
	}
	return loadClinical(ctx, tx, t, now)
}

// demoReferTo writes one referral of the need to a resource that serves
// its domain, in the given state, with the steps that led there.
func demoReferTo(ctx context.Context, tx pgx.Tx, t seededTenant, n planNeed, d demoReferral, now time.Time) error {
	var resID, resName string
	err := tx.QueryRow(ctx, `
		select id, name from resources
		 where tenant_id = $1 and $2 = any(domains)
		 order by exists (select 1 from unnest(languages) l where lower(l) = lower($3)) desc, name
		 limit 1`, t.ID, n.domain, n.language).Scan(&resID, &resName)
	if err != nil {
		return fmt.Errorf("a resource for %s: %w", n.domain, err)
	}
	sent := now.AddDate(0, 0, -d.daysAgo)
	created := sent.Add(-2 * time.Hour)
	var id string
	err = tx.QueryRow(ctx, `
		insert into referrals (tenant_id, patient_id, need_id, goal_id, resource_id, to_name, reason, created_by, created_at, updated_at)
		values ($1, $2, $3, nullif($4, '')::uuid, $5, $6, $7, $8, $9, $9) returning id`,
		t.ID, n.patientID, n.needID, n.goalID, resID, resName,
		"Please contact the patient about your services; they agreed to this referral and prefer a phone call.",
		n.coordinator, created).Scan(&id)
	if err != nil {
		return err
	}
	steps := []demoStep{{referrals.Draft, created, ""}}
	if d.status != referrals.Draft {
		steps = append(steps, demoStep{referrals.Sent, sent, "Consent to share information on file; the patient agreed to this referral"})
		_, err := tx.Exec(ctx, `
			update referrals set status = 'sent', sent_at = $3, follow_up_due = $4, shared_fields = '{contact,language,need}',
				consent_basis = 'Consent to share information on file; the patient agreed to this referral to ' || to_name,
				consent_checked_by = created_by, consent_checked_at = $3
			 where tenant_id = $1 and id = $2`, t.ID, id, sent, referrals.FollowUpDay(sent, 5))
		if err != nil {
			return err
		}
	}
	path := map[referrals.Status][]referrals.Status{
		referrals.Accepted: {referrals.Accepted}, referrals.InProgress: {referrals.Accepted, referrals.InProgress},
		referrals.Completed: {referrals.Accepted, referrals.Completed}, referrals.Declined: {referrals.Declined},
		referrals.NoResponse: {referrals.NoResponse}, referrals.Cancelled: {referrals.Cancelled},
	}[d.status]
	for i, st := range path {
		at := sent.AddDate(0, 0, (i+1)*d.daysAgo/(len(path)+1))
		note := ""
		if i == len(path)-1 {
			note = d.note
		}
		steps = append(steps, demoStep{st, at, note})
	}
	if len(path) > 0 {
		last := steps[len(steps)-1]
		var outcome *referrals.Outcome
		if d.outcome != "" {
			outcome = &d.outcome
		}
		closed := &last.at
		if last.status.Open() {
			closed = nil
		}
		if _, err := tx.Exec(ctx, `
			update referrals set status = $3, outcome = $4, outcome_note = case when $4::text is null then '' else $5 end,
				closed_at = $6, updated_at = $7
			 where tenant_id = $1 and id = $2`, t.ID, id, last.status, outcome, last.note, closed, last.at); err != nil {
			return err
		}
	}
	for _, s := range steps {
		if _, err := tx.Exec(ctx, `
			insert into referral_events (tenant_id, referral_id, status, note, actor_id, at) values ($1, $2, $3, $4, $5, $6)`,
			t.ID, id, s.status, s.note, n.coordinator, s.at); err != nil {
			return err
		}
	}
	if d.status != referrals.Draft {
		_, err = tx.Exec(ctx, `update needs set status = 'addressing' where tenant_id = $1 and id = $2 and status = 'identified'`, t.ID, n.needID)
	}
	return err
}

// loadClinical gives each demo coordinator a clinical referral whose
// authorisation ends within the warning period and another whose
// authorisation was denied, with appointments around them.
func loadClinical(ctx context.Context, tx pgx.Tx, t seededTenant, now time.Time) error {
	for _, local := range []string{"coord1", "coord2"} {
		rows, _ := tx.Query(ctx, `
			select distinct on (p.family_name, p.id) p.id, m.id, m.name || case when m.organisation <> '' then ' (' || m.organisation || ')' else '' end,
			       c.id, c.payer, n.id
			  from patients p
			  join care_team_members m on m.tenant_id = p.tenant_id and m.patient_id = p.id and m.kind in ('specialist', 'behavioral_health')
			  join coverages c on c.tenant_id = p.tenant_id and c.patient_id = p.id and c.is_primary
			  join needs n on n.tenant_id = p.tenant_id and n.patient_id = p.id and n.status in ('identified', 'addressing')
			 where p.tenant_id = $1 and p.assigned_coordinator_id = $2
			 order by p.family_name, p.id, m.name
			 limit 2`, t.ID, t.users[local])
		type clinical struct{ patient, member, name, coverage, payer, need string }
		var list []clinical
		var c clinical
		if _, err := pgx.ForEachRow(rows, []any{&c.patient, &c.member, &c.name, &c.coverage, &c.payer, &c.need}, func() error {
			list = append(list, c)
			return nil
		}); err != nil {
			return err
		}
		for i, c := range list {
			sent := now.AddDate(0, 0, -20-i*5)
			var id string
			err := tx.QueryRow(ctx, `
				insert into referrals (tenant_id, patient_id, need_id, care_team_member_id, to_name, reason, status, coverage_id,
					payer, prior_auth_required, sent_at, follow_up_due, shared_fields, consent_basis, consent_checked_by,
					consent_checked_at, created_by, created_at)
				values ($1, $2, $3, $4, $5, 'Please see the patient for assessment and a treatment plan.', 'accepted', $6, $7, true,
					$8, $9, '{contact,date_of_birth,insurance,need}', 'Consent to share information on file; sharing with ' || $5 || ' agreed on the care team',
					$10, $8, $10, $8)
				returning id`, t.ID, c.patient, c.need, c.member, c.name, c.coverage, c.payer, sent,
				referrals.FollowUpDay(sent, 5), t.users[local]).Scan(&id)
			if err != nil {
				return err
			}
			for k, st := range []referrals.Status{referrals.Draft, referrals.Sent, referrals.Accepted} {
				if _, err := tx.Exec(ctx, `insert into referral_events (tenant_id, referral_id, status, actor_id, at) values ($1, $2, $3, $4, $5)`,
					t.ID, id, st, t.users[local], sent.AddDate(0, 0, 2*k-2)); err != nil {
					return err
				}
			}
			auth := referrals.Authorization{Status: referrals.AuthApproved, Number: fmt.Sprintf("PA-%d%04d", 7+i, 3150+len(c.name)), Unit: "visits"}
			units := 6
			auth.Units = &units
			from, to := now.AddDate(0, -3, 0), now.AddDate(0, 0, 10)
			auth.ValidFrom, auth.ValidTo = &from, &to
			if i == 1 {
				auth = referrals.Authorization{Status: referrals.AuthDenied, Unit: "visits", Notes: "Payer asks for six weeks of physical therapy first."}
			}
			ref := referrals.Referral{ID: id, PatientID: c.patient, ToName: c.name}
			authID, _, err := referrals.SaveAuthorization(ctx, tx, t.ID, id, t.users[local], 0, auth)
			if err != nil {
				return err
			}
			if auth.Status == referrals.AuthDenied {
				if err := referrals.DeniedTask(ctx, tx, t.ID, t.users[local], ref, authID, now); err != nil {
					return err
				}
				continue
			}
			if err := demoAppointments(ctx, tx, t, local, c.patient, id, c.member, c.name, now); err != nil {
				return err
			}
		}
	}
	return nil
}

// demoAppointments schedules, around a clinical referral: a visit
// tomorrow that needs transport, one in the past waiting to be recorded,
// and a missed one with its follow-up task.
func demoAppointments(ctx context.Context, tx pgx.Tx, t seededTenant, local, patientID, referralID, memberID, name string, now time.Time) error {
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.Local)
	list := []referrals.Appointment{
		{ReferralID: referralID, MemberID: memberID, WithName: name, StartsAt: day.AddDate(0, 0, 1).Add(10*time.Hour + 30*time.Minute),
			Minutes: 45, Location: "Suite 210", Purpose: "Follow-up visit", TransportNeeded: true},
		{ReferralID: referralID, MemberID: memberID, WithName: name, StartsAt: day.AddDate(0, 0, -1).Add(14 * time.Hour),
			Minutes: 30, Location: "Suite 210", Purpose: "Test results"},
		{ReferralID: referralID, MemberID: memberID, WithName: name, StartsAt: day.AddDate(0, 0, -8).Add(9 * time.Hour),
			Minutes: 60, Location: "Suite 210", Purpose: "First visit"},
	}
	for i, a := range list {
		id, err := referrals.CreateAppointment(ctx, tx, t.ID, patientID, t.users[local], a)
		if err != nil {
			return err
		}
		if i == 2 {
			a.ID, a.PatientID, a.Status, a.Version = id, patientID, referrals.Scheduled, 1
			if err := referrals.MarkAppointment(ctx, tx, t.ID, a, 1, referrals.MarkMissed, "Patient had no ride.", now); err != nil {
				return err
			}
			if err := referrals.MissedTask(ctx, tx, t.ID, t.users[local], a, day); err != nil {
				return err
			}
		}
	}
	return nil
}
