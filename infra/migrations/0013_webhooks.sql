-- Webhooks to partner systems (issue 10): endpoints with sealed signing secrets, an
-- outbox of events written in the transaction of the change, per-endpoint messages with
-- their delivery log, and erasure notices a partner acknowledges.
--
-- webhook_event is the outbox: any use case may append to it for its own consortium
-- (like mail_outbox), because the caller that causes an event is often not the partner
-- that receives it (a person withdrawing consent). Only the system reads it: the
-- delivery worker fans each event out to the partner's subscribed endpoints.

create table webhook_endpoint (
    id uuid primary key,
    consortium_id uuid not null references consortium(id) on delete cascade,
    partner_id uuid not null references partner(id) on delete cascade,
    url text not null check (length(url) <= 2000),
    event_types text[] not null check (cardinality(event_types) > 0),
    description text check (length(description) <= 200),
    status text not null default 'ACTIVE' check (status in ('ACTIVE', 'DISABLED')),
    disabled_reason text check (disabled_reason in ('BY_PARTNER', 'GONE', 'BY_ADMIN')),
    disabled_at timestamptz,
    secret_ciphertext bytea not null,
    secret_nonce bytea not null,
    secret_wrapped_key bytea not null,
    secret_kek_id text not null,
    secret_version integer not null default 1,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index webhook_endpoint_partner_idx on webhook_endpoint (partner_id) where status = 'ACTIVE';

create table webhook_event (
    id uuid primary key,
    consortium_id uuid not null references consortium(id) on delete cascade,
    partner_id uuid not null references partner(id) on delete cascade,
    event_type text not null,
    payload jsonb not null,
    erasure boolean not null default false,
    created_at timestamptz not null default now()
);
create index webhook_event_created_idx on webhook_event (created_at);

create table webhook_message (
    id uuid primary key,
    event_id uuid not null,
    consortium_id uuid not null references consortium(id) on delete cascade,
    partner_id uuid not null references partner(id) on delete cascade,
    endpoint_id uuid not null references webhook_endpoint(id) on delete cascade,
    event_type text not null,
    body text not null,
    erasure boolean not null default false,
    status text not null default 'PENDING'
        check (status in ('PENDING', 'DELIVERED', 'FAILED', 'ENDPOINT_GONE', 'ESCALATED')),
    attempts integer not null default 0,
    next_attempt_at timestamptz not null default now(),
    last_status_code integer,
    last_error text,
    created_at timestamptz not null default now(),
    delivered_at timestamptz,
    unique (event_id, endpoint_id)
);
create index webhook_message_due_idx on webhook_message (next_attempt_at) where status = 'PENDING';
create index webhook_message_endpoint_idx on webhook_message (endpoint_id, created_at desc);

create table webhook_attempt (
    id bigint generated always as identity primary key,
    message_id uuid not null references webhook_message(id) on delete cascade,
    endpoint_id uuid not null references webhook_endpoint(id) on delete cascade,
    consortium_id uuid not null references consortium(id) on delete cascade,
    partner_id uuid not null references partner(id) on delete cascade,
    attempted_at timestamptz not null default now(),
    status_code integer,
    latency_ms integer not null,
    outcome text not null check (outcome in ('DELIVERED', 'RETRY', 'FAILED', 'GONE', 'REFUSED')),
    error text check (length(error) <= 300)
);
create index webhook_attempt_endpoint_idx on webhook_attempt (endpoint_id, attempted_at desc);

create table erasure_notice (
    id uuid primary key,
    consortium_id uuid not null references consortium(id) on delete cascade,
    partner_id uuid not null references partner(id) on delete cascade,
    reason text not null check (reason in ('CONSENT_WITHDRAWN', 'CONSENT_EXPIRED', 'PERSON_ERASED')),
    profile_id uuid,  -- no foreign key: the profile itself may be erased
    pseudonym text,
    introduction_ids uuid[] not null default '{}',
    erase_by timestamptz not null,
    created_at timestamptz not null default now(),
    confirmed_at timestamptz,
    method text check (method in ('DELETED', 'ANONYMISED')),
    confirmed_by text,
    check ((confirmed_at is null) = (method is null))
);
create index erasure_notice_partner_idx on erasure_notice (partner_id, created_at desc);
create index erasure_notice_open_idx on erasure_notice (erase_by) where confirmed_at is null;

-- ---------------------------------------------------------------- row-level security
alter table webhook_endpoint enable row level security;
alter table webhook_endpoint force row level security;
create policy webhook_endpoint_read on webhook_endpoint for select
    using (app_is_system() or app_is_admin_of(consortium_id)
        or (app_role() = 'partner_hr' and partner_id = app_partner()));
create policy webhook_endpoint_insert on webhook_endpoint for insert
    with check (app_is_system() or app_is_admin_of(consortium_id)
        or (app_role() = 'partner_hr' and partner_id = app_partner()
            and consortium_id = app_consortium()));
create policy webhook_endpoint_update on webhook_endpoint for update
    using (app_is_system() or app_is_admin_of(consortium_id)
        or (app_role() = 'partner_hr' and partner_id = app_partner()))
    with check (app_is_system() or app_is_admin_of(consortium_id)
        or (app_role() = 'partner_hr' and partner_id = app_partner()));

alter table webhook_event enable row level security;
alter table webhook_event force row level security;
create policy webhook_event_read on webhook_event for select using (app_is_system());
create policy webhook_event_insert on webhook_event for insert
    with check (app_is_system() or (app_role() <> 'none' and consortium_id = app_consortium()));
create policy webhook_event_update on webhook_event for update
    using (app_is_system()) with check (app_is_system());
create policy webhook_event_delete on webhook_event for delete using (app_is_system());

alter table webhook_message enable row level security;
alter table webhook_message force row level security;
create policy webhook_message_read on webhook_message for select
    using (app_is_system() or app_is_admin_of(consortium_id)
        or (app_role() = 'partner_hr' and partner_id = app_partner()));
create policy webhook_message_insert on webhook_message for insert with check (app_is_system());
create policy webhook_message_delete on webhook_message for delete using (app_is_system());
create policy webhook_message_update on webhook_message for update
    using (app_is_system() or app_is_admin_of(consortium_id)
        or (app_role() = 'partner_hr' and partner_id = app_partner()))
    with check (app_is_system() or app_is_admin_of(consortium_id)
        or (app_role() = 'partner_hr' and partner_id = app_partner()));

alter table webhook_attempt enable row level security;
alter table webhook_attempt force row level security;
create policy webhook_attempt_read on webhook_attempt for select
    using (app_is_system() or app_is_admin_of(consortium_id)
        or (app_role() = 'partner_hr' and partner_id = app_partner()));
create policy webhook_attempt_insert on webhook_attempt for insert with check (app_is_system());
create policy webhook_attempt_delete on webhook_attempt for delete using (app_is_system());

alter table erasure_notice enable row level security;
alter table erasure_notice force row level security;
create policy erasure_notice_read on erasure_notice for select
    using (app_is_system() or app_is_admin_of(consortium_id)
        or (app_role() = 'partner_hr' and partner_id = app_partner()));
create policy erasure_notice_insert on erasure_notice for insert
    with check (app_is_system() or (app_role() <> 'none' and consortium_id = app_consortium()));
create policy erasure_notice_update on erasure_notice for update
    using (app_is_system() or app_is_admin_of(consortium_id)
        or (app_role() = 'partner_hr' and partner_id = app_partner()))
    with check (app_is_system() or app_is_admin_of(consortium_id)
        or (app_role() = 'partner_hr' and partner_id = app_partner()));

-- Time-based events are sent once: a key per event (placement.outcome_due per placement
-- and milestone, matches.new per vacancy and day), and the profiles already announced
-- as new matches of a vacancy. Written and read by the system only.
create table webhook_sent_once (
    key text primary key,
    consortium_id uuid not null references consortium(id) on delete cascade,
    created_at timestamptz not null default now()
);
create table webhook_match_announced (
    vacancy_id uuid not null references vacancy(id) on delete cascade,
    profile_id uuid not null references profile(id) on delete cascade,
    consortium_id uuid not null references consortium(id) on delete cascade,
    announced_at timestamptz not null default now(),
    primary key (vacancy_id, profile_id)
);
alter table webhook_sent_once enable row level security;
alter table webhook_sent_once force row level security;
create policy webhook_sent_once_all on webhook_sent_once for all
    using (app_is_system()) with check (app_is_system());
alter table webhook_match_announced enable row level security;
alter table webhook_match_announced force row level security;
create policy webhook_match_announced_all on webhook_match_announced for all
    using (app_is_system()) with check (app_is_system());
