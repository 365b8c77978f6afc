package caseload

import (
	"context"
	"sort"

	"carecoord/internal/auth"
	"carecoord/internal/db"
	"carecoord/internal/forms"

	"github.com/jackc/pgx/v5"
)

// Flag names one reason a patient needs attention. The dashboard counts
// them per coordinator and the patient list filters by them, from the same
// SQL, so a number and the list behind it always agree.
type Flag string

// Flags.
const (
	FlagOverdueTasks      Flag = "overdue_tasks"
	FlagPastCadence       Flag = "past_cadence"
	FlagHighRiskNoContact Flag = "high_risk_no_contact"
	FlagReassessOverdue   Flag = "reassessment_overdue"
	FlagAwaitingApproval  Flag = "awaiting_approval"
	FlagUnreachable       Flag = "unreachable"
	FlagDischargeNoFollow Flag = "discharge_no_follow_up"
	FlagOpenReferral      Flag = "open_referral"
)

// Flags lists the flags in the dashboard's column order, with how each
// is named in lists.
var Flags = forms.Choices[Flag]{
	{Value: FlagOverdueTasks, Label: "Overdue tasks"},
	{Value: FlagPastCadence, Label: "Past contact cadence"},
	{Value: FlagHighRiskNoContact, Label: "High risk, no contact in 7 days"},
	{Value: FlagReassessOverdue, Label: "Re-assessments overdue"},
	{Value: FlagAwaitingApproval, Label: "Plans awaiting approval"},
	{Value: FlagUnreachable, Label: "Unable to reach"},
	{Value: FlagDischargeNoFollow, Label: "Discharges without follow-up"},
	{Value: FlagOpenReferral, Label: "Open referrals"},
}

// flagShort heads each flag's dashboard column.
var flagShort = map[Flag]string{
	FlagOverdueTasks: "Overdue tasks", FlagPastCadence: "Past cadence", FlagHighRiskNoContact: "High risk, 7 days unreached",
	FlagReassessOverdue: "Re-assess overdue", FlagAwaitingApproval: "Plans to approve", FlagUnreachable: "Unable to reach",
	FlagDischargeNoFollow: "Discharge, no follow-up", FlagOpenReferral: "Open referrals",
}

// flagDefinitions say exactly what each flag counts.
var flagDefinitions = map[Flag]string{
	FlagOverdueTasks:      "Open tasks on the coordinator's patients whose due time has passed, whoever they are assigned to.",
	FlagPastCadence:       "Referred and active patients whose next contact was due before today: the tier's days after the last successful contact, or the first-contact deadline (business days after referral) for a patient never reached.",
	FlagHighRiskNoContact: "Active high-risk patients with no successful contact in the last 7 days.",
	FlagReassessOverdue:   "Referred and active patients with a moderate-or-worse PHQ-9 or GAD-7, or a social needs screen, older than the organisation's re-assessment interval.",
	FlagAwaitingApproval:  "Care plans (first versions and revisions) submitted and not yet approved or returned.",
	FlagUnreachable:       "Patients with three or more unsuccessful attempts in a row since the last successful contact.",
	FlagDischargeNoFollow: "Hospital discharges whose 7-day follow-up task is still open after its due time.",
	FlagOpenReferral:      "Patients with a referral not yet closed (draft, sent, accepted or in progress); the row also gives the age in days of the oldest, counted from when it was sent (or drafted).",
}

// Label names the flag in lists.
func (f Flag) Label() string { return Flags.Label(f) }

// Short heads the flag's dashboard column.
func (f Flag) Short() string { return flagShort[f] }

// Definition says exactly what the flag counts.
func (f Flag) Definition() string { return flagDefinitions[f] }

// Valid reports whether f is one of Flags.
func (f Flag) Valid() bool { return Flags.Has(f) }

// The flag conditions on a patient row p, with the Rules as parameters
// $2 onwards (see args). Both the dashboard and the patient list use them.
const (
	paramsSQL = `$2::timestamptz as now, $3::timestamptz as high_by, $4::timestamptz as moderate_by,
		$5::timestamptz as low_by, $6::date as referred_by, $7::timestamptz as high_since,
		$8::timestamptz as mood_by, $9::timestamptz as screen_by, $10::int as moderate`
	pastCadenceSQL = `(p.status in ('referred', 'active') and case
		when p.last_reached_at is null then coalesce(p.referral_date, p.created_at::date) < r.referred_by
		else p.last_reached_at < case p.risk_tier when 'high' then r.high_by when 'low' then r.low_by else r.moderate_by end end)`
	highRiskSQL    = `(p.status = 'active' and p.risk_tier = 'high' and (p.last_reached_at is null or p.last_reached_at < r.high_since))`
	unreachableSQL = `(p.unreached_attempts >= 3)`
	// reassessSQL: one of the patient's latest counted results with a
	// re-assessment rule is overdue for a repeat. patient_flags keeps the
	// completion times that decide it (migration 00021): the earliest of
	// the latest moderate-or-worse PHQ-9 and GAD-7, and the latest screen.
	reassessSQL = `(f.mood_at < $8 or f.screen_at < $9)`
)

// args are the query arguments for the conditions: the tenant, then the
// rules in the order of paramsSQL.
func (r Rules) args(tenantID string) []any {
	return []any{tenantID, r.Now, r.ReachedBy["high"], r.ReachedBy["moderate"], r.ReachedBy["low"],
		r.ReferredBy, r.HighRiskSince, r.MoodBy, r.ScreenBy, int(r.ModerateSeverity)}
}

// Row is one coordinator's line on the dashboard.
type Row struct {
	// CoordinatorID is "" for patients nobody is assigned to.
	CoordinatorID string
	Name          string
	Role          auth.Role
	// Active is false for a coordinator who can no longer work in the
	// organisation: their patients need reassigning.
	Active bool
	// Active patients by risk tier, and referred ones not yet active.
	High, Moderate, Low, Referred int
	Counts                        map[Flag]int
	// OldestReferralDays is the age of the oldest open referral of the
	// coordinator's patients, -1 when there is none.
	OldestReferralDays int
	// open counts every open patient, on hold ones included.
	open int
}

// Caseload is the number of active patients.
func (r Row) Caseload() int { return r.High + r.Moderate + r.Low }

// Dashboard returns one row per coordinator and supervisor of the tenant
// (and one for unassigned patients when there are any), by name, and the
// team's totals.
func Dashboard(ctx context.Context, q db.DBTX, tenantID string, r Rules) ([]Row, Row, error) {
	rows, err := teamRows(ctx, q, tenantID)
	if err != nil {
		return nil, Row{}, err
	}
	if err := countPatients(ctx, q, tenantID, r, rows); err != nil {
		return nil, Row{}, err
	}
	if err := countWork(ctx, q, tenantID, r, rows); err != nil {
		return nil, Row{}, err
	}
	out := make([]Row, 0, len(rows))
	total := Row{Name: "Team total", Active: true, Counts: map[Flag]int{}, OldestReferralDays: -1}
	for _, row := range rows {
		// Coordinators always have a row; former members, supervisors and
		// the unassigned only while they carry patients.
		if row.open == 0 && !(row.Active && row.Role == auth.Coordinator && row.CoordinatorID != "") {
			continue
		}
		out = append(out, *row)
		total.High, total.Moderate, total.Low, total.Referred = total.High+row.High, total.Moderate+row.Moderate, total.Low+row.Low, total.Referred+row.Referred
		for f, n := range row.Counts {
			total.Counts[f] += n
		}
		total.OldestReferralDays = max(total.OldestReferralDays, row.OldestReferralDays)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if (a.CoordinatorID == "") != (b.CoordinatorID == "") {
			return b.CoordinatorID == "" // unassigned last
		}
		return a.Name < b.Name
	})
	return out, total, nil
}

// teamRows starts a row for everyone who can carry a caseload, former
// members included, and one for unassigned patients.
func teamRows(ctx context.Context, q db.DBTX, tenantID string) (map[string]*Row, error) {
	rows, _ := q.Query(ctx, `
		select u.id, u.name, m.role, m.active and not u.disabled
		  from memberships m join users u on u.id = m.user_id
		 where m.tenant_id = $1 and m.role in ('coordinator', 'supervisor')`, tenantID)
	team := map[string]*Row{"": {Name: "Not assigned", Active: true, Counts: map[Flag]int{}, OldestReferralDays: -1}}
	var row Row
	_, err := pgx.ForEachRow(rows, []any{&row.CoordinatorID, &row.Name, &row.Role, &row.Active}, func() error {
		r := row
		r.Counts, r.OldestReferralDays = map[Flag]int{}, -1
		team[r.CoordinatorID] = &r
		return nil
	})
	return team, err
}

// rowFor finds the row of a coordinator id read from a patient; someone
// who was never a member (an assignment from before a membership ended and
// was removed) gets a row of their own.
func rowFor(team map[string]*Row, id string) *Row {
	if r, ok := team[id]; ok {
		return r
	}
	r := &Row{CoordinatorID: id, Name: "Former colleague", Counts: map[Flag]int{}, OldestReferralDays: -1}
	team[id] = r
	return r
}

// countPatients counts each coordinator's patients by tier and by the
// flags that live on the patient row, in one pass over the tenant's open
// patients.
func countPatients(ctx context.Context, q db.DBTX, tenantID string, r Rules, team map[string]*Row) error {
	rows, _ := q.Query(ctx, `
		with r as (select `+paramsSQL+`)
		select coalesce(p.assigned_coordinator_id::text, ''),
		       count(*) filter (where p.status = 'active' and p.risk_tier = 'high'),
		       count(*) filter (where p.status = 'active' and p.risk_tier = 'moderate'),
		       count(*) filter (where p.status = 'active' and p.risk_tier = 'low'),
		       count(*) filter (where p.status = 'referred'),
		       count(*) filter (where `+pastCadenceSQL+`),
		       count(*) filter (where `+highRiskSQL+`),
		       count(*) filter (where `+unreachableSQL+`),
		       count(*)
		  from patients p, r
		 where p.tenant_id = $1 and p.status in ('referred', 'active', 'on_hold')
		 group by p.assigned_coordinator_id`, r.args(tenantID)...)
	var id string
	var high, moderate, low, referred, cadence, highRisk, unreachable, open int
	_, err := pgx.ForEachRow(rows, []any{&id, &high, &moderate, &low, &referred, &cadence, &highRisk, &unreachable, &open}, func() error {
		row := rowFor(team, id)
		row.High, row.Moderate, row.Low, row.Referred, row.open = high, moderate, low, referred, open
		row.Counts[FlagPastCadence], row.Counts[FlagHighRiskNoContact], row.Counts[FlagUnreachable] = cadence, highRisk, unreachable
		return nil
	})
	return err
}

// countWork counts the flags that live in other tables, each grouped by
// the patient's coordinator.
func countWork(ctx context.Context, q db.DBTX, tenantID string, r Rules, team map[string]*Row) error {
	// Each count starts from the few rows it is about (patients with a
	// task past due or a result overdue, in patient_flags' indexes;
	// submitted plans; open referrals) and looks their patients up by
	// key, rather than reading every open patient again; counts over the
	// same rows come from one pass, unpivoted.
	rows, _ := q.Query(ctx, `
		with r as (select `+paramsSQL+`)
		select t.coordinator, f.flag, f.n
		  from (select coalesce(f.coordinator_id::text, '') as coordinator,
		               sum((select count(*) from unnest(f.open_dues) d where d < $2))::int as overdue,
		               sum((select count(*) from unnest(f.transition_dues) d where d < $2))::int as discharge
		          from patient_flags f
		         where f.tenant_id = $1 and f.open and f.first_due < $2
		         group by 1) t
		 cross join lateral (values ('overdue_tasks', t.overdue), ('discharge_no_follow_up', t.discharge)) as f (flag, n)
		union all
		select coalesce(p.assigned_coordinator_id::text, ''), 'awaiting_approval', count(*)
		  from care_plans c join patients p on p.tenant_id = c.tenant_id and p.id = c.patient_id
		 where c.tenant_id = $1 and c.stage = 'submitted' and p.status in ('referred', 'active', 'on_hold')
		 group by 1
		union all
		select o.coordinator, f.flag, f.n
		  from (select coalesce(p.assigned_coordinator_id::text, '') as coordinator, count(distinct p.id) as patients,
		               max(r.now::date - coalesce(f.sent_at, f.created_at)::date) as oldest
		          from referrals f join patients p on p.tenant_id = f.tenant_id and p.id = f.patient_id, r
		         where f.tenant_id = $1 and f.status in ('draft', 'sent', 'accepted', 'in_progress')
		           and p.status in ('referred', 'active', 'on_hold')
		         group by 1) o
		 cross join lateral (values ('open_referral', o.patients), ('oldest_referral_days', o.oldest)) as f (flag, n)
		union all
		select coalesce(f.coordinator_id::text, ''), 'reassessment_overdue', count(*)
		  from patient_flags f
		 where f.tenant_id = $1 and f.reassessable and `+reassessSQL+`
		 group by 1`, r.args(tenantID)...)
	var id, flag string
	var n int
	_, err := pgx.ForEachRow(rows, []any{&id, &flag, &n}, func() error {
		row := rowFor(team, id)
		if flag == "oldest_referral_days" {
			row.OldestReferralDays = n
		} else {
			row.Counts[Flag(flag)] = n
		}
		return nil
	})
	return err
}
