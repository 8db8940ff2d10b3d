"""Portal sessions: the ``td_session`` cookie.

The cookie holds a random token; identity keeps its SHA-256 only and opens, finds and
ends the sessions (:func:`exchange.identity.service.open_portal_session` and its
neighbours). Redeeming the link and opening the session happen in one transaction, so
a link either yields a session or stays unused. A session is a person's (candidate
pages, ``Page.caller``) or a staff user's (``/portal/staff``, ``Page.staff``), never both.
"""

from __future__ import annotations

SESSION_COOKIE = "td_session"
