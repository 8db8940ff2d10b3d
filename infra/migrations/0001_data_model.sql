-- Tussendeur data model. Every table holding tenant data has row-level security
-- enabled and forced; the caller is set per transaction with
-- set_config('app.<key>', value, true) by infra.db. No context → no rows.

create extension if not exists pg_trgm;

-- ---------------------------------------------------------------- context
create function app_role() returns text language sql stable parallel safe as
$$ select coalesce(nullif(current_setting('app.role', true), ''), 'none') $$;
create function app_partner() returns uuid language sql stable parallel safe as
$$ select nullif(current_setting('app.partner_id', true), '')::uuid $$;
create function app_person() returns uuid language sql stable parallel safe as
$$ select nullif(current_setting('app.person_id', true), '')::uuid $$;
create function app_consortium() returns uuid language sql stable parallel safe as
$$ select nullif(current_setting('app.consortium_id', true), '')::uuid $$;
create function app_user() returns uuid language sql stable parallel safe as
$$ select nullif(current_setting('app.user_id', true), '')::uuid $$;
create function app_is_system() returns boolean language sql stable parallel safe as
$$ select app_role() = 'system' $$;
create function app_is_admin_of(consortium uuid) returns boolean language sql stable parallel safe as
$$ select app_role() = 'consortium_admin' and consortium = app_consortium() $$;
create function app_lookup(key text) returns text language sql stable parallel safe as
$$ select nullif(current_setting('app.lookup_' || key, true), '') $$;

-- ---------------------------------------------------------------- organisations
create table consortium (
    id uuid primary key,
    slug text not null unique check (slug ~ '^[a-z0-9-]{2,40}$'),
    name text not null check (length(name) between 1 and 120),
    created_at timestamptz not null default now()
);

create table partner (
    id uuid primary key,
    consortium_id uuid not null references consortium(id),
    slug text not null check (slug ~ '^[a-z0-9-]{2,40}$'),
    name text not null check (length(name) between 1 and 120),
    city text,
    status text not null default 'ACTIVE' check (status in ('ACTIVE', 'SUSPENDED')),
    created_at timestamptz not null default now(),
    suspended_at timestamptz,
    unique (consortium_id, slug)
);
create index partner_consortium_idx on partner (consortium_id);

create table api_client (
    id uuid primary key,
    consortium_id uuid not null references consortium(id),
    partner_id uuid references partner(id),  -- null: a consortium-level client
    client_id text not null unique,
    secret_hash text not null,
    name text not null,
    scopes text[] not null default '{}',
    created_at timestamptz not null default now(),
    revoked_at timestamptz,
    last_used_at timestamptz
);
create index api_client_partner_idx on api_client (partner_id);

-- Staff who sign in by emailed link: partner HR users and consortium admins.
create table staff_user (
    id uuid primary key,
    consortium_id uuid not null references consortium(id),
    partner_id uuid references partner(id),
    role text not null check (role in ('partner_hr', 'consortium_admin')),
    email text not null,
    display_name text not null,
    language text not null default 'nl' check (language in ('nl', 'en')),
    created_at timestamptz not null default now(),
    disabled_at timestamptz,
    check ((role = 'partner_hr') = (partner_id is not null))
);
create unique index staff_user_email_idx on staff_user (lower(email));

-- ---------------------------------------------------------------- people
-- A person is known to the exchange only by a random pseudonym; contact data
-- is kept apart in person_contact.
create table person (
    id uuid primary key,
    consortium_id uuid not null references consortium(id),
    pseudonym text not null unique,
    created_by_partner_id uuid references partner(id),
    language text not null default 'nl' check (language in ('nl', 'en')),
    created_at timestamptz not null default now()
);

create table person_contact (
    person_id uuid primary key references person(id) on delete cascade,
    consortium_id uuid not null references consortium(id),
    full_name text not null,
    email text not null,
    phone text,
    created_by_partner_id uuid references partner(id),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index person_contact_email_idx on person_contact (lower(email));

-- ---------------------------------------------------------------- profiles
create table profile (
    id uuid primary key,
    consortium_id uuid not null references consortium(id),
    partner_id uuid not null references partner(id),  -- the partner that shared it
    person_id uuid not null references person(id) on delete cascade,
    pseudonym text not null unique,
    kind text not null check (kind in ('REJECTED_CANDIDATE', 'READY_TO_MOVE')),
    status text not null default 'PENDING_CONSENT'
        check (status in ('PENDING_CONSENT', 'ACTIVE', 'PAUSED', 'EXPIRED', 'WITHDRAWN')),
    headline text,
    not_fit_reason text,
    present_role text,
    postcode_area char(4) not null check (postcode_area ~ '^[1-9][0-9]{3}$'),
    max_travel_km integer not null check (max_travel_km between 0 and 300),
    hours_min integer not null check (hours_min between 1 and 48),
    hours_max integer not null check (hours_max between hours_min and 48),
    available_from date not null,
    ambitions text[] not null default '{}',
    shifts text[] not null default '{}',
    work_modes text[] not null default '{}',
    min_pay_cents integer check (min_pay_cents >= 0),
    min_pay_period text check (min_pay_period in ('HOUR', 'MONTH')),
    transferable_sectors text[] not null default '{}',
    -- consent state mirrored from consent_record for matching and RLS
    consent_scope_kind text check (consent_scope_kind in ('ALL_PARTNERS', 'ONLY', 'ALL_EXCEPT')),
    consent_scope_partner_ids uuid[] not null default '{}',
    consent_expires_at timestamptz,
    pending_until timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check ((min_pay_cents is null) = (min_pay_period is null))
);
create index profile_partner_idx on profile (partner_id, created_at desc, id desc);
create index profile_person_idx on profile (person_id);
create index profile_active_idx on profile (consortium_id) where status = 'ACTIVE';

create table profile_competency (
    id uuid primary key,
    profile_id uuid not null references profile(id) on delete cascade,
    position integer not null,
    phrase text not null check (length(phrase) between 1 and 200),
    normalized text not null,
    concept_id text,
    confidence real not null default 0,
    level smallint check (level between 1 and 5),
    unique (profile_id, position)
);
create index profile_competency_concept_idx on profile_competency (concept_id);

create table profile_language (
    profile_id uuid not null references profile(id) on delete cascade,
    language text not null check (language ~ '^[a-z]{2}$'),
    level text not null check (level in ('A1', 'A2', 'B1', 'B2', 'C1', 'C2', 'NATIVE')),
    primary key (profile_id, language)
);

-- ---------------------------------------------------------------- vacancies
create table vacancy (
    id uuid primary key,
    consortium_id uuid not null references consortium(id),
    partner_id uuid not null references partner(id),
    title text not null check (length(title) between 1 and 200),
    description text not null default '',
    role text not null default 'AGENT',
    role_level smallint not null default 1 check (role_level between 1 and 5),
    status text not null default 'OPEN' check (status in ('OPEN', 'CLOSED')),
    postcode_area char(4) not null check (postcode_area ~ '^[1-9][0-9]{3}$'),
    hours_min integer not null check (hours_min between 1 and 48),
    hours_max integer not null check (hours_max between hours_min and 48),
    pay_min_cents integer check (pay_min_cents >= 0),
    pay_max_cents integer check (pay_max_cents >= pay_min_cents),
    pay_period text check (pay_period in ('HOUR', 'MONTH')),
    shifts text[] not null default '{}',
    work_mode text not null default 'ON_SITE' check (work_mode in ('REMOTE', 'HYBRID', 'ON_SITE')),
    training_offered text not null default '',
    soft_skill_weight real not null default 1.0 check (soft_skill_weight between 0 and 3),
    start_date date not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    closed_at timestamptz
);
create index vacancy_partner_idx on vacancy (partner_id, created_at desc, id desc);

create table vacancy_requirement (
    id uuid primary key,
    vacancy_id uuid not null references vacancy(id) on delete cascade,
    position integer not null,
    phrase text not null check (length(phrase) between 1 and 200),
    normalized text not null,
    concept_id text,
    confidence real not null default 0,
    must_have boolean not null default false,
    weight real not null default 1 check (weight > 0 and weight <= 10),
    min_level smallint check (min_level between 1 and 5),
    unique (vacancy_id, position)
);

create table vacancy_language (
    vacancy_id uuid not null references vacancy(id) on delete cascade,
    language text not null check (language ~ '^[a-z]{2}$'),
    min_level text not null check (min_level in ('A1', 'A2', 'B1', 'B2', 'C1', 'C2', 'NATIVE')),
    must_have boolean not null default true,
    primary key (vacancy_id, language)
);

-- ---------------------------------------------------------------- consent
create table consent_text (
    id uuid primary key,
    purpose text not null,
    version text not null,
    language text not null check (language in ('nl', 'en')),
    body text not null,
    body_sha256 text not null,
    published_at timestamptz not null default now(),
    unique (purpose, version, language)
);

create table consent_record (
    id uuid primary key,
    consortium_id uuid not null references consortium(id),
    profile_id uuid references profile(id) on delete set null,
    person_id uuid references person(id) on delete set null,
    collected_by_partner_id uuid not null references partner(id),
    event text not null check (event in ('GRANTED', 'CHANGED', 'RENEWED', 'WITHDRAWN', 'REFUSED', 'EXPIRED')),
    purpose text not null default 'EXCHANGE_MATCHING',
    scope_kind text check (scope_kind in ('ALL_PARTNERS', 'ONLY', 'ALL_EXCEPT')),
    scope_partner_ids uuid[] not null default '{}',
    granted_at timestamptz,
    expires_at timestamptz,
    withdrawn_at timestamptz,
    text_version text,
    text_sha256 text,
    collection_method text not null default 'EMAIL_LINK',
    language text not null default 'nl' check (language in ('nl', 'en')),
    receipt_id uuid not null unique,
    recorded_at timestamptz not null default now()
);
create index consent_record_profile_idx on consent_record (profile_id, recorded_at);
create index consent_record_person_idx on consent_record (person_id);

-- ---------------------------------------------------------------- introductions and placements
create table introduction (
    id uuid primary key,
    consortium_id uuid not null references consortium(id),
    profile_id uuid references profile(id) on delete set null,
    person_id uuid references person(id) on delete set null,
    vacancy_id uuid not null references vacancy(id),
    requesting_partner_id uuid not null references partner(id),
    sharing_partner_id uuid not null references partner(id),
    message text check (length(message) <= 2000),
    status text not null default 'REQUESTED'
        check (status in ('REQUESTED', 'ACCEPTED', 'DECLINED', 'EXPIRED', 'WITHDRAWN')),
    response_message text check (length(response_message) <= 2000),
    requested_at timestamptz not null default now(),
    responded_at timestamptz,
    expires_at timestamptz not null
);
create unique index introduction_one_open_idx on introduction (profile_id, vacancy_id)
    where status = 'REQUESTED';
create index introduction_requesting_idx on introduction (requesting_partner_id, requested_at desc);
create index introduction_person_idx on introduction (person_id);

create table placement (
    id uuid primary key,
    consortium_id uuid not null references consortium(id),
    introduction_id uuid not null unique references introduction(id),
    profile_id uuid references profile(id) on delete set null,
    vacancy_id uuid not null references vacancy(id),
    hiring_partner_id uuid not null references partner(id),
    sharing_partner_id uuid not null references partner(id),
    shared_at timestamptz not null,
    start_date date not null,
    employed_at_3_months boolean,
    employed_at_6_months boolean,
    left_on date,
    left_reason text check (left_reason in
        ('PAY', 'NO_GROWTH', 'WORKLOAD', 'SCHEDULE', 'COMMUTE', 'ROLE_MISMATCH', 'PERSONAL', 'DISMISSED', 'OTHER')),
    recorded_at timestamptz not null default now(),
    outcome_recorded_at timestamptz
);

-- ---------------------------------------------------------------- audit trail
-- Append-only, hash chained per consortium. The app role may INSERT and SELECT only;
-- a trigger refuses UPDATE, DELETE and TRUNCATE for everyone.
create table audit_event (
    consortium_id uuid not null references consortium(id),
    seq bigint not null check (seq >= 1),
    occurred_at timestamptz not null,
    actor_kind text not null,
    actor_id text,
    partner_id uuid,
    action text not null,
    subject_kind text,
    subject_id text,
    details jsonb not null default '{}',
    prev_hash text not null,
    hash text not null,
    primary key (consortium_id, seq)
);
create index audit_event_action_idx on audit_event (consortium_id, action, occurred_at);
create index audit_event_subject_idx on audit_event (subject_id);
create index audit_event_partner_idx on audit_event (partner_id, occurred_at);

create function audit_event_refuse_change() returns trigger language plpgsql as $$
begin
    raise exception 'audit_event is append-only (% refused)', tg_op
        using errcode = 'insufficient_privilege';
end $$;
create trigger audit_event_no_update_delete before update or delete on audit_event
    for each row execute function audit_event_refuse_change();
create trigger audit_event_no_truncate before truncate on audit_event
    for each statement execute function audit_event_refuse_change();

create table audit_checkpoint (
    id uuid primary key,
    consortium_id uuid not null references consortium(id),
    seq bigint not null,
    head_hash text not null,
    event_count bigint not null,
    signed_jws text not null,
    created_at timestamptz not null default now()
);

-- ---------------------------------------------------------------- identity and mail
create table platform_key (
    kid text primary key,
    alg text not null default 'ES256',
    private_jwk jsonb not null,
    public_jwk jsonb not null,
    created_at timestamptz not null default now(),
    retired_at timestamptz
);

create table sign_in_token (
    id uuid primary key,
    token_hash text not null unique,
    purpose text not null check (purpose in ('SIGN_IN', 'CONSENT', 'INTRODUCTION', 'RENEW')),
    consortium_id uuid references consortium(id),
    staff_user_id uuid references staff_user(id) on delete cascade,
    person_id uuid references person(id) on delete cascade,
    profile_id uuid references profile(id) on delete cascade,
    introduction_id uuid references introduction(id) on delete cascade,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    used_at timestamptz
);
create index sign_in_token_person_idx on sign_in_token (person_id);

create table mail_outbox (
    id uuid primary key,
    consortium_id uuid references consortium(id),
    person_id uuid references person(id) on delete cascade,
    to_address text not null,
    subject text not null,
    body_text text not null,
    template text not null,
    language text not null default 'nl',
    status text not null default 'PENDING' check (status in ('PENDING', 'SENT', 'FAILED')),
    attempts integer not null default 0,
    next_attempt_at timestamptz not null default now(),
    last_error text,
    created_at timestamptz not null default now(),
    sent_at timestamptz
);
create index mail_outbox_due_idx on mail_outbox (next_attempt_at) where status = 'PENDING';

-- ---------------------------------------------------------------- matching support (not tenant data)
create table competency_concept (
    id text primary key,
    esco_uri text,
    category text not null,
    soft_skill boolean not null default false,
    label_nl text not null,
    label_en text not null,
    variants text[] not null default '{}',
    source text not null default 'builtin',
    updated_at timestamptz not null default now()
);

create table phrase_normalization (
    normalized text not null,
    taxonomy_version text not null,
    concept_id text,
    confidence real not null,
    created_at timestamptz not null default now(),
    primary key (normalized, taxonomy_version)
);
