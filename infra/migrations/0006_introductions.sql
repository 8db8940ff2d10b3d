-- Introductions and placements: two narrow doors through row-level security.
--
-- A requesting partner may neither read the person's contact data (only after
-- the person accepts) nor update a profile it did not share. Two things in its
-- use cases still need exactly that, and nothing more:
--
--   * notifying the person of a new introduction request: the mail is addressed
--     here, inside the database, so the address never reaches the partner's
--     transaction;
--   * pausing the profile of a person it has just placed.
--
-- Each function checks the caller's right itself (under the caller's own
-- row-level security), then acts on one row with the system role for the
-- duration of one statement, and restores the caller's role.

-- When the sharing partner shared the profile (for placement statistics),
-- captured while the profile is visible to the requesting partner.
alter table introduction add column profile_shared_at timestamptz;

create index introduction_open_expiry_idx on introduction (expires_at) where status = 'REQUESTED';
create index introduction_cap_idx on introduction (requesting_partner_id, profile_id, requested_at);
create index placement_sharing_idx on placement (sharing_partner_id, recorded_at desc);
create index placement_hiring_idx on placement (hiring_partner_id, recorded_at desc);

-- Queue the "new introduction request" mail for the person behind an open
-- introduction the calling partner requested. The subject and body come in both
-- languages; the person's language picks one.
-- Returns the outbox id, or null when the caller may not notify (nothing written).
create function enqueue_introduction_notice(
    p_introduction_id uuid,
    p_template text,
    p_subject_nl text,
    p_body_nl text,
    p_subject_en text,
    p_body_en text
) returns uuid
language plpgsql security definer set search_path = public, pg_temp as $$
declare
    v_caller_role text := current_setting('app.role', true);
    v_person uuid;
    v_consortium uuid;
    v_email text;
    v_language text;
    v_mail_id uuid := gen_random_uuid();
begin
    -- the right, under the caller's own row-level security
    select i.person_id, i.consortium_id into v_person, v_consortium
    from introduction i
    where i.id = p_introduction_id
      and app_role() = 'partner_hr'
      and i.requesting_partner_id = app_partner()
      and i.status = 'REQUESTED';
    if v_person is null then
        return null;
    end if;
    perform set_config('app.role', 'system', true);
    select lower(btrim(c.email)), p.language into v_email, v_language
    from person_contact c join person p on p.id = c.person_id
    where c.person_id = v_person;
    if v_email is not null then
        insert into mail_outbox (id, consortium_id, person_id, to_address, subject, body_text,
                                 template, language)
        values (v_mail_id, v_consortium, v_person, v_email,
                case when v_language = 'en' then p_subject_en else p_subject_nl end,
                case when v_language = 'en' then p_body_en else p_body_nl end,
                p_template, v_language);
    end if;
    perform set_config('app.role', coalesce(v_caller_role, ''), true);
    return case when v_email is null then null else v_mail_id end;
end $$;

-- Pause the profile placed by a placement the calling partner recorded, when it is
-- still ACTIVE. Returns whether it was paused.
create function pause_placed_profile(p_placement_id uuid) returns boolean
language plpgsql security definer set search_path = public, pg_temp as $$
declare
    v_caller_role text := current_setting('app.role', true);
    v_profile uuid;
    v_paused boolean;
begin
    select pl.profile_id into v_profile from placement pl
    where pl.id = p_placement_id
      and app_role() = 'partner_hr'
      and pl.hiring_partner_id = app_partner();
    if v_profile is null then
        return false;
    end if;
    perform set_config('app.role', 'system', true);
    update profile set status = 'PAUSED', updated_at = now()
    where id = v_profile and status = 'ACTIVE';
    v_paused := found;
    perform set_config('app.role', coalesce(v_caller_role, ''), true);
    return v_paused;
end $$;

-- ---------------------------------------------------------------- guards
-- Row-level security says whose rows a caller may write; these triggers say which
-- changes. Without them a partner's transaction could insert or mark its own request
-- ACCEPTED and so read the person's contact data (policy person_contact_read), or
-- record a placement with a made-up sharing partner. The system role is exempt.

create function introduction_guard() returns trigger language plpgsql as $$
begin
    if app_is_system() then
        return new;
    end if;
    if tg_op = 'INSERT' then
        if new.status <> 'REQUESTED' or new.responded_at is not null
           or new.response_message is not null then
            raise exception 'an introduction starts as REQUESTED'
                using errcode = 'insufficient_privilege';
        end if;
        -- under the inserting partner's own row-level security: the profile must be
        -- visible to it, not its own, and the vacancy its own
        if not exists (select 1 from profile p
                       where p.id = new.profile_id and p.person_id = new.person_id
                         and p.partner_id = new.sharing_partner_id
                         and p.partner_id <> new.requesting_partner_id)
           or not exists (select 1 from vacancy v
                          where v.id = new.vacancy_id
                            and v.partner_id = new.requesting_partner_id) then
            raise exception 'introduction for a profile or vacancy out of reach'
                using errcode = 'insufficient_privilege';
        end if;
        return new;
    end if;
    -- UPDATE
    if new.id <> old.id or new.consortium_id <> old.consortium_id
       or new.vacancy_id <> old.vacancy_id
       or new.requesting_partner_id <> old.requesting_partner_id
       or new.sharing_partner_id <> old.sharing_partner_id
       or new.requested_at <> old.requested_at or new.expires_at <> old.expires_at
       or new.profile_shared_at is distinct from old.profile_shared_at
       or (new.person_id is distinct from old.person_id and new.person_id is not null)
       or (new.profile_id is distinct from old.profile_id and new.profile_id is not null)
       or (new.message is distinct from old.message and new.message is not null) then
        raise exception 'introduction: only its status and answer may change'
            using errcode = 'insufficient_privilege';
    end if;
    if new.status is distinct from old.status then
        if old.status <> 'REQUESTED' or new.status = 'REQUESTED' then
            raise exception 'introduction: % cannot become %', old.status, new.status
                using errcode = 'insufficient_privilege';
        end if;
        if new.status in ('ACCEPTED', 'DECLINED')
           and (app_person() is null or app_person() is distinct from old.person_id) then
            raise exception 'introduction: only the person answers'
                using errcode = 'insufficient_privilege';
        end if;
    end if;
    if ((new.response_message is distinct from old.response_message
            and new.response_message is not null)
        or (new.responded_at is distinct from old.responded_at and new.responded_at is not null))
       and (app_person() is null or app_person() is distinct from old.person_id) then
        raise exception 'introduction: only the person answers'
            using errcode = 'insufficient_privilege';
    end if;
    return new;
end $$;

create trigger introduction_guard before insert or update on introduction
    for each row execute function introduction_guard();

create function placement_guard() returns trigger language plpgsql as $$
begin
    if app_is_system() then
        return new;
    end if;
    if tg_op = 'INSERT' then
        -- under the hiring partner's row-level security: its own accepted introduction
        if not exists (select 1 from introduction i
                       where i.id = new.introduction_id and i.status = 'ACCEPTED'
                         and i.requesting_partner_id = new.hiring_partner_id
                         and i.sharing_partner_id = new.sharing_partner_id
                         and i.vacancy_id = new.vacancy_id
                         and i.profile_id is not distinct from new.profile_id
                         and i.consortium_id = new.consortium_id) then
            raise exception 'a placement needs the hiring partner''s accepted introduction'
                using errcode = 'insufficient_privilege';
        end if;
        return new;
    end if;
    if new.id <> old.id or new.consortium_id <> old.consortium_id
       or new.introduction_id <> old.introduction_id or new.vacancy_id <> old.vacancy_id
       or new.hiring_partner_id <> old.hiring_partner_id
       or new.sharing_partner_id <> old.sharing_partner_id
       or new.shared_at <> old.shared_at or new.start_date <> old.start_date
       or new.recorded_at <> old.recorded_at
       or (new.profile_id is distinct from old.profile_id and new.profile_id is not null) then
        raise exception 'placement: only its outcome may change'
            using errcode = 'insufficient_privilege';
    end if;
    return new;
end $$;

create trigger placement_guard before insert or update on placement
    for each row execute function placement_guard();
