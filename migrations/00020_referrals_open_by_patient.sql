-- +goose Up
-- The supervisor's patient lists ask, for each patient of a page, whether
-- they have an open referral; with a year of referrals (about one in three
-- still open) that needs the open ones by patient, not every referral.
create index referrals_open_patient_idx on referrals (tenant_id, patient_id)
 where status in ('draft', 'sent', 'accepted', 'in_progress');

-- +goose Down
drop index referrals_open_patient_idx;
