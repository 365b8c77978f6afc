package demo

import (
	"context"
	"fmt"
	"time"

	"carecoord/internal/assessments"
	"carecoord/internal/auth"
	"carecoord/internal/referrals"
	"carecoord/internal/tenants"

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

// demoActor is the demo person userID acting in the tenant at at.
func demoActor(t seededTenant, userID string, at time.Time) tenants.Actor {
	return tenants.Actor{TenantID: t.ID, UserID: userID, Role: auth.Coordinator, Settings: tenants.DefaultSettings(), At: at}
}

// demoConsent is the consent the demo referrals were sent on: the demo
// tells their history, and not every demo patient's consent is on the chart.
const demoConsent = "Consent to share information on file"

// resourceFor is the first resource of the directory that serves the
// domain, one that speaks the language if there is one.
func resourceFor(ctx context.Context, tx pgx.Tx, t seededTenant, domain assessments.Need, language string) (referrals.Resource, error) {
	for _, f := range []referrals.Filter{{Domain: &domain, Language: &language}, {Domain: &domain}} {
		found, _, err := referrals.Search(ctx, tx, t.ID, f)
		if err != nil {
			return referrals.Resource{}, err
		}
		if len(found) > 0 {
			return found[0], nil
		}
	}
	return referrals.Resource{}, fmt.Errorf("no resource for %s", domain)
}

// demoReferTo writes one referral of the need to a resource that serves
// its domain and takes it, step by step at their moments, to the given
// state.
func demoReferTo(ctx context.Context, tx pgx.Tx, t seededTenant, n planNeed, d demoReferral, now time.Time) error {
	res, err := resourceFor(ctx, tx, t, assessments.Need(n.domain), n.language)
	if err != nil {
		return err
	}
	sent := now.AddDate(0, 0, -d.daysAgo)
	who := demoActor(t, n.coordinator, sent.Add(-2*time.Hour))
	r, err := referrals.WriteDraft(ctx, tx, who, n.patientID, referrals.DraftForm{NeedID: n.needID, GoalID: n.goalID, ResourceID: res.ID,
		Reason: "Please contact the patient about your services; they agreed to this referral and prefer a phone call."})
	if err != nil || d.status == referrals.Draft {
		return err
	}
	who.At = sent
	r, err = referrals.MarkSent(ctx, tx, who, r, referrals.Sending{Fields: referrals.DefaultShared, PartyAgreed: true, Version: r.Version},
		referrals.Sharing{Allowed: true, Basis: demoConsent})
	if err != nil {
		return err
	}
	path := map[referrals.Status][]referrals.Status{
		referrals.Accepted: {referrals.Accepted}, referrals.InProgress: {referrals.Accepted, referrals.InProgress},
		referrals.Completed: {referrals.Accepted, referrals.Completed}, referrals.Declined: {referrals.Declined},
		referrals.NoResponse: {referrals.NoResponse}, referrals.Cancelled: {referrals.Cancelled},
	}[d.status]
	for i, st := range path {
		who.At = sent.AddDate(0, 0, (i+1)*d.daysAgo/(len(path)+1))
		step := referrals.Step{To: st, Version: r.Version}
		if i == len(path)-1 {
			step.Outcome, step.Note = d.outcome, d.note
		}
		if r, err = referrals.Move(ctx, tx, who, r, step); err != nil {
			return err
		}
	}
	return nil
}

// loadClinical gives each demo coordinator a clinical referral whose
// authorisation ends within the warning period and another whose
// authorisation was denied, with appointments around them.
func loadClinical(ctx context.Context, tx pgx.Tx, t seededTenant, now time.Time) error {
	for _, local := range []string{"coord1", "coord2"} {
		rows, _ := tx.Query(ctx, `
			select distinct on (p.family_name, p.id) p.id as patient_id, m.id as member_id, c.id as coverage_id, n.id as need_id
			  from patients p
			  join care_team_members m on m.tenant_id = p.tenant_id and m.patient_id = p.id and m.kind in ('specialist', 'behavioral_health')
			  join coverages c on c.tenant_id = p.tenant_id and c.patient_id = p.id and c.is_primary
			  join needs n on n.tenant_id = p.tenant_id and n.patient_id = p.id and n.status in ('identified', 'addressing')
			 where p.tenant_id = $1 and p.assigned_coordinator_id = $2
			 order by p.family_name, p.id, m.name
			 limit 2`, t.ID, t.users[local])
		list, err := pgx.CollectRows(rows, pgx.RowToStructByName[clinical])
		if err != nil {
			return err
		}
		for i, c := range list {
			if err := demoClinical(ctx, tx, t, t.users[local], c, i, now); err != nil {
				return err
			}
		}
	}
	return nil
}

// clinical is a patient of a coordinator's with a provider on their care
// team, a primary coverage and an open need.
type clinical struct {
	PatientID, MemberID, CoverageID, NeedID string
}

// demoClinical refers the patient to the provider, with the payer's prior
// authorisation: sent twenty days or more ago and accepted; the first
// coordinator's patient has an approval that ends within the warning
// period and appointments around it, the second a denial.
func demoClinical(ctx context.Context, tx pgx.Tx, t seededTenant, userID string, c clinical, i int, now time.Time) error {
	sent := now.AddDate(0, 0, -20-i*5)
	who := demoActor(t, userID, sent.AddDate(0, 0, -2))
	r, err := referrals.WriteDraft(ctx, tx, who, c.PatientID, referrals.DraftForm{NeedID: c.NeedID, MemberID: c.MemberID,
		CoverageID: c.CoverageID, PriorAuth: true, Reason: "Please see the patient for assessment and a treatment plan."})
	if err != nil {
		return err
	}
	who.At = sent
	r, err = referrals.MarkSent(ctx, tx, who, r, referrals.Sending{Fields: []string{"contact", "date_of_birth", "insurance", "need"}, Version: r.Version},
		referrals.Sharing{Allowed: true, Basis: demoConsent + "; sharing with " + r.ToName + " agreed on the care team"})
	if err != nil {
		return err
	}
	who.At = sent.AddDate(0, 0, 2)
	if r, err = referrals.Move(ctx, tx, who, r, referrals.Step{To: referrals.Accepted, Version: r.Version}); err != nil {
		return err
	}
	units, from, to := 6, now.AddDate(0, -3, 0), now.AddDate(0, 0, 10)
	auth := referrals.Authorization{Status: referrals.AuthApproved, Number: fmt.Sprintf("PA-%d%04d", 7+i, 3150+len(r.ToName)),
		Unit: "visits", Units: &units, ValidFrom: &from, ValidTo: &to}
	if i == 1 {
		auth = referrals.Authorization{Status: referrals.AuthDenied, Unit: "visits", Notes: "Payer asks for six weeks of physical therapy first."}
	}
	who.At = now
	if _, err := referrals.RecordAuthorization(ctx, tx, who, r, 0, auth); err != nil || i == 1 {
		return err
	}
	return demoAppointments(ctx, tx, who, r)
}

// demoAppointments schedules, around a clinical referral: a visit
// tomorrow that needs transport, one in the past waiting to be recorded,
// and a missed one with its follow-up task.
func demoAppointments(ctx context.Context, tx pgx.Tx, who tenants.Actor, r referrals.Referral) error {
	day := time.Date(who.At.Year(), who.At.Month(), who.At.Day(), 0, 0, 0, 0, who.At.Location())
	list := []referrals.Appointment{
		{StartsAt: day.AddDate(0, 0, 1).Add(10*time.Hour + 30*time.Minute), Minutes: 45, Purpose: "Follow-up visit", TransportNeeded: true},
		{StartsAt: day.AddDate(0, 0, -1).Add(14 * time.Hour), Minutes: 30, Purpose: "Test results"},
		{StartsAt: day.AddDate(0, 0, -8).Add(9 * time.Hour), Minutes: 60, Purpose: "First visit"},
	}
	for i, a := range list {
		a.ReferralID, a.MemberID, a.WithName, a.Location = r.ID, r.MemberID, r.ToName, "Suite 210"
		id, err := referrals.InsertAppointment(ctx, tx, who, r.PatientID, a)
		if err != nil {
			return err
		}
		if i < len(list)-1 {
			continue
		}
		if a, err = referrals.GetAppointment(ctx, tx, who.TenantID, r.PatientID, id); err != nil {
			return err
		}
		return referrals.ApplyMark(ctx, tx, who, a, referrals.MarkForm{Mark: referrals.MarkMissed, Note: "Patient had no ride.", Version: a.Version})
	}
	return nil
}
