-- Two findings of the security campaign (issue 11).
--
-- 1. Throttling the doors that take guesses (/oauth/token, the sign-in forms), shared by
--    every replica: one counter per (bucket, key hash). A window opens at a key's first
--    hit and lasts the bucket's window; a hit after it ends opens the next one. The key
--    is an HMAC of the source address or client id (infra/settings.py
--    throttle_hash_key), never the value itself. The limiter counts in a transaction of
--    the anonymous scope without lookups, which sees no tenant row at all; the system
--    scope may clean up. No other scope sees a counter.
--
-- 2. A staff address is unique per consortium, not across all of them: a global unique
--    index let an admin of one consortium learn, by a refused insert, that an address
--    has an account in another. One address may now hold an account in several
--    consortia; sign-in mails one link per account.

create table rate_limit_counter (
    bucket text not null check (length(bucket) between 1 and 40),
    key_hash bytea not null check (length(key_hash) = 32),
    window_start timestamptz not null,
    window_end timestamptz not null,
    hits integer not null check (hits >= 0),
    primary key (bucket, key_hash),
    check (window_end > window_start)
);
create index rate_limit_counter_window_end_idx on rate_limit_counter (window_end);

alter table rate_limit_counter enable row level security;
alter table rate_limit_counter force row level security;
create policy rate_limit_counter_limiter on rate_limit_counter for all
    using (app_role() in ('anonymous', 'system'))
    with check (app_role() in ('anonymous', 'system'));

drop index staff_user_email_idx;
create unique index staff_user_consortium_email_idx on staff_user (consortium_id, lower(email));
create index staff_user_email_idx on staff_user (lower(email));  -- sign-in looks up by address
