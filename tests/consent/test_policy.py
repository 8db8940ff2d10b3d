"""The pure rules: may partner P see profile X for purpose Y now; time rules; receipts."""

from __future__ import annotations

import datetime as dt
import uuid

from hypothesis import given
from hypothesis import strategies as st

from consent.models import (
    CollectionMethod,
    ConsentEvent,
    ConsentRecord,
    ConsentScope,
    Purpose,
    ScopeKind,
)
from consent.receipt import ReceiptContext, ReceiptParty, build_receipt
from consent.retention import Due, RetentionRules, add_months, due
from tests.consent.visibility_oracle import Reason, fold, may_see

NOW = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
SHARER, P1, P2 = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def record(event: ConsentEvent, scope: ConsentScope | None, days: int = 180) -> ConsentRecord:
    return ConsentRecord(
        id=uuid.uuid4(), consortium_id=uuid.uuid4(), profile_id=uuid.uuid4(),
        person_id=uuid.uuid4(), collected_by_partner_id=SHARER, event=event,
        purpose=Purpose.EXCHANGE_MATCHING, scope=scope, granted_at=NOW - dt.timedelta(days=1),
        expires_at=NOW + dt.timedelta(days=days),
        withdrawn_at=NOW if event is ConsentEvent.WITHDRAWN else None, text_version="1",
        text_sha256="x" * 64, collection_method=CollectionMethod.EMAIL_LINK, language="nl",
        receipt_id=uuid.uuid4(), recorded_at=NOW,
    )  # fmt: skip


def decide(records: list[ConsentRecord], partner: uuid.UUID, **kw: object) -> Reason:
    state = fold(records, Purpose.EXCHANGE_MATCHING)
    decision = may_see(
        state, partner_id=partner, sharing_partner_id=SHARER,
        purpose=Purpose.EXCHANGE_MATCHING, now=NOW, **kw,  # type: ignore[arg-type]
    )  # fmt: skip
    assert decision.allowed == (decision.reason is Reason.ALLOWED)
    return decision.reason


def test_each_reason() -> None:
    only_p1 = ConsentScope(ScopeKind.ONLY, frozenset({P1}))
    assert decide([], P1) is Reason.NO_CONSENT
    assert decide([record(ConsentEvent.GRANTED, only_p1)], P1) is Reason.ALLOWED
    assert decide([record(ConsentEvent.GRANTED, only_p1)], P2) is Reason.OUT_OF_SCOPE
    assert decide([record(ConsentEvent.GRANTED, only_p1)], SHARER) is Reason.OWN_PROFILE
    assert decide([record(ConsentEvent.GRANTED, only_p1, days=-1)], P1) is Reason.EXPIRED
    granted = record(ConsentEvent.GRANTED, only_p1)
    assert decide([granted, record(ConsentEvent.WITHDRAWN, only_p1)], P1) is Reason.WITHDRAWN
    assert decide([granted, record(ConsentEvent.EXPIRED, only_p1)], P1) is Reason.EXPIRED
    assert decide([granted], P1, paused=True) is Reason.PAUSED
    except_p1 = ConsentScope(ScopeKind.ALL_EXCEPT, frozenset({P1}))
    changed = [granted, record(ConsentEvent.CHANGED, except_p1)]
    assert decide(changed, P1) is Reason.OUT_OF_SCOPE
    assert decide(changed, P2) is Reason.ALLOWED


@given(
    kind=st.sampled_from(list(ScopeKind)),
    listed=st.frozensets(st.sampled_from([P1, P2])),
    partner=st.sampled_from([SHARER, P1, P2]),
    days=st.integers(-400, 400),
)
def test_allowed_exactly_when_active_in_scope_and_not_own(
    kind: ScopeKind, listed: frozenset[uuid.UUID], partner: uuid.UUID, days: int
) -> None:
    scope = ConsentScope(kind, listed)
    reason = decide([record(ConsentEvent.GRANTED, scope, days=days)], partner)
    expected = days > 0 and partner != SHARER and scope.admits(partner)
    assert (reason is Reason.ALLOWED) == expected


def test_time_rules() -> None:
    rules = RetentionRules()
    assert add_months(dt.datetime(2026, 1, 31, tzinfo=dt.UTC), 1).day == 28
    assert add_months(dt.datetime(2026, 8, 15, tzinfo=dt.UTC), 6).year == 2027
    args = {"pending_until": None, "expires_at": None, "ended_at": None, "reminded_for": None}
    pending = {**args, "pending_until": NOW}
    assert due(rules, status="PENDING_CONSENT", now=NOW, **pending) is Due.DELETE_PENDING
    soon = NOW + dt.timedelta(days=10)
    assert due(rules, status="ACTIVE", now=NOW, **{**args, "expires_at": soon}) is Due.REMIND
    reminded = {**args, "expires_at": soon, "reminded_for": soon}
    assert due(rules, status="ACTIVE", now=NOW, **reminded) is Due.NOTHING
    assert due(rules, status="ACTIVE", now=NOW, **{**args, "expires_at": NOW}) is Due.EXPIRE
    ended = {**args, "ended_at": NOW - dt.timedelta(days=30)}
    assert due(rules, status="WITHDRAWN", now=NOW, **ended) is Due.ERASE
    ended = {**args, "ended_at": NOW - dt.timedelta(days=29)}
    assert due(rules, status="EXPIRED", now=NOW, **ended) is Due.NOTHING


def test_receipt_names_third_parties_in_scope_only() -> None:
    names = {SHARER: "Deler", P1: "Een", P2: "Twee"}
    party = ReceiptParty("Consortium", "privacy@example.nl", "https://example.nl")
    ctx = ReceiptContext("NL", "https://example.nl/portal/privacy", party, party, names, "P-X")
    scope = ConsentScope(ScopeKind.ALL_EXCEPT, frozenset({P2}))
    receipt = build_receipt(record(ConsentEvent.GRANTED, scope), ctx)
    purpose = receipt["services"][0]["purposes"][0]
    assert purpose["thirdPartyName"] == "Een" and purpose["thirdPartyDisclosure"] is True
    assert receipt["consentTimestamp"] == int((NOW - dt.timedelta(days=1)).timestamp())
    withdrawn = build_receipt(record(ConsentEvent.WITHDRAWN, scope), ctx)
    assert withdrawn["services"][0]["purposes"][0]["thirdPartyDisclosure"] is False
