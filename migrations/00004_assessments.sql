-- +goose Up

-- A needs assessment: one administration of a screening instrument. The
-- answers are only meaningful against the instrument version they were
-- given under, and the score is stored at completion, so later definitions
-- never change a past result.
create table assessments (
    tenant_id          uuid not null references tenants (id),
    id                 uuid not null default gen_random_uuid(),
    patient_id         uuid not null,
    instrument_code    text not null check (length(instrument_code) between 1 and 40),
    instrument_version text not null check (length(instrument_version) between 1 and 20),
    status             text not null default 'in_progress' check (status in ('in_progress', 'completed', 'entered_in_error')),
    answers            jsonb not null default '{}',
    total              integer,
    band               text not null default '',
    severity           integer,
    positive_domains   jsonb not null default '[]',
    alerts             jsonb not null default '[]',
    interpretation     text not null default '',
    method             text not null check (method in ('in_person', 'phone', 'video', 'self_reported')),
    administered_by    uuid references users (id),
    started_at         timestamptz not null default now(),
    completed_at       timestamptz,
    -- An amendment is a new assessment; the one it corrects stays as it was.
    amends_id          uuid,
    amend_reason       text not null default '' check (length(amend_reason) <= 2000),
    error_reason       text not null default '' check (length(error_reason) <= 2000),
    version            integer not null default 1,
    created_at         timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, patient_id) references patients (tenant_id, id),
    foreign key (tenant_id, amends_id) references assessments (tenant_id, id),
    check (amends_id is null or amend_reason <> ''),
    check (status <> 'entered_in_error' or error_reason <> ''),
    check ((status = 'in_progress') = (completed_at is null))
);
-- The chart's list and "latest PHQ-9" look-ups.
create index assessments_patient_idx on assessments (tenant_id, patient_id, instrument_code, completed_at desc);
create index assessments_amends_idx on assessments (tenant_id, amends_id) where amends_id is not null;

alter table assessments enable row level security;
alter table assessments force row level security;
create policy tenant_isolation on assessments
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

-- No delete: an assessment given in error is marked, never removed.
grant select, insert, update on assessments to carecoord_app;

-- +goose Down
drop table assessments;
