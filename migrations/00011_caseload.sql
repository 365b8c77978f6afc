-- +goose Up

-- The supervisor's dashboard counts open tasks past due across the whole
-- tenant, and its weekly chart counts successful contacts with patients by
-- time; both would otherwise read every task or contact of the tenant.
create index tasks_open_due_idx on tasks (tenant_id, due_at) where status = 'open';
create index contacts_success_idx on contacts (tenant_id, occurred_at)
    where party = 'patient' and outcome in ('reached', 'declined');

-- The dashboard reads every open patient of the tenant once per refresh;
-- this covering index lets it do so without visiting the wide rows.
create index patients_caseload_flags_idx on patients (tenant_id, assigned_coordinator_id)
    include (id, status, risk_tier, last_reached_at, referral_date, created_at, unreached_attempts)
    where status in ('referred', 'active', 'on_hold');

-- +goose Down
drop index patients_caseload_flags_idx;
drop index contacts_success_idx;
drop index tasks_open_due_idx;
