-- +goose Up

-- A patient's care plans, whatever their status. The only index naming the
-- patient was the partial one-open-plan key, which a question about every
-- plan (the plan-coverage measure: was a plan in force on a given day?)
-- cannot use, so each patient's look-up read every plan of every tenant:
-- with a year of plans at 100,000 patients (seed scale) the measures page
-- did not finish in ten minutes.
create index care_plans_patient_idx on care_plans (tenant_id, patient_id);

-- +goose Down
drop index care_plans_patient_idx;
