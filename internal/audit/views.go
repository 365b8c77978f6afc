package audit

import (
	"context"
	"time"

	"carecoord/internal/db"

	"github.com/jackc/pgx/v5"
)

// ViewWindow is how long one look at a record lasts in the log: the same
// person viewing the same record again within it (a reload, the page after
// a redirect, moving between a patient's pages) adds no second event, so
// that one visit is one entry.
const ViewWindow = 5 * time.Minute

// RecordView appends e, a view of a patient's record, unless the same
// actor's view of the same record (action, entity and patient) is already
// in the log within ViewWindow.
func RecordView(ctx context.Context, q db.DBTX, e Event) error {
	_, err := q.Exec(ctx, recordViewSQL, viewArgs(e)...)
	return err
}

// QueueView is RecordView queued into b: the view is recorded when b is
// sent, in the same round trip as the page's reads.
func QueueView(b *pgx.Batch, e Event) {
	b.Queue(recordViewSQL, viewArgs(e)...)
}

const recordViewSQL = `
		insert into audit_events (tenant_id, actor_id, action, entity_type, entity_id, patient_id, ip, request_id, detail)
		select $1, nullif($2, '')::uuid, $3, $4, nullif($5, '')::uuid, nullif($6, '')::uuid, $7, $8, $9
		 where not exists (
			select 1 from audit_events v
			 where v.tenant_id = $1 and v.patient_id is not distinct from nullif($6, '')::uuid
			   and v.at > now() - make_interval(secs => $10)
			   and v.actor_id is not distinct from nullif($2, '')::uuid and v.action = $3
			   and v.entity_id is not distinct from nullif($5, '')::uuid)`

func viewArgs(e Event) []any {
	if e.Detail == nil {
		e.Detail = map[string]any{}
	}
	return []any{e.TenantID, e.ActorID, e.Action, e.EntityType, e.EntityID, e.PatientID, e.IP, e.RequestID, e.Detail,
		ViewWindow.Seconds()}
}

// RecordListed appends e once for each patient a list or search showed,
// with the patient as its entity, leaving out those the same actor was
// shown by the same action within ViewWindow: who saw which patients'
// names, one row per patient so that a patient's own log finds it.
//
// Each patient is looked up in audit_events_patient_idx on its own (a
// lateral probe): as an anti-join, planned from the statistics of a log
// nobody had analyzed yet (autovacuum may be off), every request read all
// of the tenant's events of the last five minutes, which grows with the
// load (7 ms a search on the bench, more than the search itself).
func RecordListed(ctx context.Context, q db.DBTX, e Event, patientIDs []string) error {
	if len(patientIDs) == 0 {
		return nil
	}
	if e.Detail == nil {
		e.Detail = map[string]any{}
	}
	_, err := q.Exec(ctx, `
		insert into audit_events (tenant_id, actor_id, action, entity_type, entity_id, patient_id, ip, request_id, detail)
		select $1, nullif($2, '')::uuid, $3, 'patient', p, p, $4, $5, $6
		  from (select distinct p from unnest($7::uuid[]) as p) listed
		  left join lateral (
			select true as seen from audit_events v
			 where v.tenant_id = $1 and v.patient_id = listed.p
			   and v.at > now() - make_interval(secs => $8)
			   and v.actor_id is not distinct from nullif($2, '')::uuid and v.action = $3
			 limit 1) v on true
		 where v.seen is null`,
		e.TenantID, e.ActorID, e.Action, e.IP, e.RequestID, e.Detail, patientIDs, ViewWindow.Seconds())
	return err
}
