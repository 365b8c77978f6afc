package caseload

import (
	"context"
	"time"

	"carecoord/internal/calendar"
	"carecoord/internal/contacts"
	"carecoord/internal/db"

	"github.com/jackc/pgx/v5"
)

// keptCount is how many of the period's discharges keep one engagement
// (migration 00033) with one exclusion, or none: then, by day, since the
// clock decides whether they are pending or missed.
type keptCount struct {
	Day            *time.Time
	ExcludedReason string
	FollowUp       *string
	N              int
	Now            time.Time
	Zone           string
}

// dischargeFollowUp is the share of the period's discharges followed up
// within 7 days, as contacts.FollowUpOutcome decides each one: the rule
// that also closes the discharge's follow-up task. Each discharge keeps
// its engagement, as contacts.Engagement says it, so the period's
// discharges are counted by engagement, exclusion and (for those not
// engaged) day, and each count is decided at now by
// contacts.Discharge.Decide, FollowUpOutcome's second half: a few dozen
// rows. On bigcare a month takes 0.4 ms as an index-only scan of
// care_transitions_discharges_idx once the table is vacuumed, 1.3 ms
// through care_transitions_kind_idx and the heap when it is not.
// Discharges not worked out yet (recorded before 00033, or copied by a
// loader, until the job contacts.follow_ups has come by) are decided from
// their contacts, as before (undecided).
func dischargeFollowUp(ctx context.Context, q db.DBTX, tenantID string, p Period, m *Measure) error {
	rows, _ := q.Query(ctx, `
		select case when t.follow_up = 'none' then t.occurred_on end as day,
		       coalesce(t.excluded_reason, '') as excluded_reason, t.follow_up, count(*)::int as n,
		       now() as now, current_setting('TimeZone') as zone
		  from care_transitions t
		 where t.tenant_id = $1 and t.kind = 'discharge' and t.occurred_on >= $2 and t.occurred_on <= $3
		 group by 1, 2, 3`,
		tenantID, p.From, p.To)
	counts, err := pgx.CollectRows(rows, pgx.RowToStructByName[keptCount])
	if err != nil {
		return err
	}
	var n, of int
	unknown := false
	for _, c := range counts {
		if c.FollowUp == nil {
			unknown = true
			continue
		}
		loc, err := calendar.Zone(c.Zone)
		if err != nil {
			return err
		}
		d := contacts.Discharge{ExcludedReason: c.ExcludedReason}
		if c.Day != nil {
			d.On = *c.Day
		}
		in, met := d.Decide(contacts.KeptEngagement(*c.FollowUp, nil), c.Now, loc).Counts()
		if in {
			of += c.N
		}
		if met {
			n += c.N
		}
	}
	if unknown {
		un, uof, err := undecided(ctx, q, tenantID, p)
		if err != nil {
			return err
		}
		n, of = n+un, of+uof
	}
	m.share(n, of)
	return nil
}

// dischargeRow is a discharge of the period with the contacts with its
// patient from the day before it to the ninth day after it: every contact
// contacts.FollowUpOutcome could count for the 7-day measure, in any time
// zone (an engagement after day 7 only makes it late, which counts as not
// met all the same).
type dischargeRow struct {
	Discharged     time.Time
	ExcludedReason string
	Now            time.Time
	// Zone is the transaction's time zone: the tenant's (db.InTenant).
	Zone    string
	At      []time.Time
	Method  []string
	Party   []string
	Outcome []string
}

// undecided counts, as contacts.FollowUpOutcome decides them from their
// contacts, the period's discharges whose engagement is not worked out
// yet. Each one's contacts come through contacts_patient_idx; the window's
// bounds are columns of a materialised CTE so that, under row-level
// security, they are conditions of the index scan (see
// SuccessfulContactsByWeek).
func undecided(ctx context.Context, q db.DBTX, tenantID string, p Period) (n, of int, err error) {
	rows, _ := q.Query(ctx, `
		with d as materialized (
		    select t.patient_id, t.occurred_on, coalesce(t.excluded_reason, '') as excluded_reason,
		           (t.occurred_on - 1)::timestamptz as from_at, (t.occurred_on + 9)::timestamptz as to_at
		      from care_transitions t
		     where t.tenant_id = $1 and t.kind = 'discharge' and t.follow_up is null
		       and t.occurred_on >= $2 and t.occurred_on <= $3)
		select d.occurred_on as discharged, d.excluded_reason, now() as now, current_setting('TimeZone') as zone,
		       coalesce(c.at, '{}') as at, coalesce(c.method, '{}') as method,
		       coalesce(c.party, '{}') as party, coalesce(c.outcome, '{}') as outcome
		  from d
		  left join lateral (
		       select array_agg(c.occurred_at) as at, array_agg(c.method) as method,
		              array_agg(c.party) as party, array_agg(c.outcome) as outcome
		         from contacts c
		        where c.tenant_id = $1 and c.patient_id = d.patient_id
		          and c.occurred_at >= d.from_at and c.occurred_at < d.to_at) c on d.excluded_reason = ''`,
		tenantID, p.From, p.To)
	ds, err := pgx.CollectRows(rows, pgx.RowToStructByName[dischargeRow])
	if err != nil {
		return 0, 0, err
	}
	for _, d := range ds {
		loc, err := calendar.Zone(d.Zone)
		if err != nil {
			return 0, 0, err
		}
		f := contacts.FollowUpOutcome(contacts.Discharge{On: d.Discharged, ExcludedReason: d.ExcludedReason}, d.contacts(), d.Now, loc)
		in, met := f.Counts()
		if in {
			of++
		}
		if met {
			n++
		}
	}
	return n, of, nil
}

// contacts are the row's contacts as the rule reads them.
func (d dischargeRow) contacts() []contacts.FollowUpContact {
	cs := make([]contacts.FollowUpContact, len(d.At))
	for i := range d.At {
		cs[i] = contacts.FollowUpContact{At: d.At[i], Method: d.Method[i], Party: d.Party[i], Outcome: d.Outcome[i]}
	}
	return cs
}
