-- +goose Up

-- The team's measures (internal/caseload/measures.go) ask, for the end of a
-- period, how many active patients were in care, had an approved plan in
-- force, had a successful contact within their tier's cadence and had been
-- screened in the 12 months before. Read from history that is a year of
-- contacts, plans and assessments per question (seconds at 100,000
-- patients). These tables keep the answers, maintained by triggers in the
-- transaction of every change that moves them (docs/architecture.md,
-- "Measures from summaries").
--
-- measure_spans: for each active patient and measure, the days on which a
-- period ending that day counts the patient, as disjoint spans [starts,
-- ends). "A period ending on day D" means its end instant is midnight at
-- the start of D (caseload.Period.endDate), so an event at instant x is
-- "before the end" from day x::date + 1 on. ends is 'infinity' for a span
-- still open. Patients not active today have no spans: the measures count
-- patients active today (stated on the page).
create table measure_spans (
    tenant_id  uuid not null references tenants (id),
    patient_id uuid not null,
    measure    text not null check (measure in ('in_care', 'plan', 'cadence', 'screened')),
    starts     date not null,
    ends       date not null,
    primary key (tenant_id, patient_id, measure, starts, ends),
    foreign key (tenant_id, patient_id) references patients (tenant_id, id),
    check (starts < ends)
);

-- measure_days: the spans summed by day, as changes: a span adds one on
-- its first day and takes one away on its end day, so the count of a
-- measure for a period ending on day D is the sum of the deltas up to D, a
-- range of the primary key (a few hundred rows however many patients).
create table measure_days (
    tenant_id uuid not null references tenants (id),
    measure   text not null,
    day       date not null,
    delta     integer not null,
    primary key (tenant_id, measure, day)
);

-- measure_cadence: the tier cadences (days) the tenant's cadence spans were
-- computed with. The page uses the spans only when they match the
-- organisation's settings; the job caseload.measure_cadence recomputes the
-- spans after a change of settings.
create table measure_cadence (
    tenant_id uuid not null references tenants (id),
    high      integer not null,
    moderate  integer not null,
    low       integer not null,
    primary key (tenant_id)
);

-- patient_firsts: each patient's referral day and the days from it to the
-- first successful contact with them on or after it (null while never
-- reached), for the median of the measure "days from referral to first
-- contact": one index range per period.
create table patient_firsts (
    tenant_id          uuid not null references tenants (id),
    patient_id         uuid not null,
    referral_day       date not null,
    first_contact_days integer,
    primary key (tenant_id, patient_id),
    foreign key (tenant_id, patient_id) references patients (tenant_id, id)
);
create index patient_firsts_referral_idx on patient_firsts (tenant_id, referral_day) include (first_contact_days);

-- A patient's successful contacts, for the refreshes below: without it a
-- planner short of statistics reads them through contacts_success_idx
-- (every successful contact of the tenant, by time) once per patient.
create index contacts_patient_success_idx on contacts (tenant_id, patient_id, occurred_at)
    where party = 'patient' and outcome in ('reached', 'declined');

-- patient_flags: what the supervisor's dashboard and lists ask of each
-- patient beyond the patient row, kept current by the same triggers: the
-- due times of the patient's open tasks (and of those, the discharge
-- follow-ups), and the completion times of the latest counted results with
-- a re-assessment rule (internal/caseload/dashboard.go, latestSQL): the
-- earliest of the latest PHQ-9 and GAD-7 of moderate or worse severity
-- (assessments.SeverityModerate = 2), and the latest AHC-HRSN screen. Whether a
-- task or a result is overdue depends on the moment and the organisation's
-- settings, so it is asked at read time, of these columns, through their
-- indexes. coordinator_id and the status flags copy the patient's.
create table patient_flags (
    tenant_id       uuid not null references tenants (id),
    patient_id      uuid not null,
    coordinator_id  uuid,
    open            boolean not null, -- referred, active or on hold
    reassessable    boolean not null, -- referred or active
    open_dues       timestamptz[] not null default '{}', -- sorted
    transition_dues timestamptz[] not null default '{}', -- sorted
    first_due       timestamptz,      -- open_dues[1]
    mood_at         timestamptz,
    screen_at       timestamptz,
    primary key (tenant_id, patient_id),
    foreign key (tenant_id, patient_id) references patients (tenant_id, id)
);
create index patient_flags_due_idx on patient_flags (tenant_id, first_due) where open and first_due is not null;
create index patient_flags_mood_idx on patient_flags (tenant_id, mood_at) where reassessable and mood_at is not null;
create index patient_flags_screen_idx on patient_flags (tenant_id, screen_at) where reassessable and screen_at is not null;

-- +goose StatementBegin
do $$
declare t text;
begin
    foreach t in array array['measure_spans', 'measure_days', 'measure_cadence', 'patient_firsts', 'patient_flags'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format($p$create policy tenant_isolation on %I
            using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
            with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)$p$, t);
    end loop;
end $$;
-- +goose StatementEnd

grant select, insert, update, delete on measure_spans, measure_days, measure_cadence, patient_firsts, patient_flags to carecoord_app;

-- measure_spans_of: the spans the patients ids of tenant t should have now,
-- by the cadence of measure_cadence. Each measure's days are the union of
-- its events' days, cut to the days the patient was in care (taken in by
-- then), as the page defines them:
--   in_care   taken in before the period's end;
--   plan      a plan approved before the end and not completed or
--             cancelled before it;
--   cadence   a successful contact with the patient (reached or declined)
--             before the end and no more than the tier's days before it;
--   screened  a completed AHC-HRSN screen before the end and in the 12
--             months before it.
-- +goose StatementBegin
create function measure_spans_of(t uuid, ids uuid[])
returns table (patient_id uuid, measure text, starts date, ends date)
language sql stable set enable_seqscan = off as $$
    with cad as (
        select m.high, m.moderate, m.low from measure_cadence m where m.tenant_id = t),
    care as (
        select p.id, p.created_at::date + 1 as starts,
               case p.risk_tier when 'high' then cad.high when 'low' then cad.low else cad.moderate end as cadence
          from unnest(ids) i
         cross join lateral (select p.id, p.created_at, p.risk_tier from patients p
                              where p.tenant_id = t and p.id = i and p.status = 'active' offset 0) p
         cross join cad),
    events as (
        select c.id, 'in_care' as measure, c.starts as lo, 'infinity'::date as hi from care c
        union all
        select c.id, 'plan', greatest(c.starts, pl.approved + 1), coalesce(pl.ended + 1, 'infinity')
          from care c
          join lateral (
               select min(v.created_at) filter (where v.kind = 'approved')::date as approved,
                      min(v.created_at) filter (where v.kind in ('completed', 'cancelled'))::date as ended
                 from care_plans cp
                 join care_plan_revisions v on v.tenant_id = cp.tenant_id and v.plan_id = cp.id
                where cp.tenant_id = t and cp.patient_id = c.id
                group by cp.id) pl on pl.approved is not null
        union all
        select c.id, 'cadence', greatest(c.starts, k.occurred_at::date + 1), k.occurred_at::date + c.cadence + 1
          from care c
         cross join lateral (select k.occurred_at from contacts k
                              where k.tenant_id = t and k.patient_id = c.id and k.party = 'patient'
                                and k.outcome in ('reached', 'declined') offset 0) k
        union all
        select c.id, 'screened', greatest(c.starts, a.completed_at::date + 1), (a.completed_at + interval '12 months')::date + 1
          from care c
         cross join lateral (select a.completed_at from assessments a
                              where a.tenant_id = t and a.patient_id = c.id and a.instrument_code = 'AHC-HRSN'
                                and a.status = 'completed' offset 0) a)
    select e.id, e.measure, lower(s), upper(s)
      from (select e.id, e.measure, range_agg(daterange(e.lo, e.hi)) as spans
              from events e where e.lo < e.hi group by e.id, e.measure) e,
           unnest(e.spans) s
$$;
-- +goose StatementEnd

-- The refreshes below read each patient's rows by key, whatever the
-- statistics say (lateral subqueries kept apart by "offset 0", and
-- enable_seqscan = off): they run inside bulk loads whose tables have no
-- statistics yet, where the planner, taking a fresh table for a few rows,
-- scanned every contact of the tenant once per patient.
--
-- summary_lock makes concurrent refreshes of one patient's summaries take
-- turns (each then reads what the other committed): a few patients (a use
-- case) take an advisory lock each, in id order, under a shared lock of the
-- tenant; a bulk load takes the tenant's lock alone (a lock per patient
-- would exhaust the lock table).
-- +goose StatementBegin
create function summary_lock(t uuid, ids uuid[]) returns void language plpgsql as $$
begin
    if cardinality(ids) > 100 then
        perform pg_advisory_xact_lock(hashtextextended('measure_spans/' || t::text, 0));
    else
        perform pg_advisory_xact_lock_shared(hashtextextended('measure_spans/' || t::text, 0));
        perform pg_advisory_xact_lock(hashtextextended('measure_spans/' || i::text, 0))
           from unnest(ids) i order by i;
    end if;
end $$;
-- +goose StatementEnd

-- measure_refresh brings the summaries of the patients ids of tenant t up
-- to date: it replaces the spans that changed and moves measure_days by
-- the difference, and rewrites their patient_firsts.
-- +goose StatementBegin
create function measure_refresh(t uuid, ids uuid[]) returns void language plpgsql set enable_seqscan = off as $$
begin
    if ids is null or cardinality(ids) = 0 then
        return;
    end if;
    perform summary_lock(t, ids);
    insert into measure_cadence (tenant_id, high, moderate, low)
    select tn.id, coalesce((tn.settings->>'cadence_high_days')::int, 7),
           coalesce((tn.settings->>'cadence_moderate_days')::int, 14), coalesce((tn.settings->>'cadence_low_days')::int, 30)
      from tenants tn where tn.id = t
    on conflict (tenant_id) do nothing;
    -- The spans to add and to drop are set differences (hashed or sorted,
    -- never a scan of one set per row of the other, which a bulk load
    -- without statistics may otherwise be planned as).
    with fresh as (
        select f.patient_id, f.measure, f.starts, f.ends from measure_spans_of(t, ids) f),
    kept as (
        select s.patient_id, s.measure, s.starts, s.ends
          from unnest(ids) i
         cross join lateral (select s.patient_id, s.measure, s.starts, s.ends from measure_spans s
                              where s.tenant_id = t and s.patient_id = i offset 0) s),
    to_add as (select * from fresh except select * from kept),
    to_drop as (select * from kept except select * from fresh),
    gone as (
        delete from measure_spans s using to_drop d
         where s.tenant_id = t and s.patient_id = d.patient_id and s.measure = d.measure
           and s.starts = d.starts and s.ends = d.ends
        returning s.measure, s.starts, s.ends),
    added as (
        insert into measure_spans (tenant_id, patient_id, measure, starts, ends)
        select t, a.patient_id, a.measure, a.starts, a.ends from to_add a
        returning measure, starts, ends),
    deltas as (
        select measure, starts as day, 1 as delta from added
        union all select measure, ends, -1 from added where ends <> 'infinity'
        union all select measure, starts, -1 from gone
        union all select measure, ends, 1 from gone where ends <> 'infinity')
    insert into measure_days (tenant_id, measure, day, delta)
    select t, d.measure, d.day, sum(d.delta) from deltas d
     group by d.measure, d.day having sum(d.delta) <> 0
     order by d.measure, d.day
    on conflict (tenant_id, measure, day) do update set delta = measure_days.delta + excluded.delta;

    insert into patient_firsts (tenant_id, patient_id, referral_day, first_contact_days)
    select t, p.id, r.day,
           (select min(k.occurred_at)::date from contacts k
             where k.tenant_id = t and k.patient_id = p.id and k.party = 'patient'
               and k.outcome in ('reached', 'declined') and k.occurred_at >= r.day) - r.day
      from unnest(ids) i
     cross join lateral (select p.id, p.referral_date, p.created_at from patients p
                          where p.tenant_id = t and p.id = i offset 0) p
     cross join lateral (select coalesce(p.referral_date, p.created_at::date) as day) r
    on conflict (tenant_id, patient_id) do update
       set referral_day = excluded.referral_day, first_contact_days = excluded.first_contact_days
     where (patient_firsts.referral_day, patient_firsts.first_contact_days)
           is distinct from (excluded.referral_day, excluded.first_contact_days);
end $$;
-- +goose StatementEnd

-- flags_refresh rewrites the patient_flags of the patients ids of tenant t
-- (only the rows that changed).
-- +goose StatementBegin
create function flags_refresh(t uuid, ids uuid[]) returns void language plpgsql set enable_seqscan = off as $$
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

-- The triggers: each change to a table a summary reads refreshes the
-- patients it touched, once per statement (bulk loads included), in the
-- summaries named by the trigger's arguments.
-- +goose StatementBegin
create function summary_refresh(t uuid, ids uuid[], what text[]) returns void language plpgsql as $$
begin
    if 'measures' = any(what) then
        perform measure_refresh(t, ids);
    end if;
    if 'flags' = any(what) then
        perform flags_refresh(t, ids);
    end if;
end $$;
-- +goose StatementEnd

-- +goose StatementBegin
create function summary_refresh_changed() returns trigger language plpgsql as $$
declare r record;
begin
    for r in select c.tenant_id, array_agg(distinct c.patient_id) as ids from changed c group by c.tenant_id loop
        perform summary_refresh(r.tenant_id, r.ids, tg_argv);
    end loop;
    return null;
end $$;
-- +goose StatementEnd

-- +goose StatementBegin
create function summary_refresh_plans() returns trigger language plpgsql as $$
declare r record;
begin
    for r in select cp.tenant_id, array_agg(distinct cp.patient_id) as ids
               from (select distinct v.tenant_id, v.plan_id from changed v) v
               join care_plans cp on cp.tenant_id = v.tenant_id and cp.id = v.plan_id
              group by cp.tenant_id loop
        perform measure_refresh(r.tenant_id, r.ids);
    end loop;
    return null;
end $$;
-- +goose StatementEnd

-- A patient's row changes often (each contact recounts its reach); only a
-- change of what a summary reads refreshes it.
-- +goose StatementBegin
create function summary_refresh_patients() returns trigger language plpgsql as $$
declare r record;
begin
    for r in select n.tenant_id,
                    array_agg(n.id) filter (where (o.status, o.risk_tier, o.created_at, o.referral_date)
                                                  is distinct from (n.status, n.risk_tier, n.created_at, n.referral_date)) as measures,
                    array_agg(n.id) filter (where (o.status, o.assigned_coordinator_id)
                                                  is distinct from (n.status, n.assigned_coordinator_id)) as flags
               from new_rows n join old_rows o on o.tenant_id = n.tenant_id and o.id = n.id
              group by n.tenant_id loop
        perform measure_refresh(r.tenant_id, r.measures);
        perform flags_refresh(r.tenant_id, r.flags);
    end loop;
    return null;
end $$;
-- +goose StatementEnd

-- +goose StatementBegin
create function summary_refresh_new_patients() returns trigger language plpgsql as $$
declare r record;
begin
    for r in select n.tenant_id, array_agg(n.id) as ids from new_rows n group by n.tenant_id loop
        perform summary_refresh(r.tenant_id, r.ids, array['measures', 'flags']);
    end loop;
    return null;
end $$;
-- +goose StatementEnd

create trigger patients_summaries_insert after insert on patients
    referencing new table as new_rows for each statement execute function summary_refresh_new_patients();
create trigger patients_summaries_update after update on patients
    referencing old table as old_rows new table as new_rows for each statement execute function summary_refresh_patients();
create trigger contacts_summaries_insert after insert on contacts
    referencing new table as changed for each statement execute function summary_refresh_changed('measures');
create trigger contacts_summaries_update after update on contacts
    referencing new table as changed for each statement execute function summary_refresh_changed('measures');
create trigger contacts_summaries_delete after delete on contacts
    referencing old table as changed for each statement execute function summary_refresh_changed('measures');
create trigger assessments_summaries_insert after insert on assessments
    referencing new table as changed for each statement execute function summary_refresh_changed('measures', 'flags');
create trigger assessments_summaries_update after update on assessments
    referencing new table as changed for each statement execute function summary_refresh_changed('measures', 'flags');
create trigger assessments_summaries_delete after delete on assessments
    referencing old table as changed for each statement execute function summary_refresh_changed('measures', 'flags');
create trigger tasks_summaries_insert after insert on tasks
    referencing new table as changed for each statement execute function summary_refresh_changed('flags');
create trigger tasks_summaries_update after update on tasks
    referencing new table as changed for each statement execute function summary_refresh_changed('flags');
create trigger tasks_summaries_delete after delete on tasks
    referencing old table as changed for each statement execute function summary_refresh_changed('flags');
create trigger care_plan_revisions_summaries_insert after insert on care_plan_revisions
    referencing new table as changed for each statement execute function summary_refresh_plans();

-- Backfill every tenant from its history, as the owner (bound by row-level
-- security like the app: each tenant in turn).
-- +goose StatementBegin
do $$
declare t uuid;
begin
    for t in select id from tenants loop
        perform set_config('app.tenant_id', t::text, true);
        perform summary_refresh(t, array(select p.id from patients p where p.tenant_id = t), array['measures', 'flags']);
    end loop;
    perform set_config('app.tenant_id', '', true);
end $$;
-- +goose StatementEnd

analyze measure_spans;
analyze measure_days;
analyze measure_cadence;
analyze patient_firsts;
analyze patient_flags;

-- +goose Down
drop trigger care_plan_revisions_summaries_insert on care_plan_revisions;
drop trigger tasks_summaries_delete on tasks;
drop trigger tasks_summaries_update on tasks;
drop trigger tasks_summaries_insert on tasks;
drop trigger assessments_summaries_delete on assessments;
drop trigger assessments_summaries_update on assessments;
drop trigger assessments_summaries_insert on assessments;
drop trigger contacts_summaries_delete on contacts;
drop trigger contacts_summaries_update on contacts;
drop trigger contacts_summaries_insert on contacts;
drop trigger patients_summaries_update on patients;
drop trigger patients_summaries_insert on patients;
drop function summary_refresh_new_patients();
drop function summary_refresh_patients();
drop function summary_refresh_plans();
drop function summary_refresh_changed();
drop function summary_refresh(uuid, uuid[], text[]);
drop function flags_refresh(uuid, uuid[]);
drop function measure_refresh(uuid, uuid[]);
drop function summary_lock(uuid, uuid[]);
drop function measure_spans_of(uuid, uuid[]);
drop table patient_flags;
drop index contacts_patient_success_idx;
drop table patient_firsts;
drop table measure_cadence;
drop table measure_days;
drop table measure_spans;
