-- +goose Up
-- A patient's search keys and possible duplicates, kept for a whole insert
-- at once. The per-record triggers cost about 1.5 ms a record (0.9 ms of
-- it the duplicate check), which made them most of a bulk load: 100,000
-- patients of seed scale, or an import, spent minutes in them. An insert
-- now runs one statement per table for all the rows it added (the
-- transition table new_rows), joined set-wise; an edit of one record keeps
-- the per-record triggers of 00022 (keys) and 00023 (duplicates), whose
-- functions take the UPDATE path only from now on.
drop trigger patients_sync_name_keys on patients;
create trigger patients_sync_name_keys
    after update of given_name, family_name, preferred_name on patients
    for each row execute function patients_sync_name_keys();
drop trigger patients_sync_duplicate_candidates on patients;
create trigger patients_sync_duplicate_candidates
    after update of given_name, family_name, preferred_name, date_of_birth, phone, email, external_id on patients
    for each row execute function patients_sync_duplicate_candidates();

-- The new records' keys, and the vocabulary of the words the tenant did
-- not know yet, probed word by word in the primary key. The probe's key
-- ('d' and the word: the whole word is one of its own keys) is a column
-- computed before it: under row-level security a condition holding a
-- function that is not leakproof (||) cannot be an index condition, and
-- 00030's probe read the tenant's whole vocabulary for each record.
-- +goose StatementBegin
create or replace function patients_sync_name_keys() returns trigger
language plpgsql
set enable_seqscan = off
as $$
declare
    words text[] := array(select patient_name_terms(new.search_name));
begin
    if tg_op = 'UPDATE' then
        -- Not only the search name: the rows carry the names as written.
        if (new.given_name, new.family_name, new.preferred_name) = (old.given_name, old.family_name, old.preferred_name) then
            return null;
        end if;
        delete from patient_name_keys
         where tenant_id = old.tenant_id and key = any(array(select patient_name_terms(old.search_name))) and patient_id = old.id;
    end if;
    insert into patient_name_keys (tenant_id, key, patient_id, family_name, given_name)
    select new.tenant_id, w, new.id, new.family_name, new.given_name from unnest(words) w;
    insert into patient_name_vocab (tenant_id, key, word)
    select new.tenant_id, k, w.word
      from (select w as word, 'd' || w as whole from unnest(words) w) w
      left join lateral (select true as known from patient_name_vocab v
                          where v.tenant_id = new.tenant_id and v.key = w.whole and v.word = w.word limit 1) v on true
     cross join unnest(patient_vocab_keys(w.word)) k
     where v.known is null
    on conflict do nothing;
    return null;
end
$$;
-- +goose StatementEnd

-- +goose StatementBegin
create function patients_insert_name_keys() returns trigger
language plpgsql
set enable_seqscan = off
as $$
begin
    insert into patient_name_keys (tenant_id, key, patient_id, family_name, given_name)
    select n.tenant_id, w, n.id, n.family_name, n.given_name
      from new_rows n cross join lateral patient_name_terms(n.search_name) w;
    insert into patient_name_vocab (tenant_id, key, word)
    select w.tenant_id, k, w.word
      from (select distinct n.tenant_id, t as word, 'd' || t as whole
              from new_rows n cross join lateral patient_name_terms(n.search_name) t) w
      left join lateral (select true as known from patient_name_vocab v
                          where v.tenant_id = w.tenant_id and v.key = w.whole and v.word = w.word limit 1) v on true
     cross join unnest(patient_vocab_keys(w.word)) k
     where v.known is null
    on conflict do nothing;
    return null;
end
$$;
-- +goose StatementEnd
create trigger patients_insert_name_keys
    after insert on patients referencing new table as new_rows
    for each statement execute function patients_insert_name_keys();

-- The new records' possible duplicates, by the rules of
-- patient_candidates_of (00023, 00030), for all of them in one join each:
-- a pair of two new records is found from both sides and kept once.
-- +goose StatementBegin
create function patients_insert_duplicate_candidates() returns trigger
language plpgsql
as $$
begin
    insert into patient_duplicate_candidates (tenant_id, patient_a, patient_b, evidence)
    select c.tenant_id, c.a, c.b, array_agg(distinct c.why order by c.why)
      from (
        select a.tenant_id, least(a.id, b.id) as a, greatest(a.id, b.id) as b, 'birth_date_and_name' as why
          from new_rows a
          join patients b on b.tenant_id = a.tenant_id and b.date_of_birth = a.date_of_birth and b.id <> a.id
         where patient_names_alike(b.search_name, b.family_name, a.given_name, a.family_name)
            or patient_names_alike(a.search_name, a.family_name, b.given_name, b.family_name)
        union all
        select a.tenant_id, least(a.id, b.id), greatest(a.id, b.id), 'phone'
          from new_rows a
          join patients b on b.tenant_id = a.tenant_id and b.phone_key <> '' and b.phone_key = a.phone_key and b.id <> a.id
         where a.phone_key <> ''
        union all
        select a.tenant_id, least(a.id, b.id), greatest(a.id, b.id), 'email'
          from new_rows a
          join patients b on b.tenant_id = a.tenant_id and b.email_key <> '' and b.email_key = a.email_key and b.id <> a.id
         where a.email_key <> ''
        union all
        select a.tenant_id, least(a.id, b.id), greatest(a.id, b.id), 'external_id'
          from new_rows a
          join patients b on b.tenant_id = a.tenant_id and b.external_id_key <> '' and b.external_id_key = a.external_id_key
                         and b.id <> a.id
         where a.external_id_key <> ''
      ) c
     group by c.tenant_id, c.a, c.b
    on conflict do nothing;
    return null;
end
$$;
-- +goose StatementEnd
create trigger patients_insert_duplicate_candidates
    after insert on patients referencing new table as new_rows
    for each statement execute function patients_insert_duplicate_candidates();

-- +goose Down
drop trigger patients_insert_duplicate_candidates on patients;
drop function patients_insert_duplicate_candidates();
drop trigger patients_insert_name_keys on patients;
drop function patients_insert_name_keys();
drop trigger patients_sync_duplicate_candidates on patients;
create trigger patients_sync_duplicate_candidates
    after insert or update of given_name, family_name, preferred_name, date_of_birth, phone, email, external_id on patients
    for each row execute function patients_sync_duplicate_candidates();
drop trigger patients_sync_name_keys on patients;
create trigger patients_sync_name_keys
    after insert or update of given_name, family_name, preferred_name on patients
    for each row execute function patients_sync_name_keys();
-- +goose StatementBegin
create or replace function patients_sync_name_keys() returns trigger
language plpgsql
set enable_seqscan = off
as $$
declare
    words text[] := array(select patient_name_terms(new.search_name));
begin
    if tg_op = 'UPDATE' then
        -- Not only the search name: the rows carry the names as written.
        if (new.given_name, new.family_name, new.preferred_name) = (old.given_name, old.family_name, old.preferred_name) then
            return null;
        end if;
        delete from patient_name_keys
         where tenant_id = old.tenant_id and key = any(array(select patient_name_terms(old.search_name))) and patient_id = old.id;
    end if;
    insert into patient_name_keys (tenant_id, key, patient_id, family_name, given_name)
    select new.tenant_id, w, new.id, new.family_name, new.given_name from unnest(words) w;
    insert into patient_name_vocab (tenant_id, key, word)
    select new.tenant_id, k, w.w
      from unnest(words) w
      left join lateral (select true as known from patient_name_vocab v
                          where v.tenant_id = new.tenant_id and v.key = 'd' || w.w and v.word = w.w limit 1) v on true
     cross join unnest(patient_vocab_keys(w.w)) k
     where v.known is null
    on conflict do nothing;
    return null;
end
$$;
-- +goose StatementEnd
