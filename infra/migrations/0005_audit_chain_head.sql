-- The head of each consortium's audit chain, kept by the database itself.
--
-- Writers lock the head row (select ... for update) to append, so appends to one
-- chain are serialised and never need to read events that row-level security hides
-- from them (a partner sees only its own events). A trigger on audit_event refuses
-- any insert that does not extend the head (seq = head + 1, prev_hash = head hash)
-- and moves the head: the chain cannot fork or skip, whatever a writer computes.
-- The verifier still recomputes everything; the head is a guard, not the proof.

-- The backfill below must see every chain, also when the owner is not a superuser
-- (row-level security is forced on the owner too). Local to this migration's transaction.
select set_config('app.role', 'system', true);

create table audit_chain_head (
    consortium_id uuid primary key references consortium(id),
    seq bigint not null check (seq >= 0),
    hash text not null,
    updated_at timestamptz not null default now()
);

alter table audit_chain_head enable row level security;
alter table audit_chain_head force row level security;
create policy audit_chain_head_read on audit_chain_head for select
    using (app_is_system() or consortium_id = app_consortium());
create policy audit_chain_head_insert on audit_chain_head for insert
    with check ((app_is_system() or consortium_id = app_consortium()) and seq = 0);
create policy audit_chain_head_update on audit_chain_head for update
    using (app_is_system() or consortium_id = app_consortium())
    with check (app_is_system() or consortium_id = app_consortium());

create function audit_chain_head_refuse_delete() returns trigger language plpgsql as $$
begin
    raise exception 'audit_chain_head rows are never removed (% refused)', tg_op
        using errcode = 'insufficient_privilege';
end $$;
create trigger audit_chain_head_no_delete before delete on audit_chain_head
    for each row execute function audit_chain_head_refuse_delete();
create trigger audit_chain_head_no_truncate before truncate on audit_chain_head
    for each statement execute function audit_chain_head_refuse_delete();

create function audit_event_extend_head() returns trigger language plpgsql as $$
declare
    head_seq bigint;
    head_hash text;
begin
    select seq, hash into head_seq, head_hash
    from audit_chain_head where consortium_id = new.consortium_id
    for update;
    if not found then
        raise exception 'audit chain of consortium % has no head row', new.consortium_id
            using errcode = 'integrity_constraint_violation';
    end if;
    if new.seq <> head_seq + 1 or new.prev_hash <> head_hash then
        raise exception 'audit event % does not extend the chain head %', new.seq, head_seq
            using errcode = 'integrity_constraint_violation';
    end if;
    if new.hash !~ '^[0-9a-f]{64}$' then
        raise exception 'audit event hash must be 64 lower-case hex digits'
            using errcode = 'check_violation';
    end if;
    update audit_chain_head set seq = new.seq, hash = new.hash, updated_at = now()
    where consortium_id = new.consortium_id;
    return new;
end $$;
create trigger audit_event_extend_head before insert on audit_event
    for each row execute function audit_event_extend_head();

-- Chains written before this migration: their heads.
insert into audit_chain_head (consortium_id, seq, hash)
select distinct on (consortium_id) consortium_id, seq, hash
from audit_event order by consortium_id, seq desc;

-- Audit search and statistics read by time and by partner within a consortium.
create index audit_event_time_idx on audit_event (consortium_id, occurred_at);
create index audit_checkpoint_consortium_idx on audit_checkpoint (consortium_id, seq desc);
