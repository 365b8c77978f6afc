-- +goose Up
-- A patient's search keys and possible duplicates, kept set-wise: one
-- statement for all the records a statement inserted or edited, through
-- two functions that hold each rule once. The per-record triggers of 00022
-- (keys) and 00023 (duplicates) cost about 1.5 ms a record, 0.9 ms of it
-- the duplicate check, which made them most of a bulk load: 100,000
-- patients of seed scale, or an import, spent minutes in them.

-- The search keys of the records ids, rebuilt, and the vocabulary of the
-- words the tenant did not know yet, probed word by word in the primary
-- key. The probe's key ('d' and the word: the whole word is one of its own
-- keys) is a column computed before it: under row-level security a
-- condition holding a function that is not leakproof (||) cannot be an
-- index condition, and 00030's probe read the tenant's whole vocabulary
-- for each record.
-- +goose StatementBegin
create function patient_name_keys_refresh(t uuid, ids uuid[]) returns void
language plpgsql
set enable_seqscan = off
as $$
begin
    delete from patient_name_keys where tenant_id = t and patient_id = any(ids);
    insert into patient_name_keys (tenant_id, key, patient_id, family_name, given_name)
    select t, w, p.id, p.family_name, p.given_name
      from patients p cross join lateral patient_name_terms(p.search_name) w
     where p.tenant_id = t and p.id = any(ids);
    insert into patient_name_vocab (tenant_id, key, word)
    select t, k, w.word
      from (select distinct w as word, 'd' || w as whole
              from patients p cross join lateral patient_name_terms(p.search_name) w
             where p.tenant_id = t and p.id = any(ids)) w
      left join lateral (select true as known from patient_name_vocab v
                          where v.tenant_id = t and v.key = w.whole and v.word = w.word limit 1) v on true
     cross join unnest(patient_vocab_keys(w.word)) k
     where v.known is null
    on conflict do nothing;
end
$$;
-- +goose StatementEnd

-- The possible duplicates of the records ids, found again: a pair born on
-- one day with alike names, or sharing a phone, an email or an external id
-- (by the keys of 00023, naming the partial indexes' condition), one join
-- each for all the records; a pair of two of them is found from both
-- sides and kept once.
-- +goose StatementBegin
create function patient_duplicates_refresh(t uuid, ids uuid[]) returns void
language plpgsql
set enable_seqscan = off
as $$
begin
    delete from patient_duplicate_candidates
     where tenant_id = t and (patient_a = any(ids) or patient_b = any(ids));
    insert into patient_duplicate_candidates (tenant_id, patient_a, patient_b, evidence)
    select t, c.a, c.b, array_agg(distinct c.why order by c.why)
      from (
        select least(a.id, b.id) as a, greatest(a.id, b.id) as b, 'birth_date_and_name' as why
          from patients a
          join patients b on b.tenant_id = t and b.date_of_birth = a.date_of_birth and b.id <> a.id
         where a.tenant_id = t and a.id = any(ids)
           and (patient_names_alike(b.search_name, b.family_name, a.given_name, a.family_name)
                or patient_names_alike(a.search_name, a.family_name, b.given_name, b.family_name))
        union all
        select least(a.id, b.id), greatest(a.id, b.id), 'phone'
          from patients a
          join patients b on b.tenant_id = t and b.phone_key <> '' and b.phone_key = a.phone_key and b.id <> a.id
         where a.tenant_id = t and a.id = any(ids) and a.phone_key <> ''
        union all
        select least(a.id, b.id), greatest(a.id, b.id), 'email'
          from patients a
          join patients b on b.tenant_id = t and b.email_key <> '' and b.email_key = a.email_key and b.id <> a.id
         where a.tenant_id = t and a.id = any(ids) and a.email_key <> ''
        union all
        select least(a.id, b.id), greatest(a.id, b.id), 'external_id'
          from patients a
          join patients b on b.tenant_id = t and b.external_id_key <> '' and b.external_id_key = a.external_id_key
                         and b.id <> a.id
         where a.tenant_id = t and a.id = any(ids) and a.external_id_key <> ''
      ) c
     group by c.a, c.b
    on conflict do nothing;
end
$$;
-- +goose StatementEnd

-- The triggers: an insert refreshes both for its records; an edit refreshes
-- the keys of the records whose names changed and the duplicates of those
-- whose names, birth date or contact keys changed. (A statement trigger
-- with transition tables cannot name columns, so the edit's compares the
-- old rows with the new.)
-- +goose StatementBegin
create function patients_insert_identity() returns trigger language plpgsql as $$
declare r record;
begin
    for r in select n.tenant_id, array_agg(n.id) as ids from new_rows n group by n.tenant_id loop
        perform patient_name_keys_refresh(r.tenant_id, r.ids);
        perform patient_duplicates_refresh(r.tenant_id, r.ids);
    end loop;
    return null;
end $$;
-- +goose StatementEnd
-- +goose StatementBegin
create function patients_update_identity() returns trigger language plpgsql as $$
declare r record;
begin
    for r in select n.tenant_id,
                    array_agg(n.id) filter (where (n.given_name, n.family_name, n.preferred_name)
                                                  is distinct from (o.given_name, o.family_name, o.preferred_name)) as named,
                    array_agg(n.id) filter (where (n.search_name, n.family_name, n.given_name, n.date_of_birth,
                                                   n.phone_key, n.email_key, n.external_id_key)
                                                  is distinct from (o.search_name, o.family_name, o.given_name, o.date_of_birth,
                                                                    o.phone_key, o.email_key, o.external_id_key)) as compared
               from new_rows n join old_rows o on o.tenant_id = n.tenant_id and o.id = n.id
              group by n.tenant_id loop
        if r.named is not null then
            perform patient_name_keys_refresh(r.tenant_id, r.named);
        end if;
        if r.compared is not null then
            perform patient_duplicates_refresh(r.tenant_id, r.compared);
        end if;
    end loop;
    return null;
end $$;
-- +goose StatementEnd
drop trigger patients_sync_name_keys on patients;
drop trigger patients_sync_duplicate_candidates on patients;
drop function patients_sync_name_keys();
drop function patients_sync_duplicate_candidates();
drop function patient_candidates_of(uuid, uuid);
create trigger patients_insert_identity after insert on patients
    referencing new table as new_rows for each statement execute function patients_insert_identity();
create trigger patients_update_identity after update on patients
    referencing old table as old_rows new table as new_rows for each statement execute function patients_update_identity();

-- +goose Down
drop trigger patients_update_identity on patients;
drop trigger patients_insert_identity on patients;
drop function patients_update_identity();
drop function patients_insert_identity();
drop function patient_duplicates_refresh(uuid, uuid[]);
drop function patient_name_keys_refresh(uuid, uuid[]);
-- +goose StatementBegin
create function patients_sync_name_keys() returns trigger
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
-- +goose StatementBegin
create function patient_candidates_of(t uuid, p uuid) returns table (other uuid, evidence text[])
language sql stable
set enable_seqscan = off
as $$
    select c.id, array_agg(c.why order by c.why)
      from patients a,
      lateral (
        select b.id, 'birth_date_and_name' as why from patients b
         where b.tenant_id = t and b.date_of_birth = a.date_of_birth and b.id <> a.id
           and (patient_names_alike(b.search_name, b.family_name, a.given_name, a.family_name)
                or patient_names_alike(a.search_name, a.family_name, b.given_name, b.family_name))
        union all
        select b.id, 'phone' from patients b
         where b.tenant_id = t and a.phone_key <> '' and b.phone_key <> '' and b.phone_key = a.phone_key and b.id <> a.id
        union all
        select b.id, 'email' from patients b
         where b.tenant_id = t and a.email_key <> '' and b.email_key <> '' and b.email_key = a.email_key and b.id <> a.id
        union all
        select b.id, 'external_id' from patients b
         where b.tenant_id = t and a.external_id_key <> '' and b.external_id_key <> ''
           and b.external_id_key = a.external_id_key and b.id <> a.id
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
create trigger patients_sync_name_keys
    after insert or update of given_name, family_name, preferred_name on patients
    for each row execute function patients_sync_name_keys();
create trigger patients_sync_duplicate_candidates
    after insert or update of given_name, family_name, preferred_name, date_of_birth, phone, email, external_id on patients
    for each row execute function patients_sync_duplicate_candidates();
