-- +goose Up

-- The supervisor's dashboard of each tenant, as the scheduler's job
-- caseload.snapshot last computed it (every minute): pages read it, so
-- every replica shows the same counts and no page writes.
--
-- changes counts the changes a supervisor makes that move the counts (a
-- reassignment; a plan submitted, approved or returned), each made in the
-- change's own transaction; seen is how many of them had happened when the
-- stored dashboard was computed. While changes > seen the dashboard is
-- stale, and a page computes its own (without storing it) until the next
-- run, so the supervisor's change shows at once.
create table caseload_snapshots (
    tenant_id   uuid not null references tenants (id),
    computed_at timestamptz,
    dashboard   jsonb,
    seen        bigint not null default 0,
    changes     bigint not null default 0,
    primary key (tenant_id),
    check ((computed_at is null) = (dashboard is null))
);

alter table caseload_snapshots enable row level security;
alter table caseload_snapshots force row level security;
create policy tenant_isolation on caseload_snapshots
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

grant select, insert, update on caseload_snapshots to carecoord_app;

-- caseload_changed marks the tenant's dashboard stale, in the transaction
-- of the change (caseload.MarkStale calls it).
-- +goose StatementBegin
create function caseload_changed(tenant uuid) returns void language sql as $$
    insert into caseload_snapshots (tenant_id, changes) values (tenant, 1)
    on conflict (tenant_id) do update set changes = caseload_snapshots.changes + 1
$$;
-- +goose StatementEnd

-- A plan entering or leaving "submitted" (submitted, approved, returned)
-- moves the count of plans awaiting approval. Care plans sit below the
-- caseload read model and cannot call it, so the database marks the
-- dashboard stale whichever code changes the stage.
-- +goose StatementBegin
create function care_plans_caseload_changed() returns trigger language plpgsql as $$
begin
    perform caseload_changed(new.tenant_id);
    return null;
end $$;
-- +goose StatementEnd

create trigger care_plans_caseload_changed
    after update of stage on care_plans
    for each row when ((old.stage = 'submitted') is distinct from (new.stage = 'submitted'))
    execute function care_plans_caseload_changed();

-- +goose Down
drop trigger care_plans_caseload_changed on care_plans;
drop function care_plans_caseload_changed();
drop function caseload_changed(uuid);
drop table caseload_snapshots;
