"""A Hypothesis state machine over the whole consent life: 3 partners, 5 people.

Rules: share, confirm, refuse, change, withdraw, renew, expire and pass the grace
period (the retention run with the clock moved), introduce, accept, decline, place,
erase. After every step, against PostgreSQL under each partner's own row-level
security and through the introductions use case:

* a partner sees a profile only while its consent is active, the partner is in
  scope and did not share it itself (the policy function agrees);
* contact data reaches only a partner whose introduction the person accepted;
* after erasure the person's canary name, email and phone appear nowhere in a full
  ``pg_dump`` of the database, nor in any log output of the run.

More examples: ``TUSSENDEUR_STATEFUL_EXAMPLES=200 pytest tests/consent/test_state_machine.py``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import secrets
import threading
from collections import Counter
from typing import Any, ClassVar
from uuid import UUID

import asyncpg
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from consent import repository as consent_repository
from consent.models import CollectionMethod, Purpose
from exchange.consent_flow import rights
from exchange.consent_flow import service as flow
from exchange.consent_flow.retention import run_retention
from exchange.introductions import service as introductions
from exchange.placements import service as placements
from infra.db import ConnectionDatabase, dsn_for_role, init_connection
from infra.errors import UserError
from infra.mail import MemorySender, deliver_pending
from infra.scope import AccessScope
from tests.consent.life_model import Intro, LogCapture, Person, canary
from tests.consent.visibility_oracle import fold as fold_records
from tests.consent.visibility_oracle import may_see
from tests.support import callers, factories
from tests.support.consent import SETTINGS
from tests.support.consent import grant as grant_consent
from tests.support.databases import APP_ROLE, create_database, drop_database, dump_database

PEOPLE, PARTNERS = 5, 3
GRACE = dt.timedelta(days=SETTINGS.consent_grace_days)
LIVE = ("PENDING", "ACTIVE", "PAUSED", "WITHDRAWN", "EXPIRED")
EXAMPLES = int(os.environ.get("TUSSENDEUR_STATEFUL_EXAMPLES", "25"))


def _some(machine: ConsentLife, *statuses: str) -> bool:
    return any(p.status in statuses for p in machine.people)


class ConsentLife(RuleBasedStateMachine):
    steps: ClassVar[Counter[str]] = Counter()  # rules that did something, in all examples
    runner: asyncio.Runner
    db: ConnectionDatabase
    owner_dsn: str
    logs: LogCapture

    def __init__(self) -> None:
        super().__init__()
        self.people = [Person(*canary()) for _ in range(PEOPLE)]
        self.intros: list[Intro] = []
        self.requested_at: dict[UUID, dt.datetime] = {}
        self.dumped = 0  # erased people covered by the last pg_dump
        self.outbox = MemorySender()
        self.run(self._world())

    def run(self, coro: Any) -> Any:
        return self.runner.run(coro)

    async def _world(self) -> None:
        consortium = await factories.create_consortium(self.db)
        self.partners = [
            await factories.create_partner(self.db, consortium, name=f"Partner {i}")
            for i in range(PARTNERS)
        ]
        self.hr = [callers.partner_caller(p) for p in self.partners]
        self.vacancies = [await factories.create_vacancy(self.db, hr) for hr in self.hr]

    def _partner_ids(self, indexes: frozenset[int]) -> tuple[UUID, ...]:
        return tuple(self.partners[i].id for i in sorted(indexes))

    def _scope_choice(
        self, person: Person, kind: str, picks: frozenset[int]
    ) -> tuple[str, frozenset[int]]:
        others = frozenset(picks - {person.sharer})
        if kind != "ALL_PARTNERS" and not others:
            return ("ALL_PARTNERS", frozenset())
        return (kind, others if kind != "ALL_PARTNERS" else frozenset())

    async def _refresh(self, person: Person) -> None:
        async with self.db.transaction(AccessScope.system()) as conn:
            row = await conn.fetchrow(
                "select consent_expires_at, consent_ended_at from profile where id = $1",
                person.profile_id,
            )
        person.expires_at, person.ended_at = (row[0], row[1]) if row else (None, None)

    # ------------------------------------------------------------ choosing who acts

    def _pick(self, data: st.DataObject, *statuses: str) -> int:
        return data.draw(
            st.sampled_from([i for i, p in enumerate(self.people) if p.status in statuses])
        )

    def _as_person(self, i: int, use_case: Any, **kwargs: Any) -> Any:
        person = self.people[i]

        async def go() -> Any:
            async with self.db.transaction(person.caller.access_scope()) as conn:
                return await use_case(conn, person.caller, **kwargs)

        return self.run(go())

    # ------------------------------------------------------------ sharing and consent

    @precondition(lambda self: _some(self, "NEW"))
    @rule(data=st.data(), p=st.integers(0, PARTNERS - 1))
    def share(self, data: st.DataObject, p: int) -> None:
        person = self.people[self._pick(data, "NEW")]
        contact = factories.contact_input(
            full_name=person.name, email=person.email, phone=person.phone
        )
        profile = self.run(factories.share_profile(self.db, self.hr[p], contact=contact))
        person.status, person.sharer = "PENDING", p
        person.profile_id, person.person_id = profile.id, profile.person_id
        person.caller = callers.candidate_caller(profile)
        person.pending_until = profile.pending_until
        self.run(deliver_pending(self.db, self.outbox))  # mail goes out (and is logged)
        self.steps["share"] += 1

    @precondition(lambda self: _some(self, *LIVE))
    @rule(
        data=st.data(),
        kind=st.sampled_from(["ALL_PARTNERS", "ONLY", "ALL_EXCEPT"]),
        picks=st.frozensets(st.integers(0, PARTNERS - 1)),
        months=st.integers(1, 12),
    )
    def grant(self, data: st.DataObject, kind: str, picks: frozenset[int], months: int) -> None:
        """Confirm a pending profile, change the scope, or renew (also after an end)."""
        person = self.people[self._pick(data, *LIVE)]
        scope = self._scope_choice(person, kind, picks)
        keep = person.in_force() and months % 3 == 0  # a scope change keeping the expiry
        months_or_keep = None if keep else months
        partners = self._partner_ids(scope[1])
        self.run(grant_consent(self.db, person.caller, kind=scope[0], partners=partners,
                               months=months_or_keep))  # fmt: skip
        person.scope = scope
        person.status = "PAUSED" if person.status == "PAUSED" else "ACTIVE"
        self.run(self._refresh(person))
        self.steps["grant"] += 1

    @precondition(lambda self: _some(self, "PENDING"))
    @rule(data=st.data())
    def refuse(self, data: st.DataObject) -> None:
        i = self._pick(data, "PENDING")
        self._as_person(i, flow.refuse_consent, method=CollectionMethod.EMAIL_LINK)
        self.people[i].status, self.people[i].erased = "GONE", True
        self.steps["refuse"] += 1
        self._check_canaries()

    @precondition(lambda self: _some(self, "ACTIVE", "PAUSED"))
    @rule(data=st.data())
    def withdraw(self, data: st.DataObject) -> None:
        i = self._pick(data, "ACTIVE", "PAUSED")
        self._as_person(i, flow.withdraw_consent, method=CollectionMethod.API)
        self.people[i].status = "WITHDRAWN"
        self._close_open_intros(i, "WITHDRAWN")
        self.run(self._refresh(self.people[i]))
        self.steps["withdraw"] += 1

    # ------------------------------------------------------------ the clock

    def _advance(self, at: dt.datetime) -> None:
        """Run retention at ``at`` and apply the same rules to the model."""
        report = self.run(run_retention(self.db, now=at, settings=SETTINGS))
        expected = {"pending_deleted": 0, "consents_expired": 0, "profiles_erased": 0}
        for index, person in enumerate(self.people):
            if person.status == "PENDING" and person.pending_until and person.pending_until <= at:
                person.status, person.erased = "GONE", True
                expected["pending_deleted"] += 1
            if person.in_force() and person.expires_at and person.expires_at <= at:
                person.status, person.ended_at = "EXPIRED", person.expires_at
                self._close_open_intros(index, "WITHDRAWN")
                expected["consents_expired"] += 1
            ended = person.ended_at
            if person.status in ("EXPIRED", "WITHDRAWN") and ended and ended + GRACE <= at:
                person.status, person.erased = "GONE", True
                expected["profiles_erased"] += 1
        for intro in self.intros:
            due = self.requested_at[intro.id] + dt.timedelta(days=14)
            if intro.status == "REQUESTED" and at >= due:
                intro.status = "EXPIRED"
        mine = report.by_consortium.get(self.partners[0].consortium_id, {})
        assert {k: mine.get(k, 0) for k in expected} == expected  # other examples' data too
        self.steps.update({k: v for k, v in expected.items() if v})
        self._check_canaries()

    @precondition(lambda self: _some(self, "ACTIVE", "PAUSED"))
    @rule(data=st.data())
    def expire(self, data: st.DataObject) -> None:
        person = self.people[self._pick(data, "ACTIVE", "PAUSED")]
        assert person.expires_at is not None
        self._advance(person.expires_at + dt.timedelta(seconds=1))

    @precondition(lambda self: _some(self, "EXPIRED", "WITHDRAWN"))
    @rule(data=st.data())
    def grace_passes(self, data: st.DataObject) -> None:
        person = self.people[self._pick(data, "EXPIRED", "WITHDRAWN")]
        assert person.ended_at is not None
        self._advance(person.ended_at + GRACE + dt.timedelta(seconds=1))

    @precondition(lambda self: _some(self, "PENDING"))
    @rule(data=st.data(), skip=st.integers(0, 2))
    def pending_times_out(self, data: st.DataObject, skip: int) -> None:
        if skip:
            return
        person = self.people[self._pick(data, "PENDING")]
        assert person.pending_until is not None
        self._advance(person.pending_until + dt.timedelta(seconds=1))

    # ------------------------------------------------------------ introductions

    def _visible_pairs(self) -> list[tuple[int, int]]:
        return [
            (p, i)
            for p in range(PARTNERS)
            for i, person in enumerate(self.people)
            if person.visible_to(p)
        ]

    @precondition(lambda self: bool(self._visible_pairs()))
    @rule(data=st.data())
    def introduce_visible(self, data: st.DataObject) -> None:
        self._introduce(*data.draw(st.sampled_from(self._visible_pairs())))

    @precondition(lambda self: bool(self._visible_pairs()))
    @rule(data=st.data(), accept=st.booleans(), place=st.booleans())
    def introduce_then_answer(self, data: st.DataObject, accept: bool, place: bool) -> None:
        """A whole introduction in one rule (swarm testing often disables one of its parts);
        the invariants are checked between the parts too."""
        before = len(self.intros)
        self._introduce(*data.draw(st.sampled_from(self._visible_pairs())))
        if len(self.intros) == before:
            return
        intro = self.intros[-1]
        self.partners_see_only_consented_in_scope_profiles()
        self._answer(intro, accept)
        if accept and place:
            self.partners_see_only_consented_in_scope_profiles()
            self._place(intro)

    @precondition(lambda self: any(p.profile_id for p in self.people))
    @rule(data=st.data(), p=st.integers(0, PARTNERS - 1), skip=st.integers(0, 3))
    def introduce_any(self, data: st.DataObject, p: int, skip: int) -> None:
        if skip:  # mostly refused: keep it rarer than the requests that can succeed
            return
        shared = [i for i, x in enumerate(self.people) if x.profile_id]
        self._introduce(p, data.draw(st.sampled_from(shared)))

    def _introduce(self, p: int, i: int) -> None:
        person = self.people[i]
        open_ = any(
            x.person == i and x.partner == p and x.status == "REQUESTED" for x in self.intros
        )
        if not person.visible_to(p):
            expected = "NOT_FOUND"
        elif open_:
            expected = "CONFLICT"
        elif person.requests.get(p, 0) >= 3:
            expected = "LIMIT_REACHED"
        else:
            expected = "OK"

        assert person.profile_id is not None
        profile_id = person.profile_id

        async def go() -> str:
            try:
                async with self.db.transaction(self.hr[p].access_scope()) as conn:
                    intro = await introductions.request_introduction(
                        conn, self.hr[p], profile_id=profile_id,
                        vacancy_id=self.vacancies[p].id, message="Kom kennismaken",
                    )  # fmt: skip
            except UserError as error:
                return error.errors[0].code
            self.intros.append(Intro(intro.id, i, p))
            self.requested_at[intro.id] = intro.requested_at
            return "OK"

        assert self.run(go()) == expected
        self.steps[f"introduce {expected}"] += 1
        if expected == "OK":
            person.requests[p] = person.requests.get(p, 0) + 1

    @precondition(lambda self: any(x.status == "REQUESTED" for x in self.intros))
    @rule(n=st.integers(0, 50), accept=st.booleans())
    def answer(self, n: int, accept: bool) -> None:
        open_ = [x for x in self.intros if x.status == "REQUESTED"]
        self._answer(open_[n % len(open_)], accept)

    def _answer(self, intro: Intro, accept: bool) -> None:
        self._as_person(
            intro.person, introductions.respond_to_introduction,
            introduction_id=intro.id, accept=accept,
        )  # fmt: skip
        intro.status = "ACCEPTED" if accept else "DECLINED"
        self.steps[intro.status.lower()] += 1

    def _placeable(self) -> list[Intro]:
        return [
            x
            for x in self.intros
            if x.status == "ACCEPTED" and not x.placed and not self.people[x.person].erased
        ]

    @precondition(lambda self: bool(self._placeable()))
    @rule(n=st.integers(0, 50))
    def place(self, n: int) -> None:
        ready = self._placeable()
        self._place(ready[n % len(ready)])

    def _place(self, intro: Intro) -> None:
        async def go() -> None:
            async with self.db.transaction(self.hr[intro.partner].access_scope()) as conn:
                await placements.record_placement(
                    conn, self.hr[intro.partner], introduction_id=intro.id,
                    start_date=dt.date.today() + dt.timedelta(days=30),
                )  # fmt: skip

        self.run(go())
        intro.placed = True
        if self.people[intro.person].status == "ACTIVE":
            self.people[intro.person].status = "PAUSED"
        self.steps["place"] += 1

    # ------------------------------------------------------------ erasure

    @precondition(lambda self: _some(self, *LIVE))
    @rule(data=st.data(), now=st.integers(0, 2))
    def erase(self, data: st.DataObject, now: int) -> None:
        if now:  # erasure ends a life: make it rarer than the other steps
            return
        i = self._pick(data, *LIVE)
        self._as_person(i, rights.erase_my_data, settings=SETTINGS)
        self._close_open_intros(i, "WITHDRAWN")
        had_contact = any(x.person == i and x.status == "ACCEPTED" for x in self.intros)
        self.steps["erase after accept" if had_contact else "erase"] += 1
        self.people[i].status, self.people[i].erased = "GONE", True
        self._check_canaries()

    def _close_open_intros(self, i: int, status: str) -> None:
        for intro in self.intros:
            if intro.person == i and intro.status == "REQUESTED":
                intro.status = status

    # ------------------------------------------------------------ invariants

    @invariant()
    def partners_see_only_consented_in_scope_profiles(self) -> None:
        self.run(self._check_visibility())

    async def _check_visibility(self) -> None:
        now = dt.datetime.now(dt.UTC)
        mine = {p.profile_id: (i, p) for i, p in enumerate(self.people) if p.profile_id}
        for index, hr in enumerate(self.hr):
            async with self.db.transaction(hr.access_scope()) as conn:
                rows = await conn.fetch(
                    "select id from profile where partner_id <> $1", hr.partner_id
                )
                contacts = await conn.fetch("select person_id from person_contact")
                seen = await introductions.list_introductions(
                    conn, hr, status=None, limit=100, after=None
                )
            visible = {r["id"] for r in rows if r["id"] in mine}
            expected = {pid for pid, (_, p) in mine.items() if p.visible_to(index)}
            assert visible == expected, (index, visible, expected)
            accepted_people = {
                self.people[x.person].person_id
                for x in self.intros
                if x.partner == index
                and x.status == "ACCEPTED"
                and not self.people[x.person].erased
            }
            assert {r["person_id"] for r in contacts} == accepted_people
            for item in seen.items:
                assert (item.contact is not None) == (
                    item.status.value == "ACCEPTED"
                    and item.id in {x.id for x in self.intros if not self.people[x.person].erased}
                )
        async with self.db.transaction(AccessScope.system()) as conn:
            for pid, (_, p) in mine.items():
                if p.erased:
                    continue
                records = await consent_repository.records_for_profile(conn, profile_id=pid)
                state = fold_records(records, Purpose.EXCHANGE_MATCHING)
                for index, partner in enumerate(self.partners):
                    decision = may_see(
                        state, partner_id=partner.id, sharing_partner_id=self.partners[p.sharer].id,
                        purpose=Purpose.EXCHANGE_MATCHING, now=now, paused=p.status == "PAUSED",
                    )  # fmt: skip
                    assert decision.allowed == p.visible_to(index), (decision, p.status)

    def _check_canaries(self, *, always: bool = False) -> None:
        """pg_dump after each new erasure (and at the end of every example)."""
        erased = [p for p in self.people if p.erased]
        if not erased or (len(erased) == self.dumped and not always):
            return
        self.dumped = len(erased)
        dump = self.run(dump_database(self.owner_dsn))
        logs = "\n".join(self.logs.lines)
        for person in erased:
            for value in (person.name, person.email, person.phone):
                assert value not in dump, f"{value} survived erasure in pg_dump"
                assert value not in logs, f"{value} in the log output"

    def teardown(self) -> None:
        self._check_canaries(always=True)


def _life(server_dsn: str, template: str, logs: LogCapture) -> None:
    """One run of the machine on its own event loop (in its own thread)."""
    name = f"td_life_{secrets.token_hex(5)}"
    with asyncio.Runner() as runner:
        owner = runner.run(create_database(server_dsn, name, template=template))
        conn = runner.run(asyncpg.connect(dsn_for_role(owner, APP_ROLE, None)))
        runner.run(init_connection(conn))
        try:
            ConsentLife.runner, ConsentLife.db = runner, ConnectionDatabase(conn)
            ConsentLife.owner_dsn, ConsentLife.logs = owner, logs
            ConsentLife.TestCase.settings = settings(
                max_examples=EXAMPLES, stateful_step_count=40, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            )  # fmt: skip
            ConsentLife.TestCase().runTest()
        finally:
            runner.run(conn.close())
            runner.run(drop_database(server_dsn, name))


@pytest.mark.slow
def test_consent_life(
    server_dsn: str, template_database: str, capfd: pytest.CaptureFixture[str]
) -> None:
    logs = LogCapture()
    root = logging.getLogger()
    previous_level = root.level
    root.addHandler(logs)
    root.setLevel(logging.DEBUG)
    failure: list[BaseException] = []

    def work() -> None:
        try:
            _life(server_dsn, template_database, logs)
        except BaseException as exc:  # re-raised in the test's thread
            failure.append(exc)

    thread = threading.Thread(target=work, name="consent-life")
    try:
        thread.start()
        thread.join()
    finally:
        root.removeHandler(logs)
        root.setLevel(previous_level)
    if failure:
        raise failure[0]
    output = capfd.readouterr()
    assert "Canary Kx" not in output.out + output.err
    if os.environ.get("TUSSENDEUR_STATEFUL_REPORT"):
        print(dict(ConsentLife.steps))
