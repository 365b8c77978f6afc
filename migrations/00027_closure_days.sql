-- +goose Up

-- The days an organisation is closed besides weekends and US federal
-- holidays (a staff day, the day after Thanksgiving): business-day counts
-- skip them, and a due date that lands on one moves to the next open day
-- (calendar.Calendar). Nothing is derived from other rows, so there is
-- nothing to backfill.
create table closure_days (
    tenant_id  uuid not null references tenants (id),
    id         uuid not null default gen_random_uuid(),
    day        date not null check (day between '1900-01-01' and '2199-12-31'),
    name       text not null check (length(name) between 1 and 200),
    created_by uuid references users (id),
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    unique (tenant_id, day)
);

alter table closure_days enable row level security;
alter table closure_days force row level security;
create policy tenant_isolation on closure_days
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

grant select, insert, delete on closure_days to carecoord_app;

-- +goose Down
drop table closure_days;
