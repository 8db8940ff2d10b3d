-- The platform's private signing keys are readable and writable by the system scope
-- only (the key ring loads them as system): a request's transaction, an anonymous
-- lookup or a transaction without context sees no key at all.
alter table platform_key enable row level security;
alter table platform_key force row level security;
create policy platform_key_system on platform_key for all
    using (app_is_system()) with check (app_is_system());
