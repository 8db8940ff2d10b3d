"""An applicant tracking system's side of Tussendeur: the API client and a webhook receiver.

Copy and adapt. It shows:

* getting an access token with OAuth 2.0 client credentials (authlib);
* calling the GraphQL API with ``gql``, validated locally against the exported schema
  (``tussendeur schema export > tussendeur.graphql``; introspection is off in production);
* a Starlette receiver that verifies every webhook with ``standardwebhooks`` (signature,
  a timestamp within 5 minutes, and each ``webhook-id`` once), then handles the event:
  on ``introduction.accepted`` it fetches the contact data into its local store, and on
  ``consent.withdrawn``/``consent.expired``/``person.erased`` it deletes its local copy and
  confirms that with ``confirmErasure``.

Run it against the demo (see the README's "Webhooks" section)::

    python -m examples.ats_client --api http://127.0.0.1:8000 \\
        --client-id ... --client-secret ... --webhook-secret whsec_... --port 8765
"""

from __future__ import annotations

import argparse
import logging
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from authlib.integrations.httpx_client import AsyncOAuth2Client
from gql import Client, GraphQLRequest
from gql.transport.httpx import HTTPXAsyncTransport
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

log = logging.getLogger("ats_client")
SCHEMA_FILE = Path(__file__).with_name("tussendeur.graphql")
ERASURE_EVENTS = ("consent.withdrawn", "consent.expired", "person.erased")

INTRODUCTION = """query Introduction($id: ID!) {
  introduction(id: $id) { id status profilePseudonym contact { fullName email phone } }
}"""
CONFIRM_ERASURE = """mutation Confirm($id: ID!, $method: ErasureMethod!) {
  confirmErasure(noticeId: $id, method: $method) {
    notice { id status } userErrors { field code message }
  }
}"""
REQUEST_INTRODUCTION = """mutation Request($profileId: ID!, $vacancyId: ID!, $message: String) {
  requestIntroduction(profileId: $profileId, vacancyId: $vacancyId, message: $message) {
    introduction { id status } userErrors { field code message }
  }
}"""
MATCHES = """query Matches($vacancyId: ID!) {
  matches(vacancyId: $vacancyId, first: 20) { edges { node { profile { id } score } } }
}"""


class TussendeurApi:
    """The GraphQL API as one partner's system: a token by client credentials, queries
    checked against the exported schema before they are sent."""

    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        *,
        schema: str | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.schema = schema if schema is not None else SCHEMA_FILE.read_text("utf-8")
        self._token: str | None = None

    async def token(self) -> str:
        if self._token is None:
            async with AsyncOAuth2Client(
                self.client_id,
                self.client_secret,
                token_endpoint_auth_method="client_secret_post",  # noqa: S106 (a method name)
            ) as oauth:
                token = await oauth.fetch_token(
                    f"{self.base_url}/oauth/token", grant_type="client_credentials"
                )
            self._token = str(token["access_token"])
        return self._token

    async def graphql(self, query: str, **variables: Any) -> dict[str, Any]:
        transport = HTTPXAsyncTransport(
            url=f"{self.base_url}/graphql",
            headers={"Authorization": f"Bearer {await self.token()}"},
        )
        async with Client(schema=self.schema, transport=transport) as session:
            result: dict[str, Any] = await session.execute(
                GraphQLRequest(query, variable_values=variables)
            )
        return result

    async def matches(self, vacancy_id: str) -> list[str]:
        found = await self.graphql(MATCHES, vacancyId=vacancy_id)
        return [edge["node"]["profile"]["id"] for edge in found["matches"]["edges"]]

    async def request_introduction(self, profile_id: str, vacancy_id: str) -> str:
        done = await self.graphql(
            REQUEST_INTRODUCTION,
            profileId=profile_id,
            vacancyId=vacancy_id,
            message="We would like to meet you.",
        )
        payload = done["requestIntroduction"]
        if payload["userErrors"]:
            raise RuntimeError(f"refused: {payload['userErrors']}")
        return str(payload["introduction"]["id"])

    async def introduction(self, introduction_id: str) -> dict[str, Any] | None:
        found = await self.graphql(INTRODUCTION, id=introduction_id)
        introduction: dict[str, Any] | None = found["introduction"]
        return introduction

    async def confirm_erasure(self, notice_id: str, method: str = "DELETED") -> dict[str, Any]:
        done = await self.graphql(CONFIRM_ERASURE, id=notice_id, method=method)
        confirmed: dict[str, Any] = done["confirmErasure"]
        return confirmed


@dataclass
class LocalStore:
    """The ATS's own records: contact data it received, by introduction id."""

    contacts: dict[str, dict[str, Any]] = field(default_factory=dict)
    confirmed_notices: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)


Handler = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass
class Receiver:
    """Verifies and handles Tussendeur's webhooks."""

    secret: str
    api: TussendeurApi
    store: LocalStore = field(default_factory=LocalStore)
    seen_ids: set[str] = field(default_factory=set)

    def verify(self, body: bytes, headers: dict[str, str]) -> dict[str, Any]:
        """The event, or ``WebhookVerificationError``: a bad signature, a timestamp more
        than 5 minutes off, or a ``webhook-id`` seen before (a replay)."""
        message_id = headers.get("webhook-id", "")
        if message_id in self.seen_ids:
            raise WebhookVerificationError("this webhook-id was handled already")
        event: dict[str, Any] = Webhook(self.secret).verify(body, headers)
        return event

    async def handle(self, event: dict[str, Any]) -> None:
        kind, data = event["type"], event["data"]
        self.store.events.append(kind)
        if kind == "introduction.accepted":
            introduction = await self.api.introduction(data["introductionId"])
            if introduction and introduction["contact"]:
                self.store.contacts[data["introductionId"]] = introduction["contact"]
        elif kind in ERASURE_EVENTS:
            for introduction_id in data["introductionIds"]:
                self.store.contacts.pop(introduction_id, None)
            confirmed = await self.api.confirm_erasure(data["noticeId"], "DELETED")
            if not confirmed["userErrors"]:
                self.store.confirmed_notices.append(data["noticeId"])
        else:
            log.info("event %s: nothing to do", kind)

    async def endpoint(self, request: Request) -> Response:
        body = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        try:
            event = self.verify(body, headers)
        except WebhookVerificationError as refused:
            return JSONResponse({"error": str(refused)}, status_code=400)
        await self.handle(event)
        self.seen_ids.add(headers["webhook-id"])
        return Response(status_code=204)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/webhooks", self.endpoint, methods=["POST"])])


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description="A Tussendeur partner client and receiver.")
    parser.add_argument("--api", default=os.environ.get("TUSSENDEUR_API", "http://127.0.0.1:8000"))
    parser.add_argument("--client-id", default=os.environ.get("TUSSENDEUR_CLIENT_ID"))
    parser.add_argument("--client-secret", default=os.environ.get("TUSSENDEUR_CLIENT_SECRET"))
    parser.add_argument("--webhook-secret", default=os.environ.get("TUSSENDEUR_WEBHOOK_SECRET"))
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    if not (args.client_id and args.client_secret and args.webhook_secret):
        parser.error("give --client-id, --client-secret and --webhook-secret")
    api = TussendeurApi(args.api, args.client_id, args.client_secret)
    receiver = Receiver(args.webhook_secret, api)
    logging.basicConfig(level=logging.INFO)
    uvicorn.run(receiver.app(), host="127.0.0.1", port=args.port)


if __name__ == "__main__":
    main()
