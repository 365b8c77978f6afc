package contacts

import (
	"context"
	"time"

	"carecoord/internal/calendar"
	"carecoord/internal/db"
	"carecoord/internal/tasks"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// Each discharge keeps its engagement on its transition (migration
// 00033): follow_up is what Engagement says of the patient's contacts,
// 'met' or 'late' with followed_up_at the moment of the first engagement
// after the discharge day, or 'none' while there is none. The clock and
// the exclusion are left to Decide, so the measure counts the kept
// engagements by day instead of reading every discharge's contacts.
//
// Whatever changes a discharge's contacts keeps it in the same
// transaction, under the patient's lock (lockReach): a contact logged or
// corrected (afterContact), a discharge recorded (storeTransition), a
// merge (RefreshFollowUps, through patients.OnMerge). NULL is "not worked
// out yet": discharges recorded before 00033 and those a loader copies in
// bulk. The job contacts.follow_ups works those out (WorkOutFollowUps) and,
// until it has, the measure reads their contacts as it always did.

// keptNone is the kept follow_up of a discharge not engaged yet.
const keptNone = "none"

// KeptEngagement is the engagement a transition keeps (its follow_up and
// followed_up_at) as Decide takes it: met or late, or none.
func KeptEngagement(followUp string, at *time.Time) FollowUp {
	f := FollowUp{State: FollowUpState(followUp)}
	if f.State != FollowUpMet && f.State != FollowUpLate {
		return FollowUp{}
	}
	if at != nil {
		f.At = *at
	}
	return f
}

// keptDischarge is a discharge of a patient whose engagement is worked out
// again, with its follow-up task when that is still open.
type keptDischarge struct {
	ID             string
	OccurredOn     time.Time
	ExcludedReason string
	FollowUp       *string
	FollowedUpAt   *time.Time
	OpenTask       *string
}

func (k keptDischarge) discharge() Discharge {
	return Discharge{On: k.OccurredOn, ExcludedReason: k.ExcludedReason}
}

// settleFollowUps works out again, as a at loc, the engagement of the
// patient's discharges that a contact at or after since could change (all
// of them when since is nil): those not engaged yet, or first engaged at or
// after since, or whose follow-up task is still open. It keeps each
// engagement on its transition and, with closeTasks, closes the open
// follow-up tasks that FollowUpOutcome says an engagement met or came late
// for, with a note that says which and on what day. The caller holds the
// patient's lock (lockReach), so two changes of one patient settle one
// after the other.
func settleFollowUps(ctx context.Context, q db.DBTX, a tenants.Actor, patientID string, since *time.Time, loc *time.Location, closeTasks bool) ([]Closed, error) {
	rows, _ := q.Query(ctx, `
		select t.id, t.occurred_on, coalesce(t.excluded_reason, '') as excluded_reason,
		       t.follow_up, t.followed_up_at, k.id::text as open_task
		  from care_transitions t
		  left join tasks k on k.tenant_id = t.tenant_id and k.patient_id = t.patient_id and k.source = 'transition'
		   and k.source_transition_id = t.id and k.status = 'open'
		 where t.tenant_id = $1 and t.patient_id = $2 and t.kind = 'discharge'
		   and ($3::timestamptz is null or t.follow_up is null or t.follow_up = 'none'
		        or t.followed_up_at >= $3 or k.id is not null)`,
		a.TenantID, patientID, since)
	ds, err := pgx.CollectRows(rows, pgx.RowToStructByName[keptDischarge])
	if err != nil || len(ds) == 0 {
		return nil, err
	}
	from := ds[0].OccurredOn
	for _, d := range ds {
		if d.OccurredOn.Before(from) {
			from = d.OccurredOn
		}
	}
	cs, err := followUpContacts(ctx, q, a.TenantID, patientID, from)
	if err != nil {
		return nil, err
	}
	var out []Closed
	keep := make([]keptDischarge, 0, len(ds))
	for _, d := range ds {
		e := Engagement(d.discharge(), cs, loc)
		if k := keptOf(d.ID, e); d.FollowUp == nil || *d.FollowUp != *k.FollowUp || !sameInstant(d.FollowedUpAt, k.FollowedUpAt) {
			keep = append(keep, k)
		}
		if !closeTasks || d.OpenTask == nil {
			continue
		}
		f := d.discharge().Decide(e, a.At, loc)
		if !f.Closes() {
			continue
		}
		done, err := tasks.CompleteRaisedBy(ctx, q, a.TenantID, patientID, tasks.FromTransition, []string{d.ID}, a.UserID, f.Note(loc), a.At)
		if err != nil {
			return nil, err
		}
		for _, t := range done {
			out = append(out, Closed{Task: t, FollowUp: f})
		}
	}
	return out, keepEngagements(ctx, q, a.TenantID, keep, false)
}

// keptOf is the engagement e of discharge id as its transition keeps it.
func keptOf(id string, e FollowUp) keptDischarge {
	state := keptNone
	var at *time.Time
	if e.State == FollowUpMet || e.State == FollowUpLate {
		state, at = string(e.State), &e.At
	}
	return keptDischarge{ID: id, FollowUp: &state, FollowedUpAt: at}
}

func sameInstant(a, b *time.Time) bool {
	return (a == nil) == (b == nil) && (a == nil || a.Equal(*b))
}

// keepEngagements stores the engagements ks (by transition id); with
// onlyUnknown, only on discharges still not worked out, so a job never
// overwrites what a use case kept since it read.
func keepEngagements(ctx context.Context, q db.DBTX, tenantID string, ks []keptDischarge, onlyUnknown bool) error {
	if len(ks) == 0 {
		return nil
	}
	ids, states, ats := make([]string, len(ks)), make([]string, len(ks)), make([]*time.Time, len(ks))
	for i, k := range ks {
		ids[i], states[i], ats[i] = k.ID, *k.FollowUp, k.FollowedUpAt
	}
	_, err := q.Exec(ctx, `
		update care_transitions t set follow_up = k.follow_up, followed_up_at = k.at
		  from unnest($2::uuid[], $3::text[], $4::timestamptz[]) k (id, follow_up, at)
		 where t.tenant_id = $1 and t.id = k.id and t.kind = 'discharge' and (not $5 or t.follow_up is null)`,
		tenantID, ids, states, ats, onlyUnknown)
	return err
}

// RefreshFollowUps works out again the engagement of every discharge of
// the patient, on the calendar of the transaction's time zone (the
// tenant's, db.InTenant), for a change made outside the contact log: a
// merge brings another record's contacts and discharges. It leaves tasks
// as the merge left them.
func RefreshFollowUps(ctx context.Context, q db.DBTX, tenantID, patientID string) error {
	var zone string
	if err := q.QueryRow(ctx, `select current_setting('TimeZone')`).Scan(&zone); err != nil {
		return err
	}
	loc, err := calendar.Zone(zone)
	if err != nil {
		return err
	}
	_, err = settleFollowUps(ctx, q, tenants.Actor{TenantID: tenantID}, patientID, nil, loc, false)
	return err
}

// unknownDischarges are a patient's discharges not worked out yet, with
// the patient's contacts from the day before the first of them on.
type unknownDischarges struct {
	IDs     []string
	Days    []time.Time
	At      []time.Time
	Method  []string
	Party   []string
	Outcome []string
}

// WorkOutFollowUps keeps the engagement of the tenant's discharges not
// worked out yet, counting days on loc's calendar, and returns how many discharges it
// kept. It is the backfill of migration 00033 and of loaders that copy
// discharges in bulk, run by the job contacts.follow_ups: in Go, so that
// Engagement stays the only statement of the rule (the SQL of a migration
// would have said it a second time, and a rule changed later would have
// needed both changed). Each patient's contacts are read once, through
// contacts_patient_idx. It writes only discharges still not worked out, so
// a contact logged meanwhile, which works out its patient's, wins.
func WorkOutFollowUps(ctx context.Context, q db.DBTX, tenantID string, loc *time.Location) (int, error) {
	rows, _ := q.Query(ctx, `
		with d as materialized (
		    select t.patient_id, array_agg(t.id::text) as ids, array_agg(t.occurred_on) as days,
		           (min(t.occurred_on) - 1)::timestamptz as from_at
		      from care_transitions t
		     where t.tenant_id = $1 and t.kind = 'discharge' and t.follow_up is null
		     group by t.patient_id)
		select d.ids, d.days, coalesce(c.at, '{}') as at, coalesce(c.method, '{}') as method,
		       coalesce(c.party, '{}') as party, coalesce(c.outcome, '{}') as outcome
		  from d
		  left join lateral (
		       select array_agg(c.occurred_at) as at, array_agg(c.method) as method,
		              array_agg(c.party) as party, array_agg(c.outcome) as outcome
		         from contacts c
		        where c.tenant_id = $1 and c.patient_id = d.patient_id and c.occurred_at >= d.from_at) c on true`,
		tenantID)
	ps, err := pgx.CollectRows(rows, pgx.RowToStructByName[unknownDischarges])
	if err != nil {
		return 0, err
	}
	var keep []keptDischarge
	for _, p := range ps {
		cs := make([]FollowUpContact, len(p.At))
		for j := range p.At {
			cs[j] = FollowUpContact{At: p.At[j], Method: p.Method[j], Party: p.Party[j], Outcome: p.Outcome[j]}
		}
		for i, id := range p.IDs {
			keep = append(keep, keptOf(id, Engagement(Discharge{On: p.Days[i]}, cs, loc)))
		}
	}
	return len(keep), keepEngagements(ctx, q, tenantID, keep, true)
}
