-- +goose Up

-- A patient's care plan. The items below (needs, goals, interventions) are
-- the plan as it is being written; what is in force is the snapshot of the
-- last approved revision. That way a revision can be drafted while the
-- approved plan stays in force, and every item keeps one id for life, so
-- tasks and progress notes stay attached across revisions.
--
-- status is the plan's life: draft (never approved), active (an approved
-- version is in force), completed, cancelled. stage is where the working
-- copy stands: editing, submitted (awaiting a supervisor) or approved
-- (identical to what is in force).
create table care_plans (
    tenant_id       uuid not null references tenants (id),
    id              uuid not null default gen_random_uuid(),
    patient_id      uuid not null,
    title           text not null check (length(title) between 1 and 200),
    status          text not null default 'draft' check (status in ('draft', 'active', 'completed', 'cancelled')),
    stage           text not null default 'editing' check (stage in ('editing', 'submitted', 'approved')),
    review_due      date,
    -- Who took part in writing the plan, in plain words, and whether the
    -- patient agreed to it: yes, no, or not asked yet.
    participants    text not null default '' check (length(participants) <= 1000),
    patient_agreed  text not null default 'not_yet' check (patient_agreed in ('yes', 'no', 'not_yet')),
    returned_comment text not null default '' check (length(returned_comment) <= 2000),
    submitted_by    uuid references users (id),
    submitted_at    timestamptz,
    approved_by     uuid references users (id),
    approved_at     timestamptz,
    closed_reason   text not null default '' check (length(closed_reason) <= 2000),
    created_by      uuid references users (id),
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    version         integer not null default 1,
    primary key (tenant_id, id),
    foreign key (tenant_id, patient_id) references patients (tenant_id, id),
    check (status <> 'active' or approved_at is not null)
);
-- At most one open plan per patient; completed and cancelled ones stay.
create unique index care_plans_one_open_key on care_plans (tenant_id, patient_id) where status in ('draft', 'active');
-- Approval queues and review dates.
create index care_plans_stage_idx on care_plans (tenant_id, stage) where stage = 'submitted';
create index care_plans_review_idx on care_plans (tenant_id, review_due) where status = 'active';

-- A need the plan addresses, in the plan's order.
create table care_plan_needs (
    tenant_id  uuid not null references tenants (id),
    id         uuid not null default gen_random_uuid(),
    plan_id    uuid not null,
    need_id    uuid not null,
    position   integer not null,
    -- in_force is set once an approved version contains the item: from then
    -- on it is never deleted, only closed by status.
    in_force   boolean not null default false,
    primary key (tenant_id, id),
    foreign key (tenant_id, plan_id) references care_plans (tenant_id, id),
    foreign key (tenant_id, need_id) references needs (tenant_id, id),
    unique (tenant_id, plan_id, need_id)
);

create table goals (
    tenant_id      uuid not null references tenants (id),
    id             uuid not null default gen_random_uuid(),
    plan_id        uuid not null,
    plan_need_id   uuid not null,
    position       integer not null,
    patient_words  text not null check (length(patient_words) between 1 and 500),
    target         text not null check (length(target) between 1 and 500),
    target_date    date not null,
    priority       text not null default 'medium' check (priority in ('high', 'medium', 'low')),
    status         text not null default 'proposed' check (status in ('proposed', 'in_progress', 'achieved', 'not_achieved', 'cancelled')),
    in_force       boolean not null default false,
    created_at     timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, plan_id) references care_plans (tenant_id, id),
    foreign key (tenant_id, plan_need_id) references care_plan_needs (tenant_id, id)
);
create index goals_plan_idx on goals (tenant_id, plan_id, position);

create table interventions (
    tenant_id        uuid not null references tenants (id),
    id               uuid not null default gen_random_uuid(),
    plan_id          uuid not null,
    goal_id          uuid not null,
    position         integer not null,
    action           text not null check (length(action) between 1 and 500),
    -- Who does it: a coordinator of the tenant (user), a member of the
    -- patient's care team, the patient, or their caregiver.
    responsible_kind text not null check (responsible_kind in ('coordinator', 'care_team', 'patient', 'caregiver')),
    responsible_user_id   uuid references users (id),
    responsible_member_id uuid,
    due_date         date,
    status           text not null default 'planned' check (status in ('planned', 'in_progress', 'done', 'cancelled')),
    in_force         boolean not null default false,
    created_at       timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, plan_id) references care_plans (tenant_id, id),
    foreign key (tenant_id, goal_id) references goals (tenant_id, id),
    foreign key (tenant_id, responsible_member_id) references care_team_members (tenant_id, id),
    check ((responsible_kind = 'coordinator') = (responsible_user_id is not null)),
    check ((responsible_kind = 'care_team') = (responsible_member_id is not null))
);
create index interventions_goal_idx on interventions (tenant_id, goal_id, position);

-- Every saved change of a plan, with the whole plan as it stood after it.
-- Immutable: the application may only add revisions.
create table care_plan_revisions (
    tenant_id  uuid not null references tenants (id),
    id         uuid not null default gen_random_uuid(),
    plan_id    uuid not null,
    number     integer not null,
    kind       text not null check (kind in ('created', 'edited', 'submitted', 'returned', 'approved', 'revision_started', 'completed', 'cancelled')),
    summary    text not null check (length(summary) between 1 and 500),
    comment    text not null default '' check (length(comment) <= 2000),
    snapshot   jsonb not null,
    actor_id   uuid references users (id),
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, plan_id) references care_plans (tenant_id, id),
    unique (tenant_id, plan_id, number)
);

-- Progress notes on a goal, at any time; append-only.
create table goal_progress_notes (
    tenant_id  uuid not null references tenants (id),
    id         uuid not null default gen_random_uuid(),
    goal_id    uuid not null,
    note       text not null check (length(note) between 1 and 2000),
    author_id  uuid references users (id),
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, goal_id) references goals (tenant_id, id)
);
create index goal_progress_notes_goal_idx on goal_progress_notes (tenant_id, goal_id, created_at);

-- An intervention due by a coordinator becomes a task on their worklist
-- when a version containing it is approved; one task per intervention.
alter table tasks add column source_intervention_id uuid;
alter table tasks add foreign key (tenant_id, source_intervention_id) references interventions (tenant_id, id);
create unique index tasks_intervention_key on tasks (tenant_id, source_intervention_id) where source = 'intervention';

-- +goose StatementBegin
do $$
declare t text;
begin
    foreach t in array array['care_plans', 'care_plan_needs', 'goals', 'interventions', 'care_plan_revisions', 'goal_progress_notes'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format($p$create policy tenant_isolation on %I
            using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
            with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)$p$, t);
    end loop;
end $$;
-- +goose StatementEnd

grant select, insert, update on care_plans to carecoord_app;
-- Draft items that were never in force may be removed.
grant select, insert, update, delete on care_plan_needs, goals, interventions to carecoord_app;
grant select, insert on care_plan_revisions, goal_progress_notes to carecoord_app;

-- +goose Down
drop index tasks_intervention_key;
alter table tasks drop column source_intervention_id;
drop table goal_progress_notes;
drop table care_plan_revisions;
drop table interventions;
drop table goals;
drop table care_plan_needs;
drop table care_plans;
