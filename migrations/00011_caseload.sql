-- +goose Up

-- The supervisor's dashboard counts open tasks past due across the whole
-- tenant, and its weekly chart counts successful contacts with patients by
-- time; both would otherwise read every task or contact of the tenant.
create index tasks_open_due_idx on tasks (tenant_id, due_at) where status = 'open';
create index contacts_success_idx on contacts (tenant_id, occurred_at)
    where party = 'patient' and outcome in ('reached', 'declined');

-- +goose Down
drop index contacts_success_idx;
drop index tasks_open_due_idx;
