-- +goose Up

-- The background scheduler's record of each job for each tenant. A
-- replica runs a job while holding this row's lock (select … for update
-- skip locked), so each job runs once per tenant at a time however many
-- replicas there are, and next_run_at keeps it to once per interval.
create table job_runs (
    tenant_id        uuid not null references tenants (id),
    job              text not null check (length(job) between 1 and 80),
    next_run_at      timestamptz not null default '-infinity',
    last_started_at  timestamptz,
    last_finished_at timestamptz,
    -- The last failure's message ('' after a success): operators read it;
    -- it never holds patient data, only what a job's error says.
    last_error       text not null default '',
    runs             bigint not null default 0,
    failures         bigint not null default 0,
    primary key (tenant_id, job)
);

alter table job_runs enable row level security;
alter table job_runs force row level security;
create policy tenant_isolation on job_runs
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

grant select, insert, update on job_runs to carecoord_app;

-- +goose Down
drop table job_runs;
