-- +goose Up

-- Why a hospital discharge leaves the follow-up measure's denominator, and
-- when (internal/contacts/followup.go, after HEDIS FUH and TRC): the
-- patient was readmitted or transferred to another facility within the
-- 7-day window, entered hospice, or died. Its follow-up task is cancelled
-- with the reason in the same transaction.
alter table care_transitions
    add column excluded_reason text check (excluded_reason in ('readmitted', 'transferred', 'hospice', 'died')),
    add column excluded_on date,
    add column excluded_by uuid references users (id),
    add column excluded_at timestamptz,
    -- Exclusions are edited under the row's version, so two people never
    -- overwrite each other silently.
    add column version integer not null default 1,
    add constraint care_transitions_exclusion_check check (
        (excluded_reason is null) = (excluded_on is null)
        and (excluded_reason is null or (kind = 'discharge' and excluded_on >= occurred_on)));

-- Transitions stay append-only for the app role but for their exclusion.
grant update (excluded_reason, excluded_on, excluded_by, excluded_at, version) on care_transitions to carecoord_app;

-- Discharges already followed within their window by a readmission (an
-- admission on days 1 to 7, or a second discharge on days 1 to 7, whose
-- stay began then) or by a move to a care facility (days 0 to 7) are
-- excluded now, as recording those transitions does from this version on
-- (contacts.excludeEarlierDischarges). FORCE binds the owner too, so it is
-- lifted for the backfill only; the migration is one transaction.
alter table care_transitions no force row level security;
alter table tasks no force row level security;
with later as (
    select d.tenant_id, d.id,
           case when n.kind = 'care_facility' then 'transferred' else 'readmitted' end as reason,
           greatest(d.occurred_on, case when n.kind = 'discharge' then coalesce(n.admitted_on, n.occurred_on) else n.occurred_on end) as on_day,
           n.created_at
      from care_transitions d
      join care_transitions n on n.tenant_id = d.tenant_id and n.patient_id = d.patient_id and n.id <> d.id
       and n.occurred_on <= d.occurred_on + 7
       and ((n.kind in ('admission', 'discharge') and n.occurred_on > d.occurred_on)
            or (n.kind = 'care_facility' and n.occurred_on >= d.occurred_on))
     where d.kind = 'discharge'
), first as (
    select distinct on (tenant_id, id) tenant_id, id, reason, on_day, created_at
      from later order by tenant_id, id, on_day, created_at
)
update care_transitions t
   set excluded_reason = f.reason, excluded_on = f.on_day, excluded_at = f.created_at, version = t.version + 1
  from first f
 where t.tenant_id = f.tenant_id and t.id = f.id;

update tasks k
   set status = 'cancelled', version = k.version + 1,
       completion_note = case t.excluded_reason when 'readmitted' then 'Cancelled: the patient was readmitted within the 7 days.'
                              else 'Cancelled: the patient was transferred to another facility within the 7 days.' end
  from care_transitions t
 where k.tenant_id = t.tenant_id and k.source = 'transition' and k.source_transition_id = t.id
   and k.status = 'open' and t.excluded_reason is not null;

alter table tasks force row level security;
alter table care_transitions force row level security;

analyze care_transitions;
analyze tasks;

-- +goose Down
revoke update on care_transitions from carecoord_app;
alter table care_transitions
    drop constraint care_transitions_exclusion_check,
    drop column version,
    drop column excluded_at,
    drop column excluded_by,
    drop column excluded_on,
    drop column excluded_reason;
