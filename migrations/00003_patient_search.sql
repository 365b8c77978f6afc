-- +goose Up

-- Why this exists: pg_trgm's operators (%, <%) are not LEAKPROOF, and under
-- row-level security PostgreSQL never lets a non-leakproof condition into an
-- index scan. So a trigram GIN index cannot serve the application role:
-- every typo-tolerant search read the whole tenant and computed
-- word_similarity on each row (170-290 ms on a 100,000-patient tenant; with
-- the keys below about 20 ms, see internal/patients/search_bench_test.go).
-- Only a superuser may mark a function LEAKPROOF, and migrations do not run
-- as one.
--
-- Instead each word of a patient's names gets short keys: its first two,
-- three and four letters, and its Double Metaphone sound (fuzzystrmatch).
-- Keys are found with plain text equality, which is leakproof, so the index
-- serves them. A search looks up the keys of the words typed (first four
-- letters and sound), and pg_trgm word similarity then decides and ranks
-- among those candidates only. A typo after the fourth letter is caught by
-- the prefix, an earlier one that keeps the sound (Jhonson, Mragaret) by the
-- sound; a word matching neither (an early typo that changes the sound)
-- needs another word of the name to match.
create extension if not exists fuzzystrmatch;

-- +goose StatementBegin
-- patient_name_words splits names into lower-case words; apostrophes join
-- (O'Brien is one word, obrien), anything else that is not a letter splits.
create function patient_name_words(name text) returns setof text
language sql immutable strict parallel safe
as $$
    select w
      from unnest(regexp_split_to_array(lower(translate(name, '''’', '')), '[^[:alpha:]]+')) w
     where w <> ''
$$;
-- +goose StatementEnd

-- +goose StatementBegin
-- patient_name_keys is what a stored name is found by.
create function patient_name_keys(name text) returns text[]
language sql immutable strict parallel safe
as $$
    select coalesce(array_agg(distinct k) filter (where k is not null), '{}')
      from patient_name_words(name) w,
           lateral (values ('p' || left(w, 2)), ('p' || left(w, 3)), ('p' || left(w, 4)), ('s' || nullif(dmetaphone(w), ''))) v(k)
$$;
-- +goose StatementEnd

-- +goose StatementBegin
-- patient_search_keys is what a typed search looks for: the first four
-- letters of each word (all of a shorter word, which then matches the
-- stored two- or three-letter keys) and its sound.
create function patient_search_keys(query text) returns text[]
language sql immutable strict parallel safe
as $$
    select coalesce(array_agg(distinct k) filter (where k is not null), '{}')
      from patient_name_words(query) w,
           lateral (values ('p' || left(w, 4)), ('s' || nullif(dmetaphone(w), ''))) v(k)
$$;
-- +goose StatementEnd

create table patient_name_keys (
    tenant_id  uuid not null,
    key        text not null,
    patient_id uuid not null,
    primary key (tenant_id, key, patient_id),
    foreign key (tenant_id, patient_id) references patients (tenant_id, id)
);

-- +goose StatementBegin
-- Keys follow the names in the same statement, so they can never be stale.
create function patients_sync_name_keys() returns trigger
language plpgsql
as $$
begin
    if tg_op = 'UPDATE' then
        if new.search_name = old.search_name then
            return null;
        end if;
        -- The old keys name the rows, so the primary key finds them.
        delete from patient_name_keys
         where tenant_id = old.tenant_id and key = any(patient_name_keys(old.search_name)) and patient_id = old.id;
    end if;
    insert into patient_name_keys (tenant_id, key, patient_id)
    select new.tenant_id, k, new.id from unnest(patient_name_keys(new.search_name)) k;
    return null;
end
$$;
-- +goose StatementEnd

create trigger patients_sync_name_keys
    after insert or update of given_name, family_name, preferred_name on patients
    for each row execute function patients_sync_name_keys();

-- Patients taken in before this migration. FORCE binds the owner too, so it
-- is lifted for the backfill only; the migration is one transaction.
alter table patients no force row level security;
insert into patient_name_keys (tenant_id, key, patient_id)
select p.tenant_id, k, p.id from patients p, unnest(patient_name_keys(p.search_name)) k;
alter table patients force row level security;

alter table patient_name_keys enable row level security;
alter table patient_name_keys force row level security;
create policy tenant_isolation on patient_name_keys
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

-- The trigger runs as whoever changes the patient.
grant select, insert, delete on patient_name_keys to carecoord_app;

-- "My caseload", the list's default, in name order without a sort: the
-- caseload index has status between the coordinator and the name.
create index patients_coordinator_name_idx on patients (tenant_id, assigned_coordinator_id, family_name, given_name, id);

-- +goose Down
drop index patients_coordinator_name_idx;
drop trigger patients_sync_name_keys on patients;
drop function patients_sync_name_keys();
drop table patient_name_keys;
drop function patient_search_keys(text);
drop function patient_name_keys(text);
drop function patient_name_words(text);
drop extension if exists fuzzystrmatch;
