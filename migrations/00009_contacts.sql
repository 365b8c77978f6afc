-- +goose Up

-- A contact: one call, visit or message between the coordinator and the
-- patient or someone around them. The row holds the contact as it reads now;
-- a correction (its author, within 24 hours) first copies the row as it was
-- into contact_revisions, and after that only addenda may be added, so no
-- text once logged is ever lost.
create table contacts (
    tenant_id           uuid not null references tenants (id),
    id                  uuid not null default gen_random_uuid(),
    patient_id          uuid not null,
    occurred_at         timestamptz not null,
    method              text not null check (method in ('phone', 'video', 'in_person', 'home_visit', 'text', 'email', 'letter', 'portal')),
    direction           text not null check (direction in ('outbound', 'inbound')),
    -- With whom: the patient, a member of their care team, or someone else.
    -- The name and role are kept as they were at the time, so removing a
    -- care-team member later leaves the contact readable.
    party               text not null check (party in ('patient', 'care_team', 'other')),
    care_team_member_id uuid,
    party_name          text not null default '' check (length(party_name) <= 200),
    party_role          text not null default '' check (length(party_role) <= 100),
    outcome             text not null check (outcome in ('reached', 'left_message', 'no_answer', 'wrong_number', 'declined', 'sent')),
    minutes             integer check (minutes between 0 and 600),
    summary             text not null default '' check (length(summary) <= 4000),
    author_id           uuid not null references users (id),
    created_at          timestamptz not null default now(),
    corrected_at        timestamptz,
    version             integer not null default 1,
    primary key (tenant_id, id),
    foreign key (tenant_id, patient_id) references patients (tenant_id, id),
    -- PostgreSQL 15's column list: removing the member clears only the link.
    foreign key (tenant_id, care_team_member_id) references care_team_members (tenant_id, id) on delete set null (care_team_member_id),
    check (party <> 'other' or party_name <> '')
);
-- The chart's contact list and the per-patient recount after each contact.
create index contacts_patient_idx on contacts (tenant_id, patient_id, occurred_at desc, id desc);

-- A contact as it read before each correction; append-only.
create table contact_revisions (
    tenant_id    uuid not null references tenants (id),
    id           uuid not null default gen_random_uuid(),
    contact_id   uuid not null,
    number       integer not null,
    occurred_at  timestamptz not null,
    method       text not null,
    direction    text not null,
    party        text not null,
    party_name   text not null,
    party_role   text not null,
    outcome      text not null,
    minutes      integer,
    summary      text not null,
    corrected_by uuid not null references users (id),
    corrected_at timestamptz not null default now(),
    reason       text not null check (length(reason) between 1 and 500),
    primary key (tenant_id, id),
    foreign key (tenant_id, contact_id) references contacts (tenant_id, id),
    unique (tenant_id, contact_id, number)
);

-- Text added to a contact later, by anyone on the team; append-only.
create table contact_addenda (
    tenant_id  uuid not null references tenants (id),
    id         uuid not null default gen_random_uuid(),
    contact_id uuid not null,
    note       text not null check (length(note) between 1 and 4000),
    author_id  uuid not null references users (id),
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, contact_id) references contacts (tenant_id, id)
);
create index contact_addenda_contact_idx on contact_addenda (tenant_id, contact_id, created_at);

-- The care-plan goals a contact touched, with the progress note written
-- with it, if any.
create table contact_goals (
    tenant_id        uuid not null references tenants (id),
    contact_id       uuid not null,
    goal_id          uuid not null,
    progress_note_id uuid,
    primary key (tenant_id, contact_id, goal_id),
    foreign key (tenant_id, contact_id) references contacts (tenant_id, id),
    foreign key (tenant_id, goal_id) references goals (tenant_id, id),
    foreign key (tenant_id, progress_note_id) references goal_progress_notes (tenant_id, id)
);
create index contact_goals_goal_idx on contact_goals (tenant_id, goal_id);

-- A transition of care: the patient went into or out of a hospital, to an
-- emergency department, or into a care facility.
create table care_transitions (
    tenant_id   uuid not null references tenants (id),
    id          uuid not null default gen_random_uuid(),
    patient_id  uuid not null,
    kind        text not null check (kind in ('admission', 'discharge', 'emergency_visit', 'care_facility')),
    facility    text not null check (length(facility) between 1 and 200),
    -- The day it happened: admitted, discharged, seen, moved.
    occurred_on date not null,
    -- For a discharge, when the stay began, if known.
    admitted_on date,
    notes       text not null default '' check (length(notes) <= 4000),
    recorded_by uuid not null references users (id),
    created_at  timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, patient_id) references patients (tenant_id, id),
    check (admitted_on is null or (kind = 'discharge' and admitted_on <= occurred_on))
);
create index care_transitions_patient_idx on care_transitions (tenant_id, patient_id, occurred_on desc);
-- Supervisors' measures count transitions by kind over a period.
create index care_transitions_kind_idx on care_transitions (tenant_id, kind, occurred_on);

-- Tasks learn where they came from and how they ended.
alter table tasks add column source_contact_id uuid;
alter table tasks add foreign key (tenant_id, source_contact_id) references contacts (tenant_id, id);
alter table tasks add column source_transition_id uuid;
alter table tasks add foreign key (tenant_id, source_transition_id) references care_transitions (tenant_id, id);
alter table tasks add column completion_note text not null default '' check (length(completion_note) <= 2000);
-- Open discharge follow-ups of a patient, met by the next successful contact.
create index tasks_transition_idx on tasks (tenant_id, patient_id) where source = 'transition' and status = 'open';

-- What happened to a task after it was created; append-only.
create table task_events (
    tenant_id     uuid not null references tenants (id),
    id            uuid not null default gen_random_uuid(),
    task_id       uuid not null,
    kind          text not null check (kind in ('completed', 'rescheduled', 'handed_over')),
    note          text not null default '' check (length(note) <= 2000),
    from_due_at   timestamptz,
    to_due_at     timestamptz,
    from_assignee uuid references users (id),
    to_assignee   uuid references users (id),
    actor_id      uuid references users (id),
    -- clock_timestamp: several actions in one transaction keep their order.
    at            timestamptz not null default clock_timestamp(),
    primary key (tenant_id, id),
    foreign key (tenant_id, task_id) references tasks (tenant_id, id)
);
create index task_events_task_idx on task_events (tenant_id, task_id, at);

-- Whether the patient can be reached, kept on the patient in the same
-- transaction as every contact (recounted from the patient's contacts, so a
-- contact logged late or corrected counts in its place): the worklist reads
-- a coordinator's whole caseload and must not aggregate every contact of it.
-- last_reached_at is the last successful contact with the patient;
-- unreached_attempts the unsuccessful attempts to reach them since.
alter table patients add column last_reached_at timestamptz;
alter table patients add column unreached_attempts integer not null default 0;
alter table patients add column last_attempt_at timestamptz;

-- +goose StatementBegin
do $$
declare t text;
begin
    foreach t in array array['contacts', 'contact_revisions', 'contact_addenda', 'contact_goals', 'care_transitions', 'task_events'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format($p$create policy tenant_isolation on %I
            using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
            with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)$p$, t);
    end loop;
end $$;
-- +goose StatementEnd

-- A contact is corrected in place (its earlier wording kept in
-- contact_revisions) and never deleted; everything else here is history.
grant select, insert, update on contacts to carecoord_app;
grant select, insert on contact_revisions, contact_addenda, contact_goals, care_transitions, task_events to carecoord_app;

-- +goose Down
alter table patients drop column last_attempt_at;
alter table patients drop column unreached_attempts;
alter table patients drop column last_reached_at;
drop table task_events;
drop index tasks_transition_idx;
alter table tasks drop column completion_note;
alter table tasks drop column source_transition_id;
alter table tasks drop column source_contact_id;
drop table care_transitions;
drop table contact_goals;
drop table contact_addenda;
drop table contact_revisions;
drop table contacts;
