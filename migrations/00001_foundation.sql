-- +goose Up

-- Global tables: tenants, users, memberships, sessions and sign-in events are
-- not owned by a tenant, so they carry no row-level security. The application
-- reaches them only through the queries in internal/auth and internal/tenants.

create extension if not exists pg_trgm;

create table tenants (
    id         uuid primary key default gen_random_uuid(),
    slug       text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$'),
    name       text not null check (length(name) between 1 and 200),
    status     text not null default 'active' check (status in ('active', 'suspended')),
    settings   jsonb not null default '{}'::jsonb,
    created_at timestamptz not null default now()
);

create table users (
    id              uuid primary key default gen_random_uuid(),
    email           text not null check (email = lower(email) and length(email) between 3 and 254),
    name            text not null check (length(name) between 1 and 200),
    password_hash   text not null,
    platform_admin  boolean not null default false,
    disabled        boolean not null default false,
    -- Sign-in throttling lives here, not in process memory, so that every
    -- replica of the app sees the same count.
    failed_logins   integer not null default 0,
    first_failed_at timestamptz,
    locked_until    timestamptz,
    -- Bumped to end every session of the user at once (password change,
    -- deactivation): a session remembers the version it was created with.
    session_version integer not null default 1,
    created_at      timestamptz not null default now()
);
create unique index users_email_key on users (email);

create table memberships (
    tenant_id  uuid not null references tenants (id),
    user_id    uuid not null references users (id),
    role       text not null check (role in ('coordinator', 'supervisor', 'tenant_admin')),
    active     boolean not null default true,
    created_at timestamptz not null default now(),
    primary key (tenant_id, user_id)
);
create index memberships_user_idx on memberships (user_id);

-- The session table of github.com/alexedwards/scs/pgxstore.
create table sessions (
    token  text primary key,
    data   bytea not null,
    expiry timestamptz not null
);
create index sessions_expiry_idx on sessions (expiry);

-- Sign-in attempts happen before a tenant is chosen (and for unknown emails,
-- with no user at all), so they are recorded globally. Append-only.
create table auth_events (
    id      uuid primary key default gen_random_uuid(),
    at      timestamptz not null default now(),
    user_id uuid references users (id),
    email   text not null,
    action  text not null check (action in ('sign_in', 'sign_in_failed', 'sign_in_locked', 'sign_out')),
    ip      text not null default ''
);
create index auth_events_user_idx on auth_events (user_id, at desc);

-- Tenant-owned tables follow DESIGN.md section 5: tenant_id leads the primary
-- key, foreign keys between tenant tables include it, and row-level security
-- is enabled and forced.

create table audit_events (
    tenant_id   uuid not null references tenants (id),
    id          uuid not null default gen_random_uuid(),
    at          timestamptz not null default now(),
    actor_id    uuid references users (id),
    action      text not null check (length(action) between 1 and 80),
    entity_type text not null default '',
    entity_id   uuid,
    patient_id  uuid,
    ip          text not null default '',
    request_id  text not null default '',
    detail      jsonb not null default '{}'::jsonb,
    primary key (tenant_id, id)
);
create index audit_events_at_idx on audit_events (tenant_id, at desc, id desc);
create index audit_events_patient_idx on audit_events (tenant_id, patient_id, at desc) where patient_id is not null;

alter table audit_events enable row level security;
alter table audit_events force row level security;
-- nullif: after a transaction-local set_config ends, the setting reads as ''
-- rather than disappearing, and ''::uuid would raise instead of matching nothing.
create policy tenant_isolation on audit_events
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

-- The application role (see .ci/postgres.sh) reads and writes data but owns
-- nothing, so it can neither alter tables nor step around their policies.
-- Audit events and sign-in events are append-only for it.
grant select, insert, update on tenants, users, memberships to carecoord_app;
grant select, insert, update, delete on sessions to carecoord_app;
grant select, insert on auth_events, audit_events to carecoord_app;

-- +goose Down
drop table audit_events;
drop table auth_events;
drop table sessions;
drop table memberships;
drop table users;
drop table tenants;
