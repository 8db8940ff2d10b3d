"""``tussendeur stats``: exchange statistics as rich tables."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from exchange.statistics.models import ExchangeStatistics, Retention

MAX_VACANCY_ROWS = 25


def _ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _days(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _retention(r: Retention) -> str:
    rate = "–" if r.rate is None else f"{r.rate:.0%}"
    return f"{rate} ({r.retained}/{r.known} known, {r.due} due)"


def print_statistics(console: Console, consortium: str, s: ExchangeStatistics) -> None:
    period = f"{s.period.first_day:%Y-%m-%d} – {s.period.last_day:%Y-%m-%d}"
    console.print(f"[bold]Exchange statistics[/] — {consortium}, {period}")
    slug = {p.partner_id: p.slug for p in s.partners}

    partners = Table(title="Partners: what they give and take")
    partners.add_column("partner", no_wrap=True, min_width=14)
    for column in ("shared", "seen", "asked", "asked them", "gave", "hired", "+/-", "asks/seen"):
        partners.add_column(column, justify="right")
    for p in s.partners:
        suspended = " [red](suspended)[/]" if p.status != "ACTIVE" else ""
        partners.add_row(
            p.slug + suspended, str(p.profiles_shared), str(p.profiles_seen),
            str(p.introductions_requested), str(p.introductions_received),
            str(p.placements_given), str(p.placements_received),
            f"{p.reciprocity_balance:+d}", _ratio(p.requests_per_profile_seen),
        )  # fmt: skip
    console.print(partners)

    flows = Table(title="Flows: shared → shown / introduced / placed (rows shared, columns took)")
    flows.add_column("from \\ to")
    takers = sorted({f.to_partner_id for f in s.flows}, key=lambda i: slug.get(i, str(i)))
    for taker in takers:
        flows.add_column(slug.get(taker, str(taker)[:8]), justify="right")
    cells = {(f.from_partner_id, f.to_partner_id): f for f in s.flows}
    for giver in sorted({f.from_partner_id for f in s.flows}, key=lambda i: slug.get(i, str(i))):
        row = [slug.get(giver, str(giver)[:8])]
        for taker in takers:
            cell = cells.get((giver, taker))
            row.append(f"{cell.shared}/{cell.introduced}/{cell.placed}" if cell else "")
        flows.add_row(*row)
    console.print(flows if s.flows else "No flows between partners in this period.")

    pl = s.placements
    legend = ("shared: profiles shared; seen: others' profiles shown to it; asked: introductions "
              "it requested; asked them: requested for its profiles; gave/hired: placements; "
              "+/-: gave minus hired")  # fmt: skip
    console.print(legend, style="dim")
    summary = Table(title="Placements and consent", show_header=False)
    summary.add_column("figure")
    summary.add_column("value", justify="right")
    summary.add_row("placements", str(pl.placements))
    summary.add_row("days share → placement, median", _days(pl.median_days_to_placement))
    summary.add_row("days share → placement, p90", _days(pl.p90_days_to_placement))
    summary.add_row("still employed at 3 months", _retention(pl.retention_3_months))
    summary.add_row("still employed at 6 months", _retention(pl.retention_6_months))
    f = s.consent_funnel
    summary.add_row("consent requested", str(f.requested))
    summary.add_row("  confirmed", str(f.confirmed))
    summary.add_row(
        "  refused / unanswered / pending", f"{f.refused} / {f.unanswered} / {f.pending}"
    )
    summary.add_row("  withdrawn / expired since", f"{f.withdrawn} / {f.expired}")
    console.print(summary)

    vacancies = Table(title=f"Vacancies (top {MAX_VACANCY_ROWS} by activity)")
    for column in ("vacancy", "partner", "match queries", "profiles shown", "introductions",
                   "accepted", "placed"):  # fmt: skip
        vacancies.add_column(
            column, justify="left" if column in ("vacancy", "partner") else "right"
        )
    for v in s.vacancies[:MAX_VACANCY_ROWS]:
        vacancies.add_row(
            v.title[:40], slug.get(v.partner_id, ""), str(v.match_queries), str(v.profiles_shown),
            str(v.introductions_requested), str(v.introductions_accepted), str(v.placements),
        )  # fmt: skip
    console.print(vacancies if s.vacancies else "No vacancy activity in this period.")
