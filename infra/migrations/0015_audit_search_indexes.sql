-- The admin's audit search pages newest first by seq within one consortium. Filtering by
-- partner (one in six events on a busy trail) or by actor kind had no index in seq order:
-- each page, and each 2,000-event batch of a CSV export, read and sorted every matching
-- event (bench/admin_pages.py). These give both filters a keyset walk.
create index audit_event_partner_seq_idx on audit_event (consortium_id, partner_id, seq);
create index audit_event_actor_seq_idx on audit_event (consortium_id, actor_kind, seq);
