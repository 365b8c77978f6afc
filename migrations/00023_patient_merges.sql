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

-- Whether a patient's name (p_search: its search_name, p_family: its
-- family name) is like the given and family names: the whole name fairly
-- alike (trigram similarity 0.3: "Roza Delgato" for Rosa Delgado) or the
-- family name closely alike with another given name ("Rosalind" for Rosa).
-- Among people born on one day that makes a possible duplicate, at intake
-- (patients.PossibleDuplicates) and in the list below alike.
create function patient_names_alike(p_search text, p_family text, given text, family text) returns boolean
language sql immutable parallel safe
return similarity(p_search, lower(given || ' ' || family)) >= 0.3 or similarity(lower(p_family), lower(family)) >= 0.5;

-- The tenant's possible duplicates, derived from patients: a pair (the
-- smaller id first) born on one day with alike names, or sharing a phone,
-- an email or an external id (by the keys above), with why. Kept by a
-- trigger as each record is taken in or edited, so the supervisor's list
-- reads pages of a small table instead of comparing 100,000 records each
-- time (about 1 ms per record compared under row-level security).
create table patient_duplicate_candidates (
    tenant_id uuid not null references tenants (id),
    patient_a uuid not null,
    patient_b uuid not null,
    evidence  text[] not null,
    primary key (tenant_id, patient_a, patient_b),
    check (patient_a < patient_b),
    foreign key (tenant_id, patient_a) references patients (tenant_id, id),
    foreign key (tenant_id, patient_b) references patients (tenant_id, id)
);
create index patient_duplicate_candidates_b_idx on patient_duplicate_candidates (tenant_id, patient_b);

-- The candidates of one record, each found by index: its birth date, then
-- its phone, email and external id keys.
-- +goose StatementBegin
create function patient_candidates_of(t uuid, p uuid) returns table (other uuid, evidence text[])
language sql stable
as $$
    select c.id, array_agg(c.why order by c.why)
      from patients a,
      lateral (
        select b.id, 'birth_date_and_name' as why from patients b
         where b.tenant_id = t and b.date_of_birth = a.date_of_birth and b.id <> a.id
           and (patient_names_alike(b.search_name, b.family_name, a.given_name, a.family_name)
                or patient_names_alike(a.search_name, a.family_name, b.given_name, b.family_name))
        union all
        select b.id, 'phone' from patients b where b.tenant_id = t and a.phone_key <> '' and b.phone_key = a.phone_key and b.id <> a.id
        union all
        select b.id, 'email' from patients b where b.tenant_id = t and a.email_key <> '' and b.email_key = a.email_key and b.id <> a.id
        union all
        select b.id, 'external_id' from patients b
         where b.tenant_id = t and a.external_id_key <> '' and b.external_id_key = a.external_id_key and b.id <> a.id
      ) c
     where a.tenant_id = t and a.id = p
     group by c.id
$$;
-- +goose StatementEnd

-- +goose StatementBegin
create function patients_sync_duplicate_candidates() returns trigger
language plpgsql
as $$
begin
    delete from patient_duplicate_candidates
     where tenant_id = new.tenant_id and (patient_a = new.id or patient_b = new.id);
    insert into patient_duplicate_candidates (tenant_id, patient_a, patient_b, evidence)
    select new.tenant_id, least(new.id, c.other), greatest(new.id, c.other), c.evidence
      from patient_candidates_of(new.tenant_id, new.id) c;
    return null;
end
$$;
-- +goose StatementEnd

create trigger patients_sync_duplicate_candidates
    after insert or update of given_name, family_name, preferred_name, date_of_birth, phone, email, external_id on patients
    for each row execute function patients_sync_duplicate_candidates();

-- The candidates of the patients taken in before this migration, set by
-- set rather than record by record. FORCE binds the owner too, so it is
-- lifted for the backfill only; the migration is one transaction.
alter table patients no force row level security;
insert into patient_duplicate_candidates (tenant_id, patient_a, patient_b, evidence)
select tenant_id, a, b, array_agg(why order by why)
  from (
    select a.tenant_id, a.id as a, b.id as b, 'birth_date_and_name' as why
      from patients a join patients b on b.tenant_id = a.tenant_id and b.date_of_birth = a.date_of_birth and b.id > a.id
     where patient_names_alike(b.search_name, b.family_name, a.given_name, a.family_name)
        or patient_names_alike(a.search_name, a.family_name, b.given_name, b.family_name)
    union all
    select a.tenant_id, a.id, b.id, 'phone'
      from patients a join patients b on b.tenant_id = a.tenant_id and b.phone_key = a.phone_key and b.id > a.id where a.phone_key <> ''
    union all
    select a.tenant_id, a.id, b.id, 'email'
      from patients a join patients b on b.tenant_id = a.tenant_id and b.email_key = a.email_key and b.id > a.id where a.email_key <> ''
    union all
    select a.tenant_id, a.id, b.id, 'external_id'
      from patients a join patients b on b.tenant_id = a.tenant_id and b.external_id_key = a.external_id_key and b.id > a.id
     where a.external_id_key <> ''
  ) c
 group by tenant_id, a, b;
alter table patients force row level security;

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

alter table patient_duplicate_candidates enable row level security;
alter table patient_duplicate_candidates force row level security;
create policy tenant_isolation on patient_duplicate_candidates
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
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
-- The trigger runs as whoever changes the patient.
grant select, insert, delete on patient_duplicate_candidates to carecoord_app;
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
analyze patient_duplicate_candidates;

-- +goose Down
alter table audit_events add foreign key (tenant_id, patient_id) references patients (tenant_id, id) not valid;
revoke update (patient_id) on patient_events, care_transitions from carecoord_app;
revoke delete on patients from carecoord_app;
drop table patient_merges;
drop table patient_distinct_pairs;
drop trigger patients_sync_duplicate_candidates on patients;
drop function patients_sync_duplicate_candidates();
drop function patient_candidates_of(uuid, uuid);
drop table patient_duplicate_candidates;
drop function patient_names_alike(text, text, text, text);
alter table patients drop column phone_key, drop column email_key, drop column external_id_key;
