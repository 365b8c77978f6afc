-- +goose Up

-- The tenant's directory of community organisations and services. A
-- resource is never deleted (referrals point at it); one that closes or
-- stops taking referrals is archived (active = false).
create table resources (
    tenant_id     uuid not null references tenants (id),
    id            uuid not null default gen_random_uuid(),
    name          text not null check (length(name) between 1 and 200),
    services      text not null default '' check (length(services) <= 2000),
    -- The need domains served: the same domains as needs.
    domains       text[] not null check (cardinality(domains) >= 1 and domains <@ array['food', 'housing',
                      'transportation', 'utilities', 'safety', 'mental_health', 'medical', 'financial', 'social_isolation']),
    address_line  text not null default '' check (length(address_line) <= 200),
    city          text not null default '' check (length(city) <= 100),
    region        text not null default '' check (length(region) <= 100),
    postal_code   text not null default '' check (length(postal_code) <= 20),
    phone         text not null default '' check (length(phone) <= 40),
    fax           text not null default '' check (length(fax) <= 40),
    email         text not null default '' check (length(email) <= 200),
    website       text not null default '' check (length(website) <= 300),
    hours         text not null default '' check (length(hours) <= 500),
    eligibility   text not null default '' check (length(eligibility) <= 1000),
    -- Languages spoken, as their English names ("Spanish").
    languages     text[] not null default '{}',
    cost          text not null default 'free' check (cost in ('free', 'sliding_scale', 'low_cost', 'insurance', 'fee')),
    -- How a referral reaches them, and what they ask for.
    refer_by      text[] not null default '{}' check (refer_by <@ array['phone', 'email', 'fax', 'walk_in', 'online']),
    how_to_refer  text not null default '' check (length(how_to_refer) <= 1000),
    active        boolean not null default true,
    -- What a text search looks through: the name and the services.
    search_text   text generated always as (name || ' ' || services) stored,
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now(),
    version       integer not null default 1,
    primary key (tenant_id, id)
);
create index resources_name_idx on resources (tenant_id, active, name, id);

-- Typo-tolerant search keys of each resource's name and services, kept by a
-- trigger, for the reason explained in 00003_patient_search.sql: pg_trgm's
-- operators cannot use an index under row-level security, equality on
-- these keys can. The key functions of patient names are reused: they only
-- split words and take prefixes and sounds.
create table resource_search_keys (
    tenant_id   uuid not null,
    key         text not null,
    resource_id uuid not null,
    primary key (tenant_id, key, resource_id),
    foreign key (tenant_id, resource_id) references resources (tenant_id, id)
);

-- +goose StatementBegin
create function resources_sync_search_keys() returns trigger
language plpgsql
as $$
begin
    if tg_op = 'UPDATE' then
        if new.search_text = old.search_text then
            return null;
        end if;
        delete from resource_search_keys
         where tenant_id = old.tenant_id and key = any(patient_name_keys(old.search_text)) and resource_id = old.id;
    end if;
    insert into resource_search_keys (tenant_id, key, resource_id)
    select new.tenant_id, k, new.id from unnest(patient_name_keys(new.search_text)) k;
    return null;
end
$$;
-- +goose StatementEnd

create trigger resources_sync_search_keys
    after insert or update of name, services on resources
    for each row execute function resources_sync_search_keys();

-- A referral connects a patient's need (and, often, a goal of the plan) to
-- a resource of the directory or a clinical provider of the care team, and
-- follows it until the loop is closed with an outcome. A clinical referral
-- may serve no social need (a specialist for a heart condition).
create table referrals (
    tenant_id           uuid not null references tenants (id),
    id                  uuid not null default gen_random_uuid(),
    patient_id          uuid not null,
    need_id             uuid,
    goal_id             uuid,
    resource_id         uuid,
    care_team_member_id uuid,
    -- Who receives it, as named when it was made: a provider may later
    -- leave the care team.
    to_name             text not null check (length(to_name) between 1 and 200),
    reason              text not null check (length(reason) between 1 and 2000),
    status              text not null default 'draft' check (status in ('draft', 'sent', 'accepted', 'in_progress',
                            'completed', 'declined', 'no_response', 'cancelled')),
    outcome             text check (outcome in ('met', 'partly_met', 'not_met')),
    outcome_note        text not null default '' check (length(outcome_note) <= 2000),
    -- What the receiving organisation may see of the patient, chosen when
    -- it was sent, and the consent that allowed it.
    shared_fields       text[] not null default '{}' check (shared_fields <@ array['contact', 'address',
                            'date_of_birth', 'language', 'need', 'insurance']),
    consent_basis       text not null default '' check (length(consent_basis) <= 300),
    consent_checked_by  uuid references users (id),
    consent_checked_at  timestamptz,
    -- A clinical referral: the coverage it uses and whether the payer must
    -- authorise it first.
    coverage_id         uuid,
    payer               text not null default '' check (length(payer) <= 200),
    prior_auth_required boolean not null default false,
    sent_at             timestamptz,
    -- The day an unanswered referral is followed up: the tenant's
    -- follow-up period in business days after it was sent.
    follow_up_due       date,
    closed_at           timestamptz,
    created_by          uuid references users (id),
    created_at          timestamptz not null default now(),
    updated_at          timestamptz not null default now(),
    version             integer not null default 1,
    primary key (tenant_id, id),
    foreign key (tenant_id, patient_id) references patients (tenant_id, id),
    foreign key (tenant_id, need_id) references needs (tenant_id, id),
    foreign key (tenant_id, goal_id) references goals (tenant_id, id),
    foreign key (tenant_id, resource_id) references resources (tenant_id, id),
    foreign key (tenant_id, care_team_member_id) references care_team_members (tenant_id, id) on delete set null (care_team_member_id),
    foreign key (tenant_id, coverage_id) references coverages (tenant_id, id) on delete set null (coverage_id),
    check (resource_id is null or care_team_member_id is null),
    check (resource_id is null or need_id is not null),
    check ((status = 'completed') = (outcome is not null)),
    check (status in ('draft', 'cancelled') or (sent_at is not null and consent_checked_at is not null)),
    check ((status in ('completed', 'declined', 'no_response', 'cancelled')) = (closed_at is not null))
);
create index referrals_patient_idx on referrals (tenant_id, patient_id, created_at desc);
create index referrals_resource_idx on referrals (tenant_id, resource_id, status) where resource_id is not null;
create index referrals_need_idx on referrals (tenant_id, need_id);
create index referrals_goal_idx on referrals (tenant_id, goal_id) where goal_id is not null;
-- Open referrals by age, and sent ones waiting for an answer.
create index referrals_open_idx on referrals (tenant_id, created_at) where status in ('draft', 'sent', 'accepted', 'in_progress');
create index referrals_follow_up_idx on referrals (tenant_id, follow_up_due) where status = 'sent';

-- Every step of a referral: who moved it to which status, when, and why.
create table referral_events (
    tenant_id   uuid not null references tenants (id),
    id          uuid not null default gen_random_uuid(),
    referral_id uuid not null,
    status      text not null,
    note        text not null default '' check (length(note) <= 2000),
    actor_id    uuid references users (id),
    at          timestamptz not null default clock_timestamp(),
    primary key (tenant_id, id),
    foreign key (tenant_id, referral_id) references referrals (tenant_id, id)
);
create index referral_events_referral_idx on referral_events (tenant_id, referral_id, at);

-- The payer's prior authorisation of a clinical referral: one per
-- referral, kept up to date as the payer answers.
create table authorizations (
    tenant_id       uuid not null references tenants (id),
    id              uuid not null default gen_random_uuid(),
    referral_id     uuid not null,
    status          text not null check (status in ('not_needed', 'requested', 'approved', 'denied', 'appealed')),
    number          text not null default '' check (length(number) <= 100),
    approved_units  integer check (approved_units between 1 and 10000),
    unit            text not null default 'visits' check (unit in ('visits', 'units', 'days', 'hours')),
    valid_from      date,
    valid_to        date,
    notes           text not null default '' check (length(notes) <= 2000),
    -- The end date an expiry task was raised for; a task is raised once per
    -- end date, and again when the authorisation is renewed to a new one.
    expiry_task_for date,
    updated_by      uuid references users (id),
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    version         integer not null default 1,
    primary key (tenant_id, id),
    foreign key (tenant_id, referral_id) references referrals (tenant_id, id),
    unique (tenant_id, referral_id),
    check (valid_from is null or valid_to is null or valid_from <= valid_to),
    check (status <> 'approved' or valid_to is not null)
);
create index authorizations_expiry_idx on authorizations (tenant_id, valid_to) where status = 'approved';

-- An appointment of the patient's: with a care-team member, a resource or
-- someone else, from a referral or on its own.
create table appointments (
    tenant_id            uuid not null references tenants (id),
    id                   uuid not null default gen_random_uuid(),
    patient_id           uuid not null,
    referral_id          uuid,
    care_team_member_id  uuid,
    resource_id          uuid,
    -- With whom, as named when it was made.
    with_name            text not null check (length(with_name) between 1 and 200),
    starts_at            timestamptz not null,
    minutes              integer not null default 60 check (minutes between 5 and 600),
    location             text not null default '' check (length(location) <= 300),
    purpose              text not null check (length(purpose) between 1 and 500),
    transport_needed     boolean not null default false,
    transport_arranged   boolean not null default false,
    interpreter_needed   boolean not null default false,
    interpreter_arranged boolean not null default false,
    reminded_at          timestamptz,
    status               text not null default 'scheduled' check (status in ('scheduled', 'kept', 'missed', 'cancelled')),
    note                 text not null default '' check (length(note) <= 2000),
    created_by           uuid references users (id),
    created_at           timestamptz not null default now(),
    updated_at           timestamptz not null default now(),
    version              integer not null default 1,
    primary key (tenant_id, id),
    foreign key (tenant_id, patient_id) references patients (tenant_id, id),
    foreign key (tenant_id, referral_id) references referrals (tenant_id, id),
    foreign key (tenant_id, care_team_member_id) references care_team_members (tenant_id, id) on delete set null (care_team_member_id),
    foreign key (tenant_id, resource_id) references resources (tenant_id, id),
    check (resource_id is null or care_team_member_id is null)
);
create index appointments_patient_idx on appointments (tenant_id, patient_id, starts_at);
create index appointments_scheduled_idx on appointments (tenant_id, starts_at) where status = 'scheduled';

-- Tasks raised by referrals, authorisations and appointments.
alter table tasks drop constraint tasks_source_check;
alter table tasks add constraint tasks_source_check check (source in ('safety_alert', 'contact', 'intervention', 'cadence',
    'transition', 'manual', 'referral', 'authorization', 'appointment'));
alter table tasks add column source_referral_id uuid;
alter table tasks add foreign key (tenant_id, source_referral_id) references referrals (tenant_id, id);
alter table tasks add column source_authorization_id uuid;
alter table tasks add foreign key (tenant_id, source_authorization_id) references authorizations (tenant_id, id);
alter table tasks add column source_appointment_id uuid;
alter table tasks add foreign key (tenant_id, source_appointment_id) references appointments (tenant_id, id);
-- One no-response follow-up per referral and one follow-up per missed
-- appointment, however often they are raised. Authorisation tasks are kept
-- to one per event by authorizations.expiry_task_for and by being raised in
-- the transaction that records a denial.
create unique index tasks_referral_key on tasks (tenant_id, source_referral_id) where source = 'referral';
create unique index tasks_appointment_key on tasks (tenant_id, source_appointment_id) where source = 'appointment';

-- Home health is a clinical provider a referral may go to.
alter table care_team_members drop constraint care_team_members_kind_check;
alter table care_team_members add constraint care_team_members_kind_check check (kind in ('caregiver', 'primary_care',
    'specialist', 'behavioral_health', 'home_health', 'payer', 'community', 'other'));

-- +goose StatementBegin
do $$
declare t text;
begin
    foreach t in array array['resources', 'resource_search_keys', 'referrals', 'referral_events', 'authorizations', 'appointments'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format($p$create policy tenant_isolation on %I
            using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
            with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)$p$, t);
    end loop;
end $$;
-- +goose StatementEnd

-- Nothing here is deleted: resources are archived, referrals cancelled,
-- appointments cancelled. The trigger replaces search keys as whoever
-- edits the resource.
grant select, insert, update on resources, referrals, authorizations, appointments to carecoord_app;
grant select, insert, delete on resource_search_keys to carecoord_app;
grant select, insert on referral_events to carecoord_app;

-- +goose Down
alter table care_team_members drop constraint care_team_members_kind_check;
alter table care_team_members add constraint care_team_members_kind_check check (kind in ('caregiver', 'primary_care',
    'specialist', 'behavioral_health', 'payer', 'community', 'other'));
drop index tasks_appointment_key;
drop index tasks_referral_key;
alter table tasks drop column source_appointment_id;
alter table tasks drop column source_authorization_id;
alter table tasks drop column source_referral_id;
alter table tasks no force row level security;
delete from tasks where source in ('referral', 'authorization', 'appointment');
alter table tasks force row level security;
alter table tasks drop constraint tasks_source_check;
alter table tasks add constraint tasks_source_check check (source in ('safety_alert', 'contact', 'intervention', 'cadence',
    'transition', 'manual'));
drop table appointments;
drop table authorizations;
drop table referral_events;
drop table referrals;
drop trigger resources_sync_search_keys on resources;
drop function resources_sync_search_keys();
drop table resource_search_keys;
drop table resources;
