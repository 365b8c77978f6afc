-- +goose Up

-- Two-step sign-in (issue 21): an authenticator app's TOTP secret and
-- one-time recovery codes, per user. Global like users: the second step
-- happens before any tenant is chosen. The secret is stored sealed with
-- the key in MFA_KEY (AES-GCM, see internal/auth/mfa_secret.go); a
-- recovery code only as its SHA-256 hash.
create table user_totp (
    user_id      uuid primary key references users (id),
    secret       bytea not null,
    -- Null while enrolment waits for the first code from the app.
    confirmed_at timestamptz,
    -- The last 30-second step whose code was accepted: a code is good
    -- once, so one seen over a shoulder cannot be replayed.
    last_step    bigint not null default 0,
    created_at   timestamptz not null default now()
);

create table recovery_codes (
    user_id   uuid not null references users (id),
    code_hash bytea not null check (length(code_hash) = 32),
    used_at   timestamptz,
    primary key (user_id, code_hash)
);

alter table auth_events drop constraint auth_events_action_check;
alter table auth_events add constraint auth_events_action_check check (action in (
    'sign_in', 'sign_in_failed', 'sign_in_locked', 'sign_out',
    'sign_in_refused', 'password_changed', 'password_reset',
    'mfa_enrolled', 'mfa_verified', 'mfa_failed', 'mfa_recovery_used', 'mfa_reset'));

-- Delete: an enrolment is replaced or reset, and codes with it.
grant select, insert, update, delete on user_totp, recovery_codes to carecoord_app;

-- +goose Down
delete from auth_events where action like 'mfa\_%';
alter table auth_events drop constraint auth_events_action_check;
alter table auth_events add constraint auth_events_action_check check (action in (
    'sign_in', 'sign_in_failed', 'sign_in_locked', 'sign_out',
    'sign_in_refused', 'password_changed', 'password_reset'));
drop table recovery_codes;
drop table user_totp;
