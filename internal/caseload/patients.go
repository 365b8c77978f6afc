package caseload

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"carecoord/internal/db"
	"carecoord/internal/patients"

	"github.com/jackc/pgx/v5"
)

// sortKeys are the keyset expressions of each order on a patient row p,
// the patient id last so that every key is unique. Each has an index
// (migrations 00002, 00003 and 00017), so a page is read in order and cut
// at its size rather than sorted from the whole team.
var sortKeys = map[Sort]string{
	ByName:    "p.family_name, p.given_name, p.id",
	ByRisk:    tierRankSQL + ", p.family_name, p.given_name, p.id",
	ByContact: "coalesce(p.last_reached_at, '-infinity'), p.family_name, p.id",
}

// tierRankSQL orders the risk tiers most at risk first.
const tierRankSQL = "array_position(array['high', 'moderate', 'low']::text[], p.risk_tier)"

// flagSQL is each flag as a condition on a patient row p. The rare ones
// (plans, referrals, discharges) are small sets read once through their
// partial indexes ("p.id in (…)", one hashed subplan). The common ones,
// overdue tasks and re-assessments, are looked up per patient by key while
// the page is read in order, in patient_flags (migration 00021): as scalar
// subqueries, which the planner cannot turn into a join (as a set, overdue
// tasks drove a coordinator's list from every overdue task of the team,
// misjudging the set as one row).
var flagSQL = map[Flag]string{
	FlagOverdueTasks:      `coalesce((select true from patient_flags f where f.tenant_id = $1 and f.patient_id = p.id and f.first_due < $2), false)`,
	FlagPastCadence:       pastCadenceSQL,
	FlagHighRiskNoContact: highRiskSQL,
	FlagReassessOverdue:   reassessOfPatientSQL,
	FlagAwaitingApproval:  awaitingSQL,
	FlagUnreachable:       unreachableSQL,
	FlagDischargeNoFollow: `p.id in (select t.patient_id from tasks t where t.tenant_id = $1 and t.status = 'open' and t.due_at < $2 and t.source = 'transition')`,
	FlagOpenReferral:      openReferralSQL,
}

const (
	awaitingSQL = `p.id in (select c.patient_id from care_plans c where c.tenant_id = $1 and c.stage = 'submitted')`
	// openReferralSQL is a scalar subquery for the reason overdue tasks
	// are: as an exists, with about a third of a year's referrals open,
	// the planner hashed every open referral of the tenant to cut a page
	// of 51; this way each patient read in the order's index is probed
	// through referrals_open_patient_idx (migration 00020).
	openReferralSQL = `coalesce((select true from referrals f where f.tenant_id = $1 and f.patient_id = p.id and f.status in ('draft', 'sent', 'accepted', 'in_progress') limit 1), false)`
	// reassessOfPatientSQL: the patient's re-assessment is overdue,
	// looked up by key in patient_flags.
	reassessOfPatientSQL = `(p.status in ('referred', 'active') and coalesce(
		(select true from patient_flags f where f.tenant_id = $1 and f.patient_id = p.id and ` + reassessSQL + `), false))`
)

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

// pageFlagsSQL reads every flag of the patients of one page (scope, cut
// to the page already), each by the patient's key.
var pageFlagsSQL = `
	select p.id, p.given_name, p.family_name, p.preferred_name,
	       coalesce(p.assigned_coordinator_id::text, '') as coordinator_id, coalesce(u.name, '') as coordinator_name,
	       p.status, p.risk_tier, p.last_reached_at, p.unreached_attempts,
	       coalesce(late.overdue, 0) as overdue, coalesce(late.discharge, 0) as discharge,
	       ` + pastCadenceSQL + ` as past_cadence,
	       ` + highRiskSQL + ` as high_risk,
	       ` + reassessOfPatientSQL + ` as reassess,
	       exists (select 1 from care_plans c where c.tenant_id = $1 and c.patient_id = p.id and c.stage = 'submitted') as awaiting,
	       ` + unreachableSQL + ` as unreachable,
	       (referred.open is not null) as open_referral
	  from scope p
	 cross join r
	  left join users u on u.id = p.assigned_coordinator_id
	  -- A lateral probe of the page's own patients: as an exists, the
	  -- planner hashed every open referral of the tenant for 51 rows.
	  left join lateral (
	       select true as open from referrals f
	        where f.tenant_id = $1 and f.patient_id = p.id and f.status in ('draft', 'sent', 'accepted', 'in_progress')
	        limit 1) referred on true
	  left join lateral (
	       select count(*) as overdue, count(*) filter (where t.source = 'transition') as discharge
	         from tasks t
	        where t.tenant_id = $1 and t.patient_id = p.id and t.status = 'open' and t.due_at < r.now) late on true`

// scopeConditions are the filter's conditions on a patient row p, adding
// their arguments to args: the coordinator and the tier and status are
// written only when chosen, so each can be an index condition.
func scopeConditions(f Filter, args *[]any) []string {
	arg := func(v any) string {
		*args = append(*args, v)
		return fmt.Sprintf("$%d", len(*args))
	}
	conds := []string{"p.tenant_id = $1", "p.status in ('referred', 'active', 'on_hold')"}
	switch c := f.Coordinator; {
	case c == nil:
	case *c == "":
		conds = append(conds, "p.assigned_coordinator_id is null")
	default:
		conds = append(conds, "p.assigned_coordinator_id = "+arg(*c)+"::uuid")
	}
	if f.Tier != "" {
		conds = append(conds, "p.risk_tier = "+arg(string(f.Tier)))
	}
	if f.Status != "" {
		conds = append(conds, "p.status = "+arg(string(f.Status)))
	}
	if cond, ok := flagSQL[f.Flag]; ok {
		conds = append(conds, cond)
	}
	return conds
}

// Page is one page of the patient list.
type Page struct {
	Rows []PatientRow
	// Next is the cursor of the next page, "" on the last.
	Next string
	// Matching counts the patients on all pages (0 when the page is empty),
	// up to MatchingCap; MatchingMore says there are more than that.
	Matching     int
	MatchingMore bool
}

// Patients lists one page of the filtered patients: the page is read in
// the order's index from the cursor on and cut at its size, and only its
// patients' flags are computed; Matching is counted apart.
func Patients(ctx context.Context, q db.DBTX, tenantID string, r Rules, f Filter) (Page, error) {
	if !f.Sort.Valid() {
		f.Sort = ByName
	}
	args := r.args(tenantID)
	conds := scopeConditions(f, &args)
	keys := sortKeys[f.Sort]
	limit := "all"
	if f.Limit > 0 {
		limit = fmt.Sprint(f.Limit + 1) // one more tells whether a next page exists
	}
	scopeWhere := strings.Join(conds, " and ")
	pageWhere, countArgs := scopeWhere, slices.Clone(args)
	if f.After != "" {
		args = append(args, f.After)
		pageWhere += " and " + db.After(keys, "patients", "p", "$1", fmt.Sprintf("$%d", len(args)))
	}
	sql := `with r as (select ` + paramsSQL + `),
		scope as (select p.* from patients p, r where ` + pageWhere + ` order by ` + keys + ` limit ` + limit + `)
		` + pageFlagsSQL + `
		 order by ` + keys
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
			&p.PastCadence, &p.HighRiskNoContact, &p.ReassessOverdue, &p.AwaitingApproval, &p.Unreachable, &p.OpenReferral)
		p.Name = n.FamilyName + ", " + n.GivenName
		if n.PreferredName != "" && n.PreferredName != n.GivenName {
			p.Name += " (" + n.PreferredName + ")"
		}
		return p, err
	})
	page.Rows = list
	if err != nil || len(list) == 0 {
		return page, err
	}
	if f.Limit > 0 && len(list) > f.Limit {
		page.Rows = list[:f.Limit]
		page.Next = page.Rows[len(page.Rows)-1].ID
	}
	if f.After == "" && page.Next == "" {
		page.Matching = len(page.Rows) // all of them are on this page
		return page, nil
	}
	// A common flag's count may read patients in table order: it stops
	// at the cap, so it never reads the whole team.
	err = q.QueryRow(ctx, `/* bounded count */ with r as (select `+paramsSQL+`)
		select count(*) from (select from patients p, r where `+scopeWhere+` limit `+fmt.Sprint(MatchingCap+1)+`) m`,
		countArgs...).Scan(&page.Matching)
	if page.Matching > MatchingCap {
		page.Matching, page.MatchingMore = MatchingCap, true
	}
	return page, err
}

// MatchingCap is how far the patient list counts its matches: counting all
// of a large team's patients on every page would cost more than the page.
const MatchingCap = 250
