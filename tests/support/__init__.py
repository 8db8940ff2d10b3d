"""Test helpers, one home for each: one way to make a consortium, a partner, a token, a
CSRF form post — here, in ``tests/support``. Fixtures stay in ``tests/conftest.py`` and
call these; a test module keeps only what is about its own subject.

- ``factories``: a consortium, partner, staff user, vacancy, shared profile, activated profile
- ``callers``: the ``Caller`` of a partner's client, a consortium admin, the person
- ``tokens``: a real signed bearer token for a caller (``access_token``; the conftest's
  ``bearer`` fixture), the Authorization header, hand-made JWTs for bad-token tests
- ``http``: the app's lifespan (``started``), an httpx client over ASGI, one GraphQL
  operation (``graphql``, ``graphql_data``, ``graphql_refused``), ``me``, a form posted
  with the CSRF token of its page (``post_form``), the token and path of an emailed link
- ``harness``: the app with a fixed authenticator, counting what a request touched
- ``mail``: the newest emailed link (``emailed_link``, ``Mailbox``), a sign-in outbox
- ``as_system``: reading and changing rows as the system, behind the use cases' back
- ``databases``: create, drop, connect to (pool or one connection) and dump a database
- ``consent``, ``introductions``: the steps and the small consortium of those domains
- ``audit``: events appended and tampered with behind the app's back
- ``e2e``, ``waiting``, ``processes``, ``browser``: the end-to-end test's person and
  operator, waiting with a deadline, the real ``tussendeur`` command, a real browser
- ``matching``: factories for the pure matcher's values (no database)
- ``pgbouncer``: PgBouncer in transaction mode on 127.0.0.1 in front of a test server
"""
