-- +goose Up
-- The open-referrals page reads one page at a time, longest waiting first
-- (internal/referrals/referrals.go, openKeys): this index holds the open
-- referrals in that order, so a page of a year's referrals (about a third
-- still open) is read from the cursor on and cut at its size, not sorted
-- from all of them.
create index referrals_open_order_idx on referrals (tenant_id, coalesce(sent_at, created_at), id)
 where status in ('draft', 'sent', 'accepted', 'in_progress');
-- An expression index has statistics of its own (autovacuum may be off).
analyze referrals;

-- A plan's interventions are read by plan (internal/careplans/store.go,
-- queueInterventions: the chart, the plan page, the approval queue), but
-- were indexed only by goal: on bigcare (248,000 interventions) every
-- chart with a plan read the whole table, 120-290 ms.
create index interventions_plan_idx on interventions (tenant_id, plan_id);
analyze interventions;

-- +goose Down
drop index interventions_plan_idx;
drop index referrals_open_order_idx;
