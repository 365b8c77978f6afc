package caseload

import (
	"context"
	"time"

	"carecoord/internal/contacts"
	"carecoord/internal/db"

	"github.com/jackc/pgx/v5"
)

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

// dischargeFollowUp is the share of the period's discharges followed up
// within 7 days, as contacts.FollowUpOutcome decides each one: the rule
// that also closes the discharge's follow-up task. The discharges come
// through care_transitions_kind_idx and each one's contacts through
// contacts_patient_idx; the window's bounds are columns of a materialised
// CTE so that, under row-level security, they are conditions of the index
// scan (see SuccessfulContactsByWeek).
func dischargeFollowUp(ctx context.Context, q db.DBTX, tenantID string, p Period, m *Measure) error {
	rows, _ := q.Query(ctx, `
		with d as materialized (
		    select t.patient_id, t.occurred_on, coalesce(t.excluded_reason, '') as excluded_reason,
		           (t.occurred_on - 1)::timestamptz as from_at, (t.occurred_on + 9)::timestamptz as to_at
		      from care_transitions t
		     where t.tenant_id = $1 and t.kind = 'discharge' and t.occurred_on >= $2 and t.occurred_on <= $3)
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
		return err
	}
	var n, of int
	for _, d := range ds {
		loc, err := time.LoadLocation(d.Zone)
		if err != nil {
			return err
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
	m.share(n, of)
	return nil
}

// contacts are the row's contacts as the rule reads them.
func (d dischargeRow) contacts() []contacts.FollowUpContact {
	cs := make([]contacts.FollowUpContact, len(d.At))
	for i := range d.At {
		cs[i] = contacts.FollowUpContact{At: d.At[i], Method: d.Method[i], Party: d.Party[i], Outcome: d.Outcome[i]}
	}
	return cs
}
