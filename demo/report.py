"""What ``tussendeur demo`` reports: a summary, who is who, how to act as each role, the tour.

:data:`TOUR` is the README's five-minute tour, verbatim (a test keeps the two equal
and runs it against a live server): it reads the ``TD_*`` variables the demo prints.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

from rich.console import Console
from rich.markup import escape

from exchange.consortia.service import consortium_contents
from infra.db import Database
from infra.scope import AccessScope
from infra.settings import Settings

TOUR = """\
# 1. A partner's access token: OAuth 2.0 client credentials
TOKEN=$(curl -s -u "$TD_CLIENT_ID:$TD_CLIENT_SECRET" -d grant_type=client_credentials \\
  "$TD_URL/oauth/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

# 2. A query: the partner's own vacancies
curl -s "$TD_URL/graphql" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
  -d '{"query": "{ vacancies(first: 3) { nodes { id title pay { min max period } } } }"}' \\
  | python3 -m json.tool

# 3. A mutation: post a vacancy (free phrases are normalised on the way in)
START=$(python3 -c 'import datetime as d; print(d.date.today() + d.timedelta(days=30))')
curl -s "$TD_URL/graphql" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
  --data @- <<EOF | tee vacancy.json | python3 -m json.tool
{"query": "mutation { createVacancy(input: {title: \\"Klantenservicemedewerker energie (tour)\\", \\
postcodeArea: \\"6411\\", hoursMin: 24, hoursMax: 36, startDate: \\"$START\\", \\
requirements: [{phrase: \\"klachten afhandelen\\", mustHave: true, weight: 2}, \\
{phrase: \\"Salesforse\\"}], languages: [{language: \\"nl\\", minLevel: \\"C1\\"}]}) \\
{ vacancy { id title requirements { phrase conceptId confidence } } \\
userErrors { field code message } } }"}
EOF

# 4. Ranked, explained matches for that vacancy
VACANCY=$(python3 -c 'import json; print(json.load(open("vacancy.json"))["data"]["createVacancy"]["vacancy"]["id"])')
curl -s "$TD_URL/graphql" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
  --data @- <<EOF | python3 -m json.tool
{"query": "{ matches(vacancyId: \\"$VACANCY\\", first: 3) { nodes { rank score \\
profile { pseudonym kind } explanation { requirement matchedPhrase similarity points } } } }"}
EOF
"""  # noqa: E501 - shell lines as a person copies them


@dataclass(frozen=True, slots=True)
class PartnerAccess:
    slug: str
    name: str
    city: str
    client_id: str
    client_secret: str
    hr_email: str = ""  # the partner's HR staff member, who signs in by emailed link
    hr_id: UUID | None = None


@dataclass
class DemoReport:
    consortium_id: UUID
    partners: list[PartnerAccess]
    admin_email: str
    admin_link: str
    hr_email: str
    hr_partner: str
    hr_link: str
    candidate_email: str | None
    candidate_link: str | None
    consent_link: str | None  # the consent page of someone who has not answered yet
    summary: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)


def tour_exports(report: DemoReport, settings: Settings) -> str:
    first = report.partners[0]
    return "\n".join(
        (
            f"export TD_URL={shlex.quote(settings.public_url.rstrip('/'))}",
            f"export TD_CLIENT_ID={shlex.quote(first.client_id)}",
            f"export TD_CLIENT_SECRET={shlex.quote(first.client_secret)}",
        )
    )


def write_env_file(path: str, exports: str) -> None:
    target = Path(path)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(exports + "\n")
    target.chmod(0o600)


def print_report(
    report: DemoReport, settings: Settings, console: Console, *, env_file: str | None = None
) -> None:
    summary, timings = report.summary, report.timings
    by_status = summary["profiles_by_status"]
    console.print(
        f"[bold green]Seeded Zuid-Limburg[/] in {timings.get('total', 0):.1f} s: "
        f"{len(report.partners)} partners, {summary['vacancies']} vacancies, "
        f"{summary['profiles']} profiles ({by_status.get('ACTIVE', 0)} active, "
        f"{by_status.get('PENDING_CONSENT', 0)} waiting for consent)."
    )
    steps = ", ".join(f"{k} {v:.1f} s" for k, v in timings.items() if k != "total")
    console.print(f"[dim]{steps}; seed fingerprint {summary['fingerprint'][:16]}[/]")

    console.print(
        "\n[bold]Partner HR[/] — one API client per partner "
        "(secrets are shown only now; they are stored hashed):"
    )
    for partner in report.partners:
        console.print(f"  {partner.name} ({partner.city})")
        console.print(f"    client id      {partner.client_id}")
        console.print(f"    client secret  {partner.client_secret}")

    minutes = max(1, settings.sign_in_link_ttl_seconds // 60)
    console.print(
        f"\n[bold]Consortium admin[/] {report.admin_email} — sign-in link "
        f"(single use, {minutes} minutes; open it, or POST its token):"
    )
    console.print(escape(report.admin_link))
    console.print(
        f"\n[bold]HR staff of {escape(report.hr_partner)}[/] {report.hr_email} — sign-in link:"
    )
    console.print(escape(report.hr_link))
    if report.candidate_link:
        console.print(f"\n[bold]Candidate[/] {report.candidate_email} — sign-in link:")
        console.print(escape(report.candidate_link))
    if report.consent_link:
        console.print(
            "\n[bold]Someone who has not answered yet[/] — their consent page "
            "(the link their mail would have carried; demo mail is never sent):"
        )
        console.print(escape(report.consent_link))
    console.print(
        "\nOpen a link in a browser to land on that person's portal page; the front door is "
        f"{settings.public_url.rstrip('/')}/ (every partner has an HR account, "
        "hr.<partner>@example.nl)."
    )
    console.print(
        "A sign-in link's token buys an access token: "
        f"curl -s -X POST -d token=TOKEN {settings.public_url.rstrip('/')}/auth/sign-in/redeem"
    )
    console.print(
        "New links: tussendeur serve, then POST the address to /auth/sign-in "
        "(the mail shows in the server console)."
    )

    exports = tour_exports(report, settings)
    if env_file:
        write_env_file(env_file, exports)
        console.print(f"\nWrote the tour's variables to {escape(env_file)} (mode 600).")
    first = report.partners[0].name
    console.print(f"\n[bold]The tour[/] (with `tussendeur serve` running), as {first}:")
    console.print(escape(exports), soft_wrap=True)
    console.print(escape(TOUR), soft_wrap=True)


async def demo_summary(db: Database, consortium_id: UUID) -> dict[str, Any]:
    """Counts and a content fingerprint of the seeded data, free of ids and pseudonyms."""
    async with db.transaction(AccessScope.system()) as conn:
        contents = await consortium_contents(conn, consortium_id=consortium_id)
    profiles = contents.profiles
    rows = sorted(json.dumps(list(p.fields), ensure_ascii=False) for p in profiles)
    vacancy_rows = sorted(json.dumps(list(v)) for v in contents.vacancies)
    digest = hashlib.sha256("\n".join(rows + vacancy_rows).encode()).hexdigest()
    return {
        "partners": list(contents.partners),
        "vacancies": len(contents.vacancies),
        "profiles": len(profiles),
        "profiles_by_status": dict(sorted(Counter(p.status.value for p in profiles).items())),
        "profiles_by_kind": dict(sorted(Counter(p.kind.value for p in profiles).items())),
        "consent_scopes": dict(
            sorted(
                Counter(
                    p.consent_scope_kind.value if p.consent_scope_kind else "-" for p in profiles
                ).items()
            )
        ),
        "phrases_on_a_concept": contents.share_of_phrases_on_a_concept,
        "fingerprint": digest,
    }
