-- +goose Up
-- Every reference from one tenant-owned row to another, (tenant_id, x_id),
-- gets an index that starts with it. Pages follow these references from the
-- parent (a plan's interventions, a transition's follow-up task, a need's
-- plan), and changing or merging the parent looks its children up by them;
-- without an index each of those reads every row of the tenant: a chart
-- with a care plan spent 350 ms reading 250,000 interventions to find a
-- dozen on the 100,000-patient scale tenant. References that are mostly
-- empty get partial indexes, which cost nothing for the rows without one.
-- internal/db/schema_test.go fails when a new reference has no such index.
-- (References to users, the actor_id and created_by columns, are not
-- tenant-owned and users are never deleted; they stay unindexed.)
-- (interventions by plan: 00024.)
create index interventions_member_idx on interventions (tenant_id, responsible_member_id)
 where responsible_member_id is not null;
create index contacts_care_team_member_idx on contacts (tenant_id, care_team_member_id)
 where care_team_member_id is not null;
create index patient_name_keys_patient_idx on patient_name_keys (tenant_id, patient_id);
create index tasks_source_contact_idx on tasks (tenant_id, source_contact_id)
 where source_contact_id is not null;
create index tasks_source_transition_idx on tasks (tenant_id, source_transition_id)
 where source_transition_id is not null;
create index tasks_source_authorization_idx on tasks (tenant_id, source_authorization_id)
 where source_authorization_id is not null;
create index care_plan_needs_need_idx on care_plan_needs (tenant_id, need_id);
create index goals_plan_need_idx on goals (tenant_id, plan_need_id);
create index referrals_care_team_member_idx on referrals (tenant_id, care_team_member_id)
 where care_team_member_id is not null;
create index referrals_coverage_idx on referrals (tenant_id, coverage_id)
 where coverage_id is not null;
create index resource_search_keys_resource_idx on resource_search_keys (tenant_id, resource_id);
create index appointments_resource_idx on appointments (tenant_id, resource_id)
 where resource_id is not null;
create index appointments_care_team_member_idx on appointments (tenant_id, care_team_member_id)
 where care_team_member_id is not null;
create index appointments_referral_idx on appointments (tenant_id, referral_id)
 where referral_id is not null;
create index contact_goals_progress_note_idx on contact_goals (tenant_id, progress_note_id)
 where progress_note_id is not null;

-- +goose Down
drop index interventions_member_idx, contacts_care_team_member_idx,
    patient_name_keys_patient_idx, tasks_source_contact_idx, tasks_source_transition_idx,
    tasks_source_authorization_idx, care_plan_needs_need_idx, goals_plan_need_idx,
    referrals_care_team_member_idx, referrals_coverage_idx, resource_search_keys_resource_idx,
    appointments_resource_idx, appointments_care_team_member_idx, appointments_referral_idx,
    contact_goals_progress_note_idx;
