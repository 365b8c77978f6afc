-- +goose Up

-- Possible duplicates and merging two records of one person (issue 16).

-- Keys that compare what people type in different formats: a phone's
-- digits, an email in lower case, an external id (MRN, member id) without
-- spaces, dashes or case, and without the leading zeros of its numbers
-- ("mrn 000123" and "MRN-123" are one id). Generated, so they can never be
-- stale; stored plain so that the possible-duplicates list finds the
-- records sharing one by index under row-level security, where an
-- expression of a non-leakproof function could not be an index condition.
alter table patients
    add column phone_key text generated always as (regexp_replace(phone, '[^0-9]', '', 'g')) stored,
    add column email_key text generated always as (lower(btrim(email))) stored,
    add column external_id_key text generated always as (
        regexp_replace(upper(regexp_replace(external_id, '[^A-Za-z0-9]', '', 'g')), '(^|[^0-9])0+([0-9])', '\1\2', 'g')) stored;

create index patients_phone_key_idx on patients (tenant_id, phone_key) where phone_key <> '';
create index patients_email_key_idx on patients (tenant_id, email_key) where email_key <> '';
create index patients_external_id_key_idx on patients (tenant_id, external_id_key) where external_id_key <> '';

-- A supervisor's decision that two records are not the same person: the
-- pair no longer appears among the possible duplicates. patient_a < patient_b,
-- so a pair has one row whichever way it was decided.
create table patient_distinct_pairs (
    tenant_id  uuid not null references tenants (id),
    patient_a  uuid not null,
    patient_b  uuid not null,
    decided_by uuid references users (id),
    decided_at timestamptz not null,
    primary key (tenant_id, patient_a, patient_b),
    check (patient_a < patient_b),
    foreign key (tenant_id, patient_a) references patients (tenant_id, id),
    foreign key (tenant_id, patient_b) references patients (tenant_id, id)
);
create index patient_distinct_pairs_b_idx on patient_distinct_pairs (tenant_id, patient_b);

-- A record merged into another: its row in patients is gone (so no list,
-- search, worklist or count can show it), and this row keeps its address
-- answering "merged into …" and, in merged_record, every value it held,
-- so nothing typed is lost. chosen says, per field that differed, whose
-- value the survivor kept.
create table patient_merges (
    tenant_id     uuid not null references tenants (id),
    merged_id     uuid not null,
    survivor_id   uuid not null,
    merged_by     uuid references users (id),
    merged_at     timestamptz not null,
    merged_record jsonb not null,
    chosen        jsonb not null,
    primary key (tenant_id, merged_id),
    check (merged_id <> survivor_id),
    foreign key (tenant_id, survivor_id) references patients (tenant_id, id)
);
create index patient_merges_survivor_idx on patient_merges (tenant_id, survivor_id);

alter table patient_distinct_pairs enable row level security;
alter table patient_distinct_pairs force row level security;
create policy tenant_isolation on patient_distinct_pairs
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
alter table patient_merges enable row level security;
alter table patient_merges force row level security;
create policy tenant_isolation on patient_merges
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

-- A merge re-points the distinct pairs and earlier merges of the record it
-- merges away, and deletes its row.
grant select, insert, update, delete on patient_distinct_pairs to carecoord_app;
grant select, insert, update on patient_merges to carecoord_app;
grant delete on patients to carecoord_app;
-- The timeline and transitions stay append-only, but a merge moves them
-- to the survivor: only their patient may change.
grant update (patient_id) on patient_events, care_transitions to carecoord_app;

-- The audit log is append-only and says what happened to the record as it
-- was then: a merged-away record's events keep its id (patient_merges
-- resolves it), so that id may no longer name a row of patients.
alter table audit_events drop constraint audit_events_tenant_id_patient_id_fkey;

analyze patients;

-- +goose Down
alter table audit_events add foreign key (tenant_id, patient_id) references patients (tenant_id, id) not valid;
revoke update (patient_id) on patient_events, care_transitions from carecoord_app;
revoke delete on patients from carecoord_app;
drop table patient_merges;
drop table patient_distinct_pairs;
alter table patients drop column phone_key, drop column email_key, drop column external_id_key;
