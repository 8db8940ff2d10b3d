-- The recruiter's portal: a shortlist per vacancy (private to the vacancy's partner) and
-- each staff user's last visit to a vacancy's matches (for "new matches since your last
-- visit"). Both are tenant data: RLS enabled and forced, the partner's HR only.

create table vacancy_shortlist (
    vacancy_id uuid not null references vacancy(id) on delete cascade,
    profile_id uuid not null references profile(id) on delete cascade,
    consortium_id uuid not null references consortium(id),
    partner_id uuid not null references partner(id),
    added_by uuid references staff_user(id) on delete set null,
    added_at timestamptz not null default now(),
    primary key (vacancy_id, profile_id)
);
create index vacancy_shortlist_profile_idx on vacancy_shortlist (profile_id);

alter table vacancy_shortlist enable row level security;
alter table vacancy_shortlist force row level security;
create policy vacancy_shortlist_all on vacancy_shortlist for all
    using (app_is_system()
        or (app_role() = 'partner_hr' and partner_id = app_partner()
            and consortium_id = app_consortium()))
    with check (app_is_system()
        or (app_role() = 'partner_hr' and partner_id = app_partner()
            and consortium_id = app_consortium()
            and exists (select 1 from vacancy v
                        where v.id = vacancy_id and v.partner_id = app_partner())));

create table vacancy_visit (
    staff_user_id uuid not null references staff_user(id) on delete cascade,
    vacancy_id uuid not null references vacancy(id) on delete cascade,
    consortium_id uuid not null references consortium(id),
    partner_id uuid not null references partner(id),
    visited_at timestamptz not null default now(),
    -- the profiles the matches held at that visit: later ones are "new"
    seen_profile_ids uuid[] not null default '{}',
    primary key (staff_user_id, vacancy_id)
);
create index vacancy_visit_vacancy_idx on vacancy_visit (vacancy_id);

alter table vacancy_visit enable row level security;
alter table vacancy_visit force row level security;
create policy vacancy_visit_all on vacancy_visit for all
    using (app_is_system()
        or (app_role() = 'partner_hr' and staff_user_id = app_user()
            and partner_id = app_partner()))
    with check (app_is_system()
        or (app_role() = 'partner_hr' and staff_user_id = app_user()
            and partner_id = app_partner() and consortium_id = app_consortium()
            and exists (select 1 from vacancy v
                        where v.id = vacancy_id and v.partner_id = app_partner())));
