-- +goose Up
-- The per-record triggers of patients kept their plans from the statistics
-- of an empty table. Loading 100,000 patients in one transaction (seed
-- scale, an import) before any ANALYZE, the planner took patient_name_vocab
-- and a tenant's patients for a few rows and scanned them whole for every
-- record inserted: the load grew with the square of its size (3,000
-- patients 24 s, 6,000 76 s, 100,000 never finished). Index lookups are
-- what these statements always want, whatever the statistics say.
-- The new words' vocabulary is checked word by word (a lateral probe of
-- the primary key); as an anti-join the planner read the tenant's whole
-- vocabulary for each record.
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

-- A record's possible duplicates by phone, email or external id: the
-- partial indexes of 00023 (where the key is not blank) serve only a
-- condition that names it, which the join on the other record's key did
-- not; the planner fell back to every record of the tenant.
-- +goose StatementBegin
create or replace function patient_candidates_of(t uuid, p uuid) returns table (other uuid, evidence text[])
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

-- +goose Down
-- +goose StatementBegin
create or replace function patients_sync_name_keys() returns trigger
language plpgsql
as $$
declare
    words text[] := array(select patient_name_terms(new.search_name));
begin
    if tg_op = 'UPDATE' then
        if (new.given_name, new.family_name, new.preferred_name) = (old.given_name, old.family_name, old.preferred_name) then
            return null;
        end if;
        delete from patient_name_keys
         where tenant_id = old.tenant_id and key = any(array(select patient_name_terms(old.search_name))) and patient_id = old.id;
    end if;
    insert into patient_name_keys (tenant_id, key, patient_id, family_name, given_name)
    select new.tenant_id, w, new.id, new.family_name, new.given_name from unnest(words) w;
    insert into patient_name_vocab (tenant_id, key, word)
    select new.tenant_id, k, w
      from unnest(words) w, unnest(patient_vocab_keys(w)) k
     where not exists (select 1 from patient_name_vocab v where v.tenant_id = new.tenant_id and v.key = 'd' || w and v.word = w)
    on conflict do nothing;
    return null;
end
$$;
-- +goose StatementEnd
-- +goose StatementBegin
create or replace function patient_candidates_of(t uuid, p uuid) returns table (other uuid, evidence text[])
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
