-- +goose Up
-- The worklist's re-assessments and plan reviews from the patient's
-- summary (issue 22). A coordinator's worklist asked, for every patient of
-- the caseload, the latest counted PHQ-9, GAD-7 and AHC-HRSN (a lateral
-- walk of each patient's assessments) and the active plan past its review
-- date (the tenant's 45,000 such plans hashed against the caseload): 50-300
-- ms each for the scale tenant's caseloads of about 3,000. patient_flags
-- (00021) already finds those results for the dashboard, as the earliest
-- date a mood result falls due; it now keeps each instrument's latest
-- counted result and the active plan's review date too, indexed by
-- coordinator: a caseload's results are one range, its reviews due the
-- start of another.
alter table patient_flags
    add column phq9_at timestamptz,
    add column phq9_severity smallint,
    add column gad7_at timestamptz,
    add column gad7_severity smallint,
    add column review_plan_id uuid,
    add column review_due date;
create index patient_flags_coordinator_idx on patient_flags (tenant_id, coordinator_id) where reassessable;
create index patient_flags_review_idx on patient_flags (tenant_id, coordinator_id, review_due) where review_due is not null;

-- +goose StatementBegin
create or replace function flags_refresh(t uuid, ids uuid[]) returns void language plpgsql set enable_seqscan = off as $$
begin
    if ids is null or cardinality(ids) = 0 then
        return;
    end if;
    perform summary_lock(t, ids);
    insert into patient_flags as f (tenant_id, patient_id, coordinator_id, open, reassessable,
                                    open_dues, transition_dues, first_due, mood_at, screen_at,
                                    phq9_at, phq9_severity, gad7_at, gad7_severity, review_plan_id, review_due)
    select t, p.id, p.assigned_coordinator_id, p.status in ('referred', 'active', 'on_hold'), p.status in ('referred', 'active'),
           coalesce(k.dues, '{}'), coalesce(k.transition_dues, '{}'), k.dues[1], l.mood_at, l.screen_at,
           l.phq9_at, l.phq9_severity, l.gad7_at, l.gad7_severity, c.id, c.review_due
      from unnest(ids) i
     cross join lateral (select p.id, p.assigned_coordinator_id, p.status from patients p
                          where p.tenant_id = t and p.id = i offset 0) p
      left join lateral (
           select array_agg(k.due_at order by k.due_at) as dues,
                  array_agg(k.due_at order by k.due_at) filter (where k.source = 'transition') as transition_dues
             from tasks k where k.tenant_id = t and k.patient_id = p.id and k.status = 'open') k on true
      left join lateral (
           select min(l.completed_at) filter (where l.instrument_code <> 'AHC-HRSN' and l.severity >= 2) as mood_at,
                  max(l.completed_at) filter (where l.instrument_code = 'AHC-HRSN') as screen_at,
                  max(l.completed_at) filter (where l.instrument_code = 'PHQ-9') as phq9_at,
                  max(coalesce(l.severity, 0)) filter (where l.instrument_code = 'PHQ-9') as phq9_severity,
                  max(l.completed_at) filter (where l.instrument_code = 'GAD-7') as gad7_at,
                  max(coalesce(l.severity, 0)) filter (where l.instrument_code = 'GAD-7') as gad7_severity
             from (select distinct on (a.instrument_code) a.instrument_code, a.completed_at, a.severity
                     from assessments a
                    where a.tenant_id = t and a.patient_id = p.id and a.status = 'completed'
                      and a.instrument_code in ('PHQ-9', 'GAD-7', 'AHC-HRSN')
                      and not exists (select 1 from assessments m where m.tenant_id = a.tenant_id and m.amends_id = a.id
                                         and m.status = 'completed')
                    order by a.instrument_code, a.completed_at desc) l) l on true
      left join lateral (
           select c.id, c.review_due from care_plans c
            where c.tenant_id = t and c.patient_id = p.id and c.status = 'active' and c.review_due is not null
            order by c.review_due limit 1) c on true
    on conflict (tenant_id, patient_id) do update
       set coordinator_id = excluded.coordinator_id, open = excluded.open, reassessable = excluded.reassessable,
           open_dues = excluded.open_dues, transition_dues = excluded.transition_dues, first_due = excluded.first_due,
           mood_at = excluded.mood_at, screen_at = excluded.screen_at,
           phq9_at = excluded.phq9_at, phq9_severity = excluded.phq9_severity,
           gad7_at = excluded.gad7_at, gad7_severity = excluded.gad7_severity,
           review_plan_id = excluded.review_plan_id, review_due = excluded.review_due
     where (f.coordinator_id, f.open, f.reassessable, f.open_dues, f.transition_dues, f.mood_at, f.screen_at,
            f.phq9_at, f.phq9_severity, f.gad7_at, f.gad7_severity, f.review_plan_id, f.review_due)
           is distinct from (excluded.coordinator_id, excluded.open, excluded.reassessable, excluded.open_dues,
                             excluded.transition_dues, excluded.mood_at, excluded.screen_at,
                             excluded.phq9_at, excluded.phq9_severity, excluded.gad7_at, excluded.gad7_severity,
                             excluded.review_plan_id, excluded.review_due);
end $$;
-- +goose StatementEnd

-- A plan that starts, ends, moves to another patient or changes its
-- review date refreshes its patients' flags (both patients of a move).
-- +goose StatementBegin
create function summary_refresh_plan_reviews() returns trigger language plpgsql as $$
declare r record;
begin
    for r in select c.tenant_id, array_agg(distinct c.patient_id) as ids
               from ((select n.tenant_id, n.patient_id, n.status, n.review_due from new_rows n
                      except
                      select o.tenant_id, o.patient_id, o.status, o.review_due from old_rows o)
                     union
                     (select o.tenant_id, o.patient_id, o.status, o.review_due from old_rows o
                      except
                      select n.tenant_id, n.patient_id, n.status, n.review_due from new_rows n)) c
              group by c.tenant_id loop
        perform flags_refresh(r.tenant_id, r.ids);
    end loop;
    return null;
end $$;
-- +goose StatementEnd
-- +goose StatementBegin
create function summary_refresh_new_plans() returns trigger language plpgsql as $$
declare r record;
begin
    for r in select n.tenant_id, array_agg(distinct n.patient_id) as ids from new_rows n
              where n.status = 'active' group by n.tenant_id loop
        perform flags_refresh(r.tenant_id, r.ids);
    end loop;
    return null;
end $$;
-- +goose StatementEnd
create trigger care_plans_summaries_insert after insert on care_plans
    referencing new table as new_rows for each statement execute function summary_refresh_new_plans();
create trigger care_plans_summaries_update after update on care_plans
    referencing old table as old_rows new table as new_rows for each statement execute function summary_refresh_plan_reviews();

-- Every tenant's flags again, with the new columns (as 00021 did, as the
-- owner, bound by row-level security like the app: each tenant in turn).
-- +goose StatementBegin
do $$
declare t uuid;
begin
    for t in select id from tenants loop
        perform set_config('app.tenant_id', t::text, true);
        perform flags_refresh(t, array(select p.id from patients p where p.tenant_id = t));
    end loop;
    perform set_config('app.tenant_id', '', true);
end $$;
-- +goose StatementEnd
analyze patient_flags;

-- +goose Down
drop trigger if exists care_plans_summaries_update on care_plans;
drop trigger if exists care_plans_summaries_insert on care_plans;
drop function if exists summary_refresh_plan_reviews();
drop function if exists summary_refresh_new_plans();
drop index if exists patient_flags_review_idx;
drop index patient_flags_coordinator_idx;
-- +goose StatementBegin
create or replace function flags_refresh(t uuid, ids uuid[]) returns void language plpgsql set enable_seqscan = off as $$
begin
    if ids is null or cardinality(ids) = 0 then
        return;
    end if;
    perform summary_lock(t, ids);
    insert into patient_flags as f (tenant_id, patient_id, coordinator_id, open, reassessable,
                                    open_dues, transition_dues, first_due, mood_at, screen_at)
    select t, p.id, p.assigned_coordinator_id, p.status in ('referred', 'active', 'on_hold'), p.status in ('referred', 'active'),
           coalesce(k.dues, '{}'), coalesce(k.transition_dues, '{}'), k.dues[1], l.mood_at, l.screen_at
      from unnest(ids) i
     cross join lateral (select p.id, p.assigned_coordinator_id, p.status from patients p
                          where p.tenant_id = t and p.id = i offset 0) p
      left join lateral (
           select array_agg(k.due_at order by k.due_at) as dues,
                  array_agg(k.due_at order by k.due_at) filter (where k.source = 'transition') as transition_dues
             from tasks k where k.tenant_id = t and k.patient_id = p.id and k.status = 'open') k on true
      left join lateral (
           select min(l.completed_at) filter (where l.instrument_code <> 'AHC-HRSN' and l.severity >= 2) as mood_at,
                  max(l.completed_at) filter (where l.instrument_code = 'AHC-HRSN') as screen_at
             from (select distinct on (a.instrument_code) a.instrument_code, a.completed_at, a.severity
                     from assessments a
                    where a.tenant_id = t and a.patient_id = p.id and a.status = 'completed'
                      and a.instrument_code in ('PHQ-9', 'GAD-7', 'AHC-HRSN')
                      and not exists (select 1 from assessments m where m.tenant_id = a.tenant_id and m.amends_id = a.id
                                         and m.status = 'completed')
                    order by a.instrument_code, a.completed_at desc) l) l on true
    on conflict (tenant_id, patient_id) do update
       set coordinator_id = excluded.coordinator_id, open = excluded.open, reassessable = excluded.reassessable,
           open_dues = excluded.open_dues, transition_dues = excluded.transition_dues, first_due = excluded.first_due,
           mood_at = excluded.mood_at, screen_at = excluded.screen_at
     where (f.coordinator_id, f.open, f.reassessable, f.open_dues, f.transition_dues, f.mood_at, f.screen_at)
           is distinct from (excluded.coordinator_id, excluded.open, excluded.reassessable, excluded.open_dues,
                             excluded.transition_dues, excluded.mood_at, excluded.screen_at);
end $$;
-- +goose StatementEnd
alter table patient_flags
    drop column phq9_at, drop column phq9_severity, drop column gad7_at, drop column gad7_severity,
    drop column if exists review_plan_id, drop column if exists review_due;
