-- Row-level security: the second wall behind the use cases' own scoping.
-- Roles carried in app.role: partner_hr, candidate, consortium_admin, system,
-- and anonymous (token redemption, which may only find the row it names).

alter table consortium enable row level security;
alter table consortium force row level security;
create policy consortium_read on consortium for select
    using (app_is_system() or id = app_consortium());
create policy consortium_write on consortium for all
    using (app_is_system()) with check (app_is_system());

alter table partner enable row level security;
alter table partner force row level security;
create policy partner_read on partner for select
    using (app_is_system() or consortium_id = app_consortium());
create policy partner_insert on partner for insert
    with check (app_is_system() or app_is_admin_of(consortium_id));
create policy partner_update on partner for update
    using (app_is_system() or app_is_admin_of(consortium_id))
    with check (app_is_system() or app_is_admin_of(consortium_id));

alter table api_client enable row level security;
alter table api_client force row level security;
create policy api_client_read on api_client for select
    using (app_is_system() or app_is_admin_of(consortium_id)
        or (app_role() = 'partner_hr' and partner_id = app_partner())
        or client_id = app_lookup('client_id'));
create policy api_client_insert on api_client for insert
    with check (app_is_system() or app_is_admin_of(consortium_id));
create policy api_client_update on api_client for update
    using (app_is_system() or app_is_admin_of(consortium_id) or client_id = app_lookup('client_id'))
    with check (app_is_system() or app_is_admin_of(consortium_id) or client_id = app_lookup('client_id'));

alter table staff_user enable row level security;
alter table staff_user force row level security;
create policy staff_user_read on staff_user for select
    using (app_is_system() or app_is_admin_of(consortium_id) or id = app_user()
        or lower(email) = app_lookup('email')
        or id = app_lookup('staff_user_id')::uuid);
create policy staff_user_write on staff_user for insert
    with check (app_is_system() or app_is_admin_of(consortium_id));
create policy staff_user_update on staff_user for update
    using (app_is_system() or app_is_admin_of(consortium_id))
    with check (app_is_system() or app_is_admin_of(consortium_id));

alter table person enable row level security;
alter table person force row level security;
create policy person_read on person for select
    using (app_is_system() or id = app_person()
        or (app_role() = 'partner_hr' and created_by_partner_id = app_partner())
        or id = app_lookup('person_id')::uuid);
create policy person_insert on person for insert
    with check (app_is_system()
        or (app_role() = 'partner_hr' and created_by_partner_id = app_partner()
            and consortium_id = app_consortium()));
create policy person_update on person for update
    using (app_is_system() or id = app_person()) with check (app_is_system() or id = app_person());
create policy person_delete on person for delete
    using (app_is_system() or id = app_person()
        or (app_role() = 'partner_hr' and created_by_partner_id = app_partner()));

-- Contact data: the person, and a partner whose introduction the person accepted.
alter table person_contact enable row level security;
alter table person_contact force row level security;
create policy person_contact_read on person_contact for select
    using (app_is_system() or person_id = app_person()
        or lower(email) = app_lookup('email')
        or (app_role() = 'partner_hr' and exists (
            select 1 from introduction i
            where i.person_id = person_contact.person_id
              and i.requesting_partner_id = app_partner()
              and i.status = 'ACCEPTED')));
create policy person_contact_insert on person_contact for insert
    with check (app_is_system()
        or (app_role() = 'partner_hr' and created_by_partner_id = app_partner()
            and consortium_id = app_consortium()));
create policy person_contact_update on person_contact for update
    using (app_is_system() or person_id = app_person())
    with check (app_is_system() or person_id = app_person());
create policy person_contact_delete on person_contact for delete
    using (app_is_system() or person_id = app_person());

-- Profiles: the sharing partner, the person, the consortium's admins, and any other
-- partner of the consortium while consent is active and names it in scope.
alter table profile enable row level security;
alter table profile force row level security;
create policy profile_read on profile for select
    using (app_is_system()
        or person_id = app_person()
        or app_is_admin_of(consortium_id)
        or (app_role() = 'partner_hr' and partner_id = app_partner())
        or (app_role() = 'partner_hr'
            and consortium_id = app_consortium()
            and status = 'ACTIVE'
            and consent_expires_at > now()
            and partner_id <> app_partner()
            and exists (select 1 from partner sp where sp.id = profile.partner_id and sp.status = 'ACTIVE')
            and case consent_scope_kind
                    when 'ALL_PARTNERS' then true
                    when 'ONLY' then app_partner() = any(consent_scope_partner_ids)
                    when 'ALL_EXCEPT' then not (app_partner() = any(consent_scope_partner_ids))
                    else false
                end));
create policy profile_insert on profile for insert
    with check (app_is_system()
        or (app_role() = 'partner_hr' and partner_id = app_partner() and consortium_id = app_consortium()));
create policy profile_update on profile for update
    using (app_is_system() or person_id = app_person()
        or (app_role() = 'partner_hr' and partner_id = app_partner()))
    with check (app_is_system() or person_id = app_person()
        or (app_role() = 'partner_hr' and partner_id = app_partner()));
create policy profile_delete on profile for delete
    using (app_is_system() or person_id = app_person()
        or (app_role() = 'partner_hr' and partner_id = app_partner()));

-- Children follow their parent's visibility (the sub-select is itself under RLS).
alter table profile_competency enable row level security;
alter table profile_competency force row level security;
create policy profile_competency_all on profile_competency for all
    using (exists (select 1 from profile p where p.id = profile_id))
    with check (exists (select 1 from profile p where p.id = profile_id));

alter table profile_language enable row level security;
alter table profile_language force row level security;
create policy profile_language_all on profile_language for all
    using (exists (select 1 from profile p where p.id = profile_id))
    with check (exists (select 1 from profile p where p.id = profile_id));

alter table vacancy enable row level security;
alter table vacancy force row level security;
create policy vacancy_read on vacancy for select
    using (app_is_system() or app_is_admin_of(consortium_id)
        or (app_role() = 'partner_hr' and partner_id = app_partner())
        or (app_person() is not null and exists (
            select 1 from introduction i where i.vacancy_id = vacancy.id and i.person_id = app_person())));
create policy vacancy_write on vacancy for insert
    with check (app_is_system()
        or (app_role() = 'partner_hr' and partner_id = app_partner() and consortium_id = app_consortium()));
create policy vacancy_update on vacancy for update
    using (app_is_system() or (app_role() = 'partner_hr' and partner_id = app_partner()))
    with check (app_is_system() or (app_role() = 'partner_hr' and partner_id = app_partner()));

alter table vacancy_requirement enable row level security;
alter table vacancy_requirement force row level security;
create policy vacancy_requirement_all on vacancy_requirement for all
    using (exists (select 1 from vacancy v where v.id = vacancy_id))
    with check (exists (select 1 from vacancy v where v.id = vacancy_id
        and (app_is_system() or v.partner_id = app_partner())));

alter table vacancy_language enable row level security;
alter table vacancy_language force row level security;
create policy vacancy_language_all on vacancy_language for all
    using (exists (select 1 from vacancy v where v.id = vacancy_id))
    with check (exists (select 1 from vacancy v where v.id = vacancy_id
        and (app_is_system() or v.partner_id = app_partner())));

alter table consent_record enable row level security;
alter table consent_record force row level security;
create policy consent_record_read on consent_record for select
    using (app_is_system() or person_id = app_person() or app_is_admin_of(consortium_id)
        or (app_role() = 'partner_hr' and collected_by_partner_id = app_partner()));
create policy consent_record_insert on consent_record for insert
    with check (app_is_system() or person_id = app_person()
        or (app_role() = 'partner_hr' and collected_by_partner_id = app_partner()));
create policy consent_record_update on consent_record for update
    using (app_is_system() or person_id = app_person())
    with check (app_is_system() or person_id = app_person());

alter table introduction enable row level security;
alter table introduction force row level security;
create policy introduction_read on introduction for select
    using (app_is_system() or person_id = app_person() or app_is_admin_of(consortium_id)
        or (app_role() = 'partner_hr' and requesting_partner_id = app_partner())
        or id = app_lookup('introduction_id')::uuid);
create policy introduction_insert on introduction for insert
    with check (app_is_system()
        or (app_role() = 'partner_hr' and requesting_partner_id = app_partner()
            and consortium_id = app_consortium()));
create policy introduction_update on introduction for update
    using (app_is_system() or person_id = app_person()
        or (app_role() = 'partner_hr' and requesting_partner_id = app_partner()))
    with check (app_is_system() or person_id = app_person()
        or (app_role() = 'partner_hr' and requesting_partner_id = app_partner()));

alter table placement enable row level security;
alter table placement force row level security;
create policy placement_read on placement for select
    using (app_is_system() or app_is_admin_of(consortium_id)
        or (app_role() = 'partner_hr' and app_partner() in (hiring_partner_id, sharing_partner_id))
        or (app_person() is not null and exists (
            select 1 from introduction i where i.id = placement.introduction_id and i.person_id = app_person())));
create policy placement_insert on placement for insert
    with check (app_is_system() or (app_role() = 'partner_hr' and hiring_partner_id = app_partner()));
create policy placement_update on placement for update
    using (app_is_system() or (app_role() = 'partner_hr' and hiring_partner_id = app_partner()))
    with check (app_is_system() or (app_role() = 'partner_hr' and hiring_partner_id = app_partner()));

alter table audit_event enable row level security;
alter table audit_event force row level security;
create policy audit_event_read on audit_event for select
    using (app_is_system() or app_is_admin_of(consortium_id)
        or (app_role() = 'partner_hr' and partner_id = app_partner())
        or (app_role() = 'candidate' and subject_kind = 'profile' and exists (
            select 1 from profile p where p.id::text = audit_event.subject_id and p.person_id = app_person())));
create policy audit_event_insert on audit_event for insert
    with check (app_is_system() or consortium_id = app_consortium());

alter table audit_checkpoint enable row level security;
alter table audit_checkpoint force row level security;
create policy audit_checkpoint_read on audit_checkpoint for select using (true);
create policy audit_checkpoint_insert on audit_checkpoint for insert
    with check (app_is_system() or app_is_admin_of(consortium_id));

alter table sign_in_token enable row level security;
alter table sign_in_token force row level security;
create policy sign_in_token_read on sign_in_token for select
    using (app_is_system() or token_hash = app_lookup('token_hash'));
create policy sign_in_token_insert on sign_in_token for insert with check (app_role() <> 'none');
create policy sign_in_token_update on sign_in_token for update
    using (app_is_system() or token_hash = app_lookup('token_hash'))
    with check (app_is_system() or token_hash = app_lookup('token_hash'));
create policy sign_in_token_delete on sign_in_token for delete
    using (app_is_system() or person_id = app_person());

alter table mail_outbox enable row level security;
alter table mail_outbox force row level security;
create policy mail_outbox_read on mail_outbox for select using (app_is_system());
create policy mail_outbox_insert on mail_outbox for insert with check (app_role() <> 'none');
create policy mail_outbox_update on mail_outbox for update
    using (app_is_system()) with check (app_is_system());
create policy mail_outbox_delete on mail_outbox for delete
    using (app_is_system() or person_id = app_person());
