-- +goose Up

-- Invitations are pending memberships, and global like memberships: the
-- invitee opens the link before any tenant is chosen (usually before they
-- have an account), so the lookup by token cannot run inside a tenant
-- transaction. They hold no patient data. Only a SHA-256 hash of the link's
-- token is stored: a copy of this table lets nobody in.
create table invitations (
    id          uuid primary key default gen_random_uuid(),
    tenant_id   uuid not null references tenants (id),
    email       text not null check (email = lower(email) and length(email) between 3 and 254),
    role        text not null check (role in ('coordinator', 'supervisor', 'tenant_admin')),
    token_hash  bytea not null unique check (length(token_hash) = 32),
    invited_by  uuid references users (id),
    created_at  timestamptz not null default now(),
    expires_at  timestamptz not null,
    accepted_at timestamptz,
    accepted_by uuid references users (id),
    revoked_at  timestamptz,
    check ((accepted_at is null) = (accepted_by is null)),
    check (accepted_at is null or revoked_at is null)
);
-- One open invitation per person and tenant; a new one replaces the old.
create unique index invitations_open_key on invitations (tenant_id, email)
    where accepted_at is null and revoked_at is null;
create index invitations_tenant_idx on invitations (tenant_id, created_at desc);

-- Password-reset links: single use, short-lived, hash only.
create table password_resets (
    id         uuid primary key default gen_random_uuid(),
    user_id    uuid not null references users (id),
    token_hash bytea not null unique check (length(token_hash) = 32),
    created_by uuid references users (id),
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    used_at    timestamptz
);
create index password_resets_user_idx on password_resets (user_id) where used_at is null;

-- The audit log filters by who did it.
create index audit_events_actor_idx on audit_events (tenant_id, actor_id, at desc, id desc);

-- Account events beside sign-ins: a correct password refused because the
-- account has no active organisation, and password changes and resets.
alter table auth_events drop constraint auth_events_action_check;
alter table auth_events add constraint auth_events_action_check check (action in (
    'sign_in', 'sign_in_failed', 'sign_in_locked', 'sign_out',
    'sign_in_refused', 'password_changed', 'password_reset'));

-- No delete: used and revoked links stay as a record of who was let in.
grant select, insert, update on invitations, password_resets to carecoord_app;

-- +goose Down
delete from auth_events where action in ('sign_in_refused', 'password_changed', 'password_reset');
alter table auth_events drop constraint auth_events_action_check;
alter table auth_events add constraint auth_events_action_check check (action in (
    'sign_in', 'sign_in_failed', 'sign_in_locked', 'sign_out'));
drop index audit_events_actor_idx;
drop table password_resets;
drop table invitations;
