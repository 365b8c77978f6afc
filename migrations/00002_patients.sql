-- +goose Up

create table patients (
    tenant_id                uuid not null references tenants (id),
    id                       uuid not null default gen_random_uuid(),
    given_name               text not null check (length(given_name) between 1 and 100),
    family_name              text not null check (length(family_name) between 1 and 100),
    preferred_name           text not null default '' check (length(preferred_name) <= 100),
    date_of_birth            date not null,
    sex                      text not null default '' check (sex in ('', 'female', 'male', 'intersex', 'unknown')),
    gender_identity          text not null default '' check (length(gender_identity) <= 100),
    pronouns                 text not null default '' check (length(pronouns) <= 40),
    phone                    text not null default '' check (length(phone) <= 30),
    phone_alt                text not null default '' check (length(phone_alt) <= 30),
    best_time_to_call        text not null default '' check (length(best_time_to_call) <= 100),
    email                    text not null default '' check (length(email) <= 254),
    address_line1            text not null default '' check (length(address_line1) <= 200),
    address_line2            text not null default '' check (length(address_line2) <= 200),
    city                     text not null default '' check (length(city) <= 100),
    region                   text not null default '' check (length(region) <= 100),
    postal_code              text not null default '' check (length(postal_code) <= 20),
    preferred_contact_method text not null default '' check (preferred_contact_method in ('', 'phone', 'text', 'email', 'mail', 'in_person')),
    preferred_language       text not null default 'English' check (length(preferred_language) between 1 and 60),
    interpreter_needed       boolean not null default false,
    external_id              text not null default '' check (length(external_id) <= 60),
    status                   text not null default 'referred' check (status in ('referred', 'active', 'on_hold', 'discharged')),
    risk_tier                text not null default 'moderate' check (risk_tier in ('low', 'moderate', 'high')),
    assigned_coordinator_id  uuid references users (id),
    referral_source          text not null default '' check (length(referral_source) <= 200),
    referral_date            date,
    referral_reason          text not null default '' check (length(referral_reason) <= 2000),
    version                  integer not null default 1,
    created_by               uuid references users (id),
    created_at               timestamptz not null default now(),
    updated_at               timestamptz not null default now(),
    -- What name search matches against: legal and preferred names together.
    search_name              text generated always as (lower(given_name || ' ' || family_name || ' ' || preferred_name)) stored,
    primary key (tenant_id, id)
);
-- An external MRN or member id is unique within a tenant, not globally.
create unique index patients_external_id_key on patients (tenant_id, external_id) where external_id <> '';
-- Caseload lists: by coordinator and status, in name order for keyset paging.
create index patients_caseload_idx on patients (tenant_id, assigned_coordinator_id, status, family_name, given_name, id);
create index patients_name_order_idx on patients (tenant_id, family_name, given_name, id);
create index patients_dob_idx on patients (tenant_id, date_of_birth);

create table care_team_members (
    tenant_id         uuid not null,
    id                uuid not null default gen_random_uuid(),
    patient_id        uuid not null,
    kind              text not null check (kind in ('caregiver', 'primary_care', 'specialist', 'behavioral_health', 'payer', 'community', 'other')),
    name              text not null check (length(name) between 1 and 200),
    relationship      text not null default '' check (length(relationship) <= 100),
    organisation      text not null default '' check (length(organisation) <= 200),
    phone             text not null default '' check (length(phone) <= 30),
    email             text not null default '' check (length(email) <= 254),
    emergency_contact boolean not null default false,
    consent_to_share  boolean not null default false,
    created_at        timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, patient_id) references patients (tenant_id, id)
);
create index care_team_patient_idx on care_team_members (tenant_id, patient_id);

create table coverages (
    tenant_id      uuid not null,
    id             uuid not null default gen_random_uuid(),
    patient_id     uuid not null,
    payer          text not null check (length(payer) between 1 and 200),
    plan_name      text not null default '' check (length(plan_name) <= 200),
    member_id      text not null default '' check (length(member_id) <= 60),
    group_number   text not null default '' check (length(group_number) <= 60),
    effective_from date,
    effective_to   date,
    is_primary     boolean not null default false,
    created_at     timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, patient_id) references patients (tenant_id, id),
    check (effective_to is null or effective_from is null or effective_to >= effective_from)
);
create index coverages_patient_idx on coverages (tenant_id, patient_id);
-- At most one primary coverage per patient.
create unique index coverages_one_primary_key on coverages (tenant_id, patient_id) where is_primary;

create table consents (
    tenant_id  uuid not null,
    id         uuid not null default gen_random_uuid(),
    patient_id uuid not null,
    kind       text not null check (kind in ('treatment', 'information_sharing', 'text_messages')),
    given_on   date not null,
    given_by   text not null check (length(given_by) between 1 and 200),
    expires_on date,
    revoked_on date,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, patient_id) references patients (tenant_id, id)
);
create index consents_patient_idx on consents (tenant_id, patient_id, kind);

-- The chart's timeline: one line per thing that happened to the patient,
-- written in the same transaction as the change. Later features add kinds.
create table patient_events (
    tenant_id  uuid not null,
    id         uuid not null default gen_random_uuid(),
    patient_id uuid not null,
    at         timestamptz not null default now(),
    actor_id   uuid references users (id),
    kind       text not null check (length(kind) between 1 and 60),
    summary    text not null check (length(summary) between 1 and 500),
    primary key (tenant_id, id),
    foreign key (tenant_id, patient_id) references patients (tenant_id, id)
);
create index patient_events_timeline_idx on patient_events (tenant_id, patient_id, at desc, id desc);

alter table audit_events
    add foreign key (tenant_id, patient_id) references patients (tenant_id, id);

-- +goose StatementBegin
do $$
declare t text;
begin
    foreach t in array array['patients', 'care_team_members', 'coverages', 'consents', 'patient_events'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format($p$create policy tenant_isolation on %I
            using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
            with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)$p$, t);
    end loop;
end $$;
-- +goose StatementEnd

grant select, insert, update on patients to carecoord_app;
grant select, insert, update, delete on care_team_members, coverages, consents to carecoord_app;
-- The timeline is history: appended, never rewritten.
grant select, insert on patient_events to carecoord_app;

-- +goose Down
alter table audit_events drop constraint audit_events_tenant_id_patient_id_fkey;
drop table patient_events;
drop table consents;
drop table coverages;
drop table care_team_members;
drop table patients;
