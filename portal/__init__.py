"""The portal: server-rendered pages for people (DESIGN.md §8), over the same use cases as
the GraphQL schema. Dutch by default, English on request; no JavaScript needed; every
asset served by the app itself.

Adding a page is one module in :mod:`portal.pages` (an ``APIRouter`` named ``router``,
listed in :data:`portal.router.PAGE_MODULES`) and one template extending ``base.html``.
"""
