-- Consent that people control: published consent texts, an append-only consent
-- history, the consent bookkeeping the retention run needs, and portal sessions.

-- ---------------------------------------------------------------- consent texts
-- A published text never changes; a new wording is a new version. The hash is
-- computed here so that it always matches the body.
create function consent_text_hash() returns trigger language plpgsql as $$
begin
    if tg_op <> 'INSERT' then
        raise exception 'consent_text is immutable (% refused); publish a new version', tg_op
            using errcode = 'insufficient_privilege';
    end if;
    new.body_sha256 := encode(sha256(convert_to(new.body, 'UTF8')), 'hex');
    return new;
end $$;
create trigger consent_text_immutable before insert or update or delete on consent_text
    for each row execute function consent_text_hash();

alter table consent_text enable row level security;
alter table consent_text force row level security;
create policy consent_text_read on consent_text for select using (true);
create policy consent_text_insert on consent_text for insert with check (app_is_system());

-- The seed below runs as the migration owner, which forced RLS binds too unless it is a
-- superuser: act as the system for the rest of this migration's transaction.
select set_config('app.role', 'system', true);

insert into consent_text (id, purpose, version, language, body, body_sha256) values
('6a0b3c1e-4d2f-4e8a-9b71-0c5d2e3f4a01', 'EXCHANGE_MATCHING', '1', 'nl',
$nl$Toestemming voor de uitwisseling van je profiel

Een werkgever uit ons samenwerkingsverband van contactcenters wil je profiel delen met de andere aangesloten werkgevers. Zo kan een collega-organisatie je een baan aanbieden die beter bij je past dan de functie waarvoor je solliciteerde, of de volgende stap die je zoekt.

Wat de werkgevers te zien krijgen
Alleen een profiel zonder naam: je vaardigheden en talen met hun niveau, je regio (de vier cijfers van je postcode) en hoe ver je wilt reizen, het aantal uren en de diensten die je kunt werken, wanneer je kunt beginnen, welke rol je ambieert, je minimale salaris en ervaring uit andere sectoren. Je profiel heeft een schuilnaam.

Wat zij niet zien
Je naam, e-mailadres en telefoonnummer. Die krijgt een werkgever pas als je zelf een verzoek tot kennismaking van die werkgever accepteert, en dan alleen die ene werkgever. De werkgever die je profiel heeft gedeeld, ziet het nooit terug als zoekresultaat.

Jij beslist
Je kiest welke werkgevers je profiel mogen zien (alle, alleen enkele, of alle behalve enkele) en voor hoe lang: standaard zes maanden, hoogstens twaalf. Je kunt je keuze altijd aanpassen of je toestemming intrekken; vanaf dat moment ziet geen enkele werkgever je profiel meer. Je kunt ook zien welke werkgever je profiel bekeek, al je gegevens downloaden en alles laten wissen.

Bewaren en wissen
Bevestig je niet binnen veertien dagen, dan wissen we het profiel en je contactgegevens. Loopt je toestemming af of trek je haar in, dan verdwijnt je profiel direct uit de uitwisseling en wissen we je gegevens na een korte bewaartermijn, tenzij je verlengt. Twee weken voor het einde sturen we je een herinnering. In ons logboek blijven alleen schuilnamen staan, nooit je naam of contactgegevens.$nl$, ''),
('6a0b3c1e-4d2f-4e8a-9b71-0c5d2e3f4a02', 'EXCHANGE_MATCHING', '1', 'en',
$en$Consent to exchange your profile

An employer from our partnership of contact centres would like to share your profile with the other member employers. That way a fellow organisation can offer you a job that suits you better than the one you applied for, or the next step you are looking for.

What the employers will see
Only a profile without your name: your skills and languages with their levels, your region (the four digits of your postcode) and how far you want to travel, the hours and shifts you can work, when you can start, the role you aim for, your minimum pay and experience from other sectors. Your profile carries a pseudonym.

What they will not see
Your name, email address and phone number. An employer only receives them when you accept an introduction request from that employer yourself, and then only that one employer. The employer that shared your profile never gets it back as a search result.

You decide
You choose which employers may see your profile (all of them, only some, or all except some) and for how long: six months by default, twelve at most. You can change your choice or withdraw your consent at any time; from that moment no employer sees your profile any more. You can also see which employer looked at your profile, download all your data and have everything erased.

Keeping and erasing
If you do not confirm within fourteen days, we erase the profile and your contact details. When your consent ends or you withdraw it, your profile leaves the exchange at once and we erase your data after a short grace period, unless you renew. We send you a reminder two weeks before the end. Our log keeps pseudonyms only, never your name or contact details.$en$, '');

-- ---------------------------------------------------------------- consent history
-- Append-only in use: the only change allowed is erasure clearing the person and
-- profile references (which the foreign keys also do on delete). No delete policy.
create function consent_record_append_only() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE' then
        raise exception 'consent_record is append-only (DELETE refused)'
            using errcode = 'insufficient_privilege';
    end if;
    if (to_jsonb(old) - 'person_id' - 'profile_id') is distinct from
       (to_jsonb(new) - 'person_id' - 'profile_id')
       or (new.person_id is not null and new.person_id is distinct from old.person_id)
       or (new.profile_id is not null and new.profile_id is distinct from old.profile_id) then
        raise exception 'consent_record is append-only (only erasure may clear its references)'
            using errcode = 'insufficient_privilege';
    end if;
    return new;
end $$;
create trigger consent_record_append_only before update or delete on consent_record
    for each row execute function consent_record_append_only();

-- The order records were written in (timestamps may tie, or come from a clock moved in tests).
alter table consent_record add column seq bigint generated always as identity;
create index consent_record_profile_seq_idx on consent_record (profile_id, seq);

alter table consent_record add constraint consent_record_purpose_check
    check (purpose in ('EXCHANGE_MATCHING'));
alter table consent_record add constraint consent_record_method_check
    check (collection_method in ('EMAIL_LINK', 'PORTAL', 'API'));

-- ---------------------------------------------------------------- profile bookkeeping
-- consent_ended_at: when the consent expired or was withdrawn (the grace period runs
-- from here). consent_reminded_for: the expiry the renew reminder was sent for.
alter table profile add column consent_ended_at timestamptz;
alter table profile add column consent_reminded_for timestamptz;
create index profile_pending_idx on profile (pending_until) where status = 'PENDING_CONSENT';
create index profile_expiry_idx on profile (consent_expires_at) where status in ('ACTIVE', 'PAUSED');
create index profile_ended_idx on profile (consent_ended_at) where status in ('EXPIRED', 'WITHDRAWN');

-- ---------------------------------------------------------------- portal sessions
-- A person's browser session, opened by an emailed one-time link. The cookie holds a
-- random token; only its SHA-256 is stored. Erasing the person ends their sessions.
create table portal_session (
    id uuid primary key,
    token_hash text not null unique,
    consortium_id uuid not null references consortium(id),
    person_id uuid not null references person(id) on delete cascade,
    purpose text not null check (purpose in ('SIGN_IN', 'CONSENT', 'INTRODUCTION', 'RENEW')),
    created_at timestamptz not null default now(),
    last_seen_at timestamptz not null default now(),
    expires_at timestamptz not null
);
create index portal_session_person_idx on portal_session (person_id);

alter table portal_session enable row level security;
alter table portal_session force row level security;
create policy portal_session_read on portal_session for select
    using (app_is_system() or token_hash = app_lookup('token_hash') or person_id = app_person());
create policy portal_session_insert on portal_session for insert
    with check (app_is_system() or person_id = app_person());
create policy portal_session_update on portal_session for update
    using (app_is_system() or token_hash = app_lookup('token_hash'))
    with check (app_is_system() or token_hash = app_lookup('token_hash'));
create policy portal_session_delete on portal_session for delete
    using (app_is_system() or token_hash = app_lookup('token_hash') or person_id = app_person());

-- ---------------------------------------------------------------- access log support
-- "Which partner saw my profile in its matches": match events name the profiles shown.
create index audit_event_shown_profiles_idx on audit_event using gin ((details -> 'profiles'))
    where action = 'profile.shown_in_matches';
