-- +goose Up

-- Each hospital discharge keeps its follow-up's engagement, so that the
-- supervisors' 7-day measure counts discharges instead of reading each
-- one's contacts (1 s for the measures page at 100,000 patients). It is
-- what contacts.Engagement says of the patient's contacts: 'met' or
-- 'late' with the moment of the first engagement after the discharge day,
-- or 'none' while there is none; pending or missed is decided from the
-- clock when the measure is read (contacts.Discharge.Decide), and the
-- exclusion is kept already (00028). The use cases that change those
-- contacts keep it in the same transaction (internal/contacts/followup_kept.go).
--
-- NULL is "not worked out yet". This migration leaves every existing
-- discharge so: the job contacts.follow_ups works them out in Go
-- (contacts.WorkOutFollowUps) within a minute of the new version starting,
-- and until then the measure reads their contacts as before. Doing it here
-- in SQL would state the follow-up rule a second time, beside Go's, where
-- a later change of the rule would have to find it.
alter table care_transitions
    add column follow_up text check (follow_up in ('none', 'met', 'late')),
    add column followed_up_at timestamptz,
    add constraint care_transitions_followed_up_check check (
        (follow_up is null or kind = 'discharge')
        and (followed_up_at is not null) = coalesce(follow_up in ('met', 'late'), false));

grant update (follow_up, followed_up_at) on care_transitions to carecoord_app;

-- The measure counts a period's discharges by their kept engagement, and
-- the job finds those not worked out yet.
create index care_transitions_discharges_idx on care_transitions (tenant_id, occurred_on)
    include (follow_up, excluded_reason) where kind = 'discharge';
create index care_transitions_follow_up_unknown_idx on care_transitions (tenant_id)
    where kind = 'discharge' and follow_up is null;

-- +goose Down
drop index care_transitions_follow_up_unknown_idx;
drop index care_transitions_discharges_idx;
revoke update (follow_up, followed_up_at) on care_transitions from carecoord_app;
alter table care_transitions
    drop constraint care_transitions_followed_up_check,
    drop column followed_up_at,
    drop column follow_up;
