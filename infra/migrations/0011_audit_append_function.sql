-- Appending to an audit chain in one round trip, inside the database.
--
-- audit_append locks the consortium's chain head, reads the clock, renders each event's
-- canonical encoding (exchange/audit/chain.py, version 1: the ten fields as one line of
-- COPY text), hashes it with SHA-256 over prev_hash || LF || canonical, inserts it and
-- lets the audit_event_extend_head trigger advance the head. The bytes hashed are the
-- ones Python's writer hashed before, so old and new events form one chain that the
-- verifier (exchange/audit/verify.py) checks alike.
--
-- Before, an append took three round trips with the head locked from the second one;
-- with the event loop busy between them, other writers waited on a lock whose holder
-- was idle. Now the head is locked only for the time of this statement (and then until
-- commit): callers flush their events just before committing.
--
-- Security invoker: row-level security sees the caller, as for a plain insert.

-- chr(11), not E'\v': PostgreSQL before 16 reads E'\v' as a plain 'v'.
create function audit_copy_text(value text) returns text
language sql immutable parallel safe as $$
    select coalesce(
        replace(replace(replace(replace(replace(replace(replace(
            value, E'\\', E'\\\\'), E'\b', E'\\b'), E'\f', E'\\f'), E'\n', E'\\n'),
            E'\r', E'\\r'), E'\t', E'\\t'), chr(11), E'\\v'),
        E'\\N')
$$;

-- The events are given as parallel arrays (one element per event, in order); details as
-- JSON text. Returns the sequence number of the last event appended.
create function audit_append(
    p_consortium_id uuid,
    p_actor_kind text[],
    p_actor_id text[],
    p_partner_id uuid[],
    p_action text[],
    p_subject_kind text[],
    p_subject_id text[],
    p_details text[]
) returns bigint
language plpgsql volatile security invoker as $$
declare
    head_seq bigint;
    head_hash text;
    event_time timestamptz;
    details_value jsonb;
    canonical text;
    new_hash text;
begin
    select seq, hash into head_seq, head_hash
    from audit_chain_head where consortium_id = p_consortium_id
    for update;
    if not found then
        insert into audit_chain_head (consortium_id, seq, hash)
        values (p_consortium_id, 0, repeat('0', 64))
        on conflict (consortium_id) do nothing;
        select seq, hash into head_seq, head_hash
        from audit_chain_head where consortium_id = p_consortium_id
        for update;
    end if;
    for i in 1 .. coalesce(array_length(p_action, 1), 0) loop
        head_seq := head_seq + 1;
        -- read once the head is held, so that time order follows sequence order
        event_time := clock_timestamp();
        details_value := p_details[i]::jsonb;
        canonical := concat_ws(E'\t',
            p_consortium_id::text,
            head_seq::text,
            to_char(event_time at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
            audit_copy_text(p_actor_kind[i]),
            audit_copy_text(p_actor_id[i]),
            audit_copy_text(p_partner_id[i]::text),
            audit_copy_text(p_action[i]),
            audit_copy_text(p_subject_kind[i]),
            audit_copy_text(p_subject_id[i]),
            audit_copy_text(details_value::text));
        new_hash := encode(sha256(convert_to(head_hash || E'\n' || canonical, 'UTF8')), 'hex');
        insert into audit_event (consortium_id, seq, occurred_at, actor_kind, actor_id,
                                 partner_id, action, subject_kind, subject_id, details,
                                 prev_hash, hash)
        values (p_consortium_id, head_seq, event_time, p_actor_kind[i], p_actor_id[i],
                p_partner_id[i], p_action[i], p_subject_kind[i], p_subject_id[i],
                details_value, head_hash, new_hash);
        head_hash := new_hash;
    end loop;
    return head_seq;
end $$;

-- Events queued by a transaction, appended while it commits. A use case's events are
-- inserted here just before COMMIT; the deferred trigger below appends each one as the
-- COMMIT runs, so the head is locked only inside the commit itself: no holder waits
-- for its client between taking the head and committing. The rows never outlive their
-- transaction (the trigger deletes them), so the table is unlogged.
create unlogged table audit_pending (
    id bigint generated always as identity primary key,
    consortium_id uuid not null,
    actor_kind text not null,
    actor_id text,
    partner_id uuid,
    action text not null,
    subject_kind text,
    subject_id text,
    details text not null
);
alter table audit_pending enable row level security;
alter table audit_pending force row level security;
create policy audit_pending_own on audit_pending for all
    using (app_is_system() or consortium_id = app_consortium())
    with check (app_is_system() or consortium_id = app_consortium());

create function audit_pending_append() returns trigger language plpgsql as $$
begin
    perform audit_append(new.consortium_id, array[new.actor_kind], array[new.actor_id],
                         array[new.partner_id], array[new.action], array[new.subject_kind],
                         array[new.subject_id], array[new.details]);
    delete from audit_pending where id = new.id;
    return null;
end $$;
create constraint trigger audit_pending_append after insert on audit_pending
    deferrable initially deferred
    for each row execute function audit_pending_append();
