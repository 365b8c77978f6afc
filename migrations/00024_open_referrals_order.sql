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

-- +goose Down
drop index referrals_open_order_idx;
