package caseload

import (
	"context"
	"fmt"
	"time"

	"carecoord/internal/db"
	"carecoord/internal/patients"

	"github.com/jackc/pgx/v5"
)

// sortKeys are the keyset columns of each order, the patient id last so
// that every key is unique.
var sortKeys = map[Sort]string{
	ByName:    "family_name, given_name, id",
	ByRisk:    "tier_rank, family_name, given_name, id",
	ByContact: "last_reached_key, family_name, id",
}

// flagSQL selects the patients with a flag, on the flagged row.
var flagSQL = map[Flag]string{
	FlagOverdueTasks:      "overdue > 0",
	FlagPastCadence:       "past_cadence",
	FlagHighRiskNoContact: "high_risk",
	FlagReassessOverdue:   "reassess",
	FlagAwaitingApproval:  "awaiting",
	FlagUnreachable:       "unreachable",
	FlagDischargeNoFollow: "discharge > 0",
	FlagOpenReferral:      "open_referral",
}

// PatientRow is one patient with their flags.
type PatientRow struct {
	ID              string
	Name            string
	CoordinatorID   string
	CoordinatorName string
	Status          patients.Status
	Tier            patients.RiskTier
	LastReached     *time.Time
	Attempts        int
	// Counts of open tasks past due, and of those the discharge follow-ups.
	OverdueTasks, DischargesNoFollow  int
	PastCadence, HighRiskNoContact    bool
	ReassessOverdue, AwaitingApproval bool
	Unreachable                       bool
	OpenReferral                      bool
}

// Assigned names the patient's coordinator, or says nobody is.
func (p PatientRow) Assigned() string {
	if p.CoordinatorName == "" {
		return "Not assigned"
	}
	return p.CoordinatorName
}

// Has reports whether the patient carries flag f.
func (p PatientRow) Has(f Flag) bool {
	switch f {
	case FlagOverdueTasks:
		return p.OverdueTasks > 0
	case FlagPastCadence:
		return p.PastCadence
	case FlagHighRiskNoContact:
		return p.HighRiskNoContact
	case FlagReassessOverdue:
		return p.ReassessOverdue
	case FlagAwaitingApproval:
		return p.AwaitingApproval
	case FlagUnreachable:
		return p.Unreachable
	case FlagDischargeNoFollow:
		return p.DischargesNoFollow > 0
	case FlagOpenReferral:
		return p.OpenReferral
	}
	return false
}

// flaggedSQL computes every flag of the open patients the filter's
// coordinator, tier and status select. The flags that live in other tables
// are read set by set (the scope's overdue tasks grouped by patient, the
// latest assessments, the submitted plans), never per patient. Membership
// in a set is written "p.id in (select …)", which PostgreSQL evaluates as
// one hashed subplan whatever it guesses about the CTEs' sizes; as joins,
// a low guess once made it rescan a set for every patient (9 s for the
// whole team of 100,000).
var flaggedSQL = `
	with r as (select ` + paramsSQL + `),
	scope as (
	    select p.id, p.tenant_id, p.given_name, p.family_name, p.preferred_name, p.assigned_coordinator_id,
	           p.status, p.risk_tier, p.last_reached_at, p.referral_date, p.created_at, p.unreached_attempts
	      from patients p
	     where p.tenant_id = $1 and p.status in ('referred', 'active', 'on_hold')
	       and ($11::text is null or coalesce(p.assigned_coordinator_id::text, '') = $11)
	       and ($12 = '' or p.risk_tier = $12)
	       and ($13 = '' or p.status = $13)),
	late as (
	    select t.patient_id, count(*) as overdue, count(*) filter (where t.source = 'transition') as discharge
	      from tasks t join scope s on s.id = t.patient_id, r
	     where t.tenant_id = $1 and t.status = 'open' and t.due_at < r.now
	     group by t.patient_id),
	latest as (` + fmt.Sprintf(latestSQL, "($11::text is null or a.patient_id in (select id from scope))") + `),
	reassess as (select l.patient_id from latest l, r where ` + overdueSQL + `),
	awaiting as (select c.patient_id from care_plans c where c.tenant_id = $1 and c.stage = 'submitted'),
	referred as (select f.patient_id from referrals f where f.tenant_id = $1 and f.status in ('draft', 'sent', 'accepted', 'in_progress')),
	flagged as (
	    select p.id, p.given_name, p.family_name, p.preferred_name,
	           coalesce(p.assigned_coordinator_id::text, '') as coordinator_id, coalesce(u.name, '') as coordinator_name,
	           p.status, p.risk_tier, p.last_reached_at, p.unreached_attempts,
	           array_position(array['high', 'moderate', 'low'], p.risk_tier) as tier_rank,
	           coalesce(p.last_reached_at, '-infinity') as last_reached_key,
	           coalesce(late.overdue, 0) as overdue, coalesce(late.discharge, 0) as discharge,
	           ` + pastCadenceSQL + ` as past_cadence,
	           ` + highRiskSQL + ` as high_risk,
	           ` + unreachableSQL + ` as unreachable,
	           p.id in (select patient_id from awaiting) as awaiting,
	           p.id in (select patient_id from referred) as open_referral,
	           (p.status in ('referred', 'active') and p.id in (select patient_id from reassess)) as reassess
	      from scope p
	      cross join r
	      left join users u on u.id = p.assigned_coordinator_id
	      left join late on late.patient_id = p.id)`

// keyOf reads the sort key of the cursor patient from the patients table,
// so a cursor still works when that patient has since left the list.
var keyOf = `
	select family_name, given_name, id,
	       array_position(array['high', 'moderate', 'low'], risk_tier) as tier_rank,
	       coalesce(last_reached_at, '-infinity') as last_reached_key
	  from patients where tenant_id = $1 and id = $14::uuid`

// Page is one page of the patient list.
type Page struct {
	Rows []PatientRow
	// Next is the cursor of the next page, "" on the last.
	Next string
	// Matching counts the patients on all pages (0 when the page is empty).
	Matching int
}

// Patients lists one page of the filtered patients.
func Patients(ctx context.Context, q db.DBTX, tenantID string, r Rules, f Filter) (Page, error) {
	if !f.Sort.Valid() {
		f.Sort = ByName
	}
	flagWhere, where := "true", "true"
	if cond, ok := flagSQL[f.Flag]; ok {
		flagWhere = cond
	}
	keys := sortKeys[f.Sort]
	if f.After != "" {
		where = "(" + keys + ") > (select " + keys + " from (" + keyOf + ") k)"
	}
	limit := "all"
	if f.Limit > 0 {
		limit = fmt.Sprint(f.Limit + 1) // one more tells whether a next page exists
	}
	var coordinator any
	if f.Coordinator != nil {
		coordinator = *f.Coordinator
	}
	args := append(r.args(tenantID), coordinator, string(f.Tier), string(f.Status))
	if f.After != "" {
		args = append(args, f.After) // $14, read by keyOf
	}
	// The window counts every match before the page is cut from them.
	sql := flaggedSQL + `
		select id, given_name, family_name, preferred_name, coordinator_id, coordinator_name, status, risk_tier,
		       last_reached_at, unreached_attempts, overdue, discharge, past_cadence, high_risk, reassess, awaiting, unreachable,
		       open_referral, matching
		  from (select f.*, count(*) over () as matching from flagged f where ` + flagWhere + `) f
		 where ` + where + `
		 order by ` + keys + ` limit ` + limit
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return Page{}, err
	}
	var page Page
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (PatientRow, error) {
		var p PatientRow
		var n patients.Patient
		err := row.Scan(&p.ID, &n.GivenName, &n.FamilyName, &n.PreferredName, &p.CoordinatorID, &p.CoordinatorName,
			&p.Status, &p.Tier, &p.LastReached, &p.Attempts, &p.OverdueTasks, &p.DischargesNoFollow,
			&p.PastCadence, &p.HighRiskNoContact, &p.ReassessOverdue, &p.AwaitingApproval, &p.Unreachable, &p.OpenReferral,
			&page.Matching)
		p.Name = n.FamilyName + ", " + n.GivenName
		if n.PreferredName != "" && n.PreferredName != n.GivenName {
			p.Name += " (" + n.PreferredName + ")"
		}
		return p, err
	})
	page.Rows = list
	if err != nil || f.Limit == 0 || len(list) <= f.Limit {
		return page, err
	}
	page.Rows = list[:f.Limit]
	page.Next = page.Rows[len(page.Rows)-1].ID
	return page, nil
}
