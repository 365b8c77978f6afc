-- +goose Up

-- Risk tiers proposed from the evidence (issue 15): each completed
-- assessment, recorded transition or contact re-evaluates the patient's
-- tier with the rules of internal/risk, and a proposal that would raise the
-- tier waits here for the coordinator to accept or override it.
--
-- fingerprint names the evidence a proposal rests on (each fired rule and
-- the records it read): a decided proposal is never raised again from the
-- same evidence, only from a new piece of it. No backfill: proposals come
-- from new evidence, as they would have had the rules always existed.
create table risk_proposals (
    tenant_id     uuid not null references tenants (id),
    id            uuid not null default gen_random_uuid(),
    patient_id    uuid not null,
    -- The tier the patient had, and the one the evidence proposes.
    from_tier     text not null check (from_tier in ('low', 'moderate', 'high')),
    proposed_tier text not null check (proposed_tier in ('low', 'moderate', 'high')),
    -- The rules that fired: [{"rule", "tier", "evidence"}], in rule order.
    reasons       jsonb not null,
    fingerprint   text not null check (length(fingerprint) between 1 and 2000),
    -- superseded: newer evidence (or evidence withdrawn) replaced it
    -- before anyone decided.
    status        text not null default 'open' check (status in ('open', 'accepted', 'overridden', 'superseded')),
    created_at    timestamptz not null,
    decided_by    uuid references users (id),
    decided_at    timestamptz,
    reason        text not null default '' check (length(reason) <= 500),
    version       int not null default 1,
    primary key (tenant_id, id),
    foreign key (tenant_id, patient_id) references patients (tenant_id, id),
    check ((status in ('accepted', 'overridden')) = (decided_at is not null)),
    check (status <> 'overridden' or length(reason) > 0)
);
-- At most one proposal per patient waits for a decision.
create unique index risk_proposals_open_idx on risk_proposals (tenant_id, patient_id) where status = 'open';
-- Has this evidence been decided before?
create index risk_proposals_fingerprint_idx on risk_proposals (tenant_id, patient_id, fingerprint);

alter table risk_proposals enable row level security;
alter table risk_proposals force row level security;
create policy tenant_isolation on risk_proposals
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

grant select, insert, update on risk_proposals to carecoord_app;

analyze risk_proposals;

-- +goose Down
drop table risk_proposals;
