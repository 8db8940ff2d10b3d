-- Partner administration: suspending a partner takes its open introductions out of the
-- exchange. A consortium admin may close (WITHDRAWN) an open introduction of its own
-- consortium and nothing else; every other change stays with the partner and the person.
create policy introduction_admin_withdraw on introduction for update
    using (app_is_admin_of(consortium_id) and status = 'REQUESTED')
    with check (app_is_admin_of(consortium_id) and status = 'WITHDRAWN');

-- Statistics: placements and introductions by time within a consortium.
create index placement_consortium_recorded_idx on placement (consortium_id, recorded_at);
create index introduction_consortium_requested_idx on introduction (consortium_id, requested_at);
