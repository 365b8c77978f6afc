-- +goose Up

-- Issue 15. A safety alert opens when the answer is saved, so a corrected
-- answer (an amendment that is no longer positive, an assessment entered
-- in error) withdraws its task, and an answer made positive again reopens
-- it: both are kept in the task's history with the reason.
alter table task_events drop constraint task_events_kind_check;
alter table task_events add constraint task_events_kind_check
    check (kind in ('completed', 'rescheduled', 'handed_over', 'cancelled', 'reopened'));

-- The supplemental domains of the CMS AHC-HRSN screening tool propose needs
-- the core questions never did.
alter table needs drop constraint needs_domain_check;
alter table needs add constraint needs_domain_check check (domain in ('food', 'housing', 'transportation', 'utilities', 'safety',
    'mental_health', 'medical', 'financial', 'social_isolation',
    'employment', 'education', 'physical_activity', 'substance_use', 'disability'));

-- +goose Down
alter table needs drop constraint needs_domain_check;
alter table needs add constraint needs_domain_check check (domain in ('food', 'housing', 'transportation', 'utilities', 'safety',
    'mental_health', 'medical', 'financial', 'social_isolation'));
alter table task_events drop constraint task_events_kind_check;
alter table task_events add constraint task_events_kind_check check (kind in ('completed', 'rescheduled', 'handed_over'));
