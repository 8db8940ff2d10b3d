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
-- languages; the person's language picks one and '{{name}}' becomes their name.
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
    v_name text;
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
    select c.email, c.full_name, p.language into v_email, v_name, v_language
    from person_contact c join person p on p.id = c.person_id
    where c.person_id = v_person;
    if v_email is not null then
        insert into mail_outbox (id, consortium_id, person_id, to_address, subject, body_text,
                                 template, language)
        values (v_mail_id, v_consortium, v_person, v_email,
                case when v_language = 'en' then p_subject_en else p_subject_nl end,
                replace(case when v_language = 'en' then p_body_en else p_body_nl end,
                        '{{name}}', v_name),
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
