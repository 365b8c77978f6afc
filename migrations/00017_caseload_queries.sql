-- +goose Up

-- The team's patient list reads one page at a time in the order chosen
-- (internal/caseload/patients.go, sortKeys): by name the patients_name_order
-- index serves; these serve the two other orders, so a page of a
-- 100,000-patient team is read from the index rather than sorted from all.
create index patients_open_risk_order_idx on patients
    (tenant_id, array_position(array['high', 'moderate', 'low']::text[], risk_tier), family_name, given_name, id)
    where status in ('referred', 'active', 'on_hold');
create index patients_open_contact_order_idx on patients
    (tenant_id, coalesce(last_reached_at, '-infinity'::timestamptz), family_name, id)
    where status in ('referred', 'active', 'on_hold');

-- The rarer flags that live on the patient row, in name order: a page (and
-- its count of matches) reads the flagged patients only.
create index patients_unreachable_idx on patients (tenant_id, family_name, given_name, id)
    where status in ('referred', 'active', 'on_hold') and unreached_attempts >= 3;
create index patients_high_risk_idx on patients (tenant_id, family_name, given_name, id)
    where status = 'active' and risk_tier = 'high';

-- +goose Down
drop index patients_high_risk_idx;
drop index patients_unreachable_idx;
drop index patients_open_contact_order_idx;
drop index patients_open_risk_order_idx;
