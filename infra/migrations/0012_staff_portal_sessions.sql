-- Portal sessions for partner staff and consortium admins: a session belongs to a person
-- or to a staff user, never both. Disabling the staff user or suspending the partner
-- ends the session's use (checked on every request); deleting the user ends it here.
alter table portal_session alter column person_id drop not null;
alter table portal_session
    add column staff_user_id uuid references staff_user(id) on delete cascade;
alter table portal_session add constraint portal_session_one_subject
    check ((person_id is null) <> (staff_user_id is null));
create index portal_session_staff_user_idx on portal_session (staff_user_id)
    where staff_user_id is not null;

drop policy portal_session_insert on portal_session;
create policy portal_session_insert on portal_session for insert
    with check (app_is_system() or person_id = app_person()
        or (staff_user_id = app_user() and consortium_id = app_consortium()
            and app_role() in ('partner_hr', 'consortium_admin')));
drop policy portal_session_read on portal_session;
create policy portal_session_read on portal_session for select
    using (app_is_system() or token_hash = app_lookup('token_hash') or person_id = app_person()
        or (staff_user_id = app_user() and app_role() in ('partner_hr', 'consortium_admin')));
