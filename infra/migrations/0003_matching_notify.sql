-- Keep every replica's in-memory match index fresh: changes to profiles (and their
-- competencies and languages) and to partner status are announced with NOTIFY.
-- Payloads are ids only. NOTIFY is delivered at commit and folded per transaction.

create function notify_profile_changed() returns trigger language plpgsql as $$
declare
    changed uuid;
begin
    if tg_table_name = 'profile' then
        changed := case when tg_op = 'DELETE' then old.id else new.id end;
    else
        changed := case when tg_op = 'DELETE' then old.profile_id else new.profile_id end;
    end if;
    perform pg_notify('tussendeur_profile_changed', changed::text);
    return null;
end $$;

create trigger profile_changed_notify after insert or update or delete on profile
    for each row execute function notify_profile_changed();
create trigger profile_competency_changed_notify after insert or update or delete on profile_competency
    for each row execute function notify_profile_changed();
create trigger profile_language_changed_notify after insert or update or delete on profile_language
    for each row execute function notify_profile_changed();

create function notify_partner_changed() returns trigger language plpgsql as $$
begin
    if tg_op = 'INSERT' or old.status is distinct from new.status then
        perform pg_notify('tussendeur_partner_changed', new.id::text);
    end if;
    return null;
end $$;

create trigger partner_changed_notify after insert or update on partner
    for each row execute function notify_partner_changed();
