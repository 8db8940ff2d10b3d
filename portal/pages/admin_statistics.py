"""Exchange statistics for consortium admins: each chart (server-side SVG) beside a table
with the same numbers; counts under five shown as "<5" (``exchange.statistics.published``)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from markupsafe import Markup

from exchange.statistics.published import Count, PublishedStatistics, published_statistics
from infra.errors import Collector, UserError
from portal import charts
from portal.admin_access import admin_caller, admin_transaction, problems, refusal, render_admin
from portal.charts import Bar
from portal.labels import N_
from portal.web import Page, portal_page

router = APIRouter()

STATISTICS = "/portal/admin/statistics"

FUNNEL_LABELS = {
    "shared": N_("shared (consent asked)"),
    "consented": N_("consented"),
    "matched": N_("shown in matches"),
    "introduced": N_("introduction requested"),
    "accepted": N_("introduction accepted"),
    "placed": N_("placed"),
}


def _days(page: Page) -> tuple[dt.date | None, dt.date | None, dict[str, str]]:
    values = {k: (page.request.query_params.get(k) or "").strip()[:10] for k in ("from", "to")}
    errors = Collector()
    found: list[dt.date | None] = []
    for name in ("from", "to"):
        try:
            found.append(dt.date.fromisoformat(values[name]) if values[name] else None)
        except ValueError:
            errors.add(name, "INVALID", "use YYYY-MM-DD")
            found.append(None)
    errors.raise_if_any()
    return found[0], found[1], values


def _bar(label: str, value: int | None, text: str) -> Bar:
    return Bar(label, value, text)


def _charts(page: Page, stats: PublishedStatistics) -> dict[str, Markup]:
    _ = page.gettext
    names = [name for _id, name in stats.flows.partners]
    ids = [partner_id for partner_id, _name in stats.flows.partners]
    flow_cells = [
        [
            _bar("", cell.placed.shown, str(cell.placed))
            for cell in (stats.flows.cell(row, column) for column in ids)
        ]
        for row in ids
    ]
    funnel = [
        _bar(_(FUNNEL_LABELS[step.key]), step.count.shown, str(step.count)) for step in stats.funnel
    ]
    series = [_("shared"), _("received"), _("placed")]
    balances = [(b.name, _bars(series, (b.shared, b.received, b.placed))) for b in stats.balances]
    retention_series = [_("due"), _("known"), _("still employed")]
    retention = [
        (
            _("after %(months)s months") % {"months": r.months},
            _bars(retention_series, (r.due, r.known, r.retained)),
        )
        for r in stats.retention
    ]
    buckets = [
        _bar(_bucket_label(page, b.low, b.high), b.count.shown, str(b.count))
        for b in stats.time_to_placement.buckets
    ]
    flows_title = _(
        "Placements from the partner that shared (rows) to the partner that hired (columns)"
    )
    balances_title = _("Reciprocity per partner: shared, received and placed")
    return {
        "flows": charts.heat_map("chart-flows", flows_title, names, names, flow_cells),
        "balances": charts.grouped_bar_chart("chart-balances", balances_title, balances, series),
        "funnel": charts.bar_chart("chart-funnel", _("From sharing to placement"), funnel),
        "retention": charts.grouped_bar_chart(
            "chart-retention", _("Retention after placement"), retention, retention_series
        ),
        "time": charts.bar_chart("chart-time", _("Days from sharing to placement"), buckets),
    }


def _bars(series: list[str], counts: tuple[Count, ...]) -> list[Bar]:
    return [_bar(name, c.shown, str(c)) for name, c in zip(series, counts, strict=True)]


def _bucket_label(page: Page, low: int, high: int | None) -> str:
    if high is None:
        return page.gettext("more than %(days)s days") % {"days": low - 1}
    return page.gettext("%(low)s-%(high)s days") % {"low": low, "high": high}


@router.get(STATISTICS)
async def statistics_page(page: Page = Depends(portal_page)) -> Response:
    caller = admin_caller(page)
    if caller is None:
        return refusal(page)
    values = {k: page.request.query_params.get(k, "")[:10] for k in ("from", "to")}
    try:
        first, last, values = _days(page)
        async with admin_transaction(page, caller) as conn:
            stats = await published_statistics(conn, caller, first_day=first, last_day=last)
    except UserError as error:
        return render_admin(
            page, "admin_statistics.html", status_code=422, problems=problems(page, error),
            values=values, stats=None, charts={}, funnel_labels=FUNNEL_LABELS,
            bucket_label=lambda low, high: _bucket_label(page, low, high),
        )  # fmt: skip
    return render_admin(
        page,
        "admin_statistics.html",
        values={
            "from": stats.period.first_day.isoformat(),
            "to": stats.period.last_day.isoformat(),
        },
        stats=stats,
        charts=_charts(page, stats),
        funnel_labels=FUNNEL_LABELS,
        bucket_label=lambda low, high: _bucket_label(page, low, high),
    )
