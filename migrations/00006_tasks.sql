-- +goose Up

-- A task is one thing someone on the team must do for a patient by a date.
-- Issue 5 creates them from safety alerts; later features add the other
-- sources and completing, rescheduling and handing tasks over, which is why
-- status, version and the completion columns exist already.
create table tasks (
    tenant_id            uuid not null references tenants (id),
    id                   uuid not null default gen_random_uuid(),
    patient_id           uuid not null,
    title                text not null check (length(title) between 1 and 200),
    due_at               timestamptz not null,
    assignee_id          uuid references users (id),
    status               text not null default 'open' check (status in ('open', 'done', 'cancelled')),
    priority             text not null default 'normal' check (priority in ('urgent', 'normal')),
    source               text not null check (source in ('safety_alert', 'contact', 'intervention', 'cadence', 'transition', 'manual')),
    -- The assessment whose result raised the task, for safety alerts.
    source_assessment_id uuid,
    completed_by         uuid references users (id),
    completed_at         timestamptz,
    created_at           timestamptz not null default now(),
    version              integer not null default 1,
    primary key (tenant_id, id),
    foreign key (tenant_id, patient_id) references patients (tenant_id, id),
    foreign key (tenant_id, source_assessment_id) references assessments (tenant_id, id),
    check ((status = 'done') = (completed_at is not null))
);
-- A worklist: one person's open tasks by due date.
create index tasks_assignee_idx on tasks (tenant_id, assignee_id, status, due_at);
-- The chart's open tasks.
create index tasks_patient_idx on tasks (tenant_id, patient_id, status);
-- One safety task per assessment, however often its completion is retried.
create unique index tasks_safety_assessment_key on tasks (tenant_id, source_assessment_id) where source = 'safety_alert';

alter table tasks enable row level security;
alter table tasks force row level security;
create policy tenant_isolation on tasks
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

-- No delete: a task that is no longer needed is cancelled, never removed.
grant select, insert, update on tasks to carecoord_app;

-- +goose Down
drop table tasks;
