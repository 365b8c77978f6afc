-- +goose Up

-- A need on the patient's care plan. Most come from an assessment's
-- proposals; a declined proposal is kept as a declined need, with its
-- reason, so the same result does not propose it again.
create table needs (
    tenant_id            uuid not null references tenants (id),
    id                   uuid not null default gen_random_uuid(),
    patient_id           uuid not null,
    domain               text not null check (domain in ('food', 'housing', 'transportation', 'utilities', 'safety',
                             'mental_health', 'medical', 'financial', 'social_isolation')),
    description          text not null default '' check (length(description) <= 500),
    priority             text not null default 'medium' check (priority in ('high', 'medium', 'low')),
    status               text not null default 'identified' check (status in ('identified', 'addressing', 'resolved', 'declined')),
    source_assessment_id uuid,
    decline_reason       text not null default '' check (length(decline_reason) <= 2000),
    created_by           uuid references users (id),
    created_at           timestamptz not null default now(),
    updated_at           timestamptz not null default now(),
    version              integer not null default 1,
    primary key (tenant_id, id),
    foreign key (tenant_id, patient_id) references patients (tenant_id, id),
    foreign key (tenant_id, source_assessment_id) references assessments (tenant_id, id),
    check (status <> 'declined' or decline_reason <> '')
);
-- One decision per proposal: an assessment's domain is accepted or declined
-- once.
create unique index needs_source_domain_key on needs (tenant_id, source_assessment_id, domain)
    where source_assessment_id is not null;
-- The chart's list.
create index needs_patient_idx on needs (tenant_id, patient_id, status, created_at);

alter table needs enable row level security;
alter table needs force row level security;
create policy tenant_isolation on needs
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

-- No delete: a need is resolved or declined, never removed.
grant select, insert, update on needs to carecoord_app;

-- +goose Down
drop table needs;
