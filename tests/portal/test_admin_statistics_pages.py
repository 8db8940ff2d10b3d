"""Statistics in the admin's portal: the placement counted, every chart an SVG with a
title beside a table of the same numbers, and counts under five shown as "<5"."""

from __future__ import annotations

import re
import uuid

import httpx

from exchange.statistics.published import Count, PartnerBalance, RetentionFigure
from infra.db import ConnectionDatabase
from infra.settings import Settings
from portal.charts import Bar, bar_chart, heat_map
from tests.support.exchange_steps import run_exchange
from tests.support.staff_portal import sign_in_admin


def test_a_count_under_five_reads_as_less_than_five_and_derived_figures_go() -> None:
    assert [str(Count(n)) for n in (0, 1, 4, 5, 12)] == ["0", "<5", "<5", "5", "12"]
    assert Count(3).shown is None and Count(0).shown == 0 and Count(7).shown == 7

    mixed = PartnerBalance(uuid.uuid4(), "A", Count(9), Count(2), Count(8))
    assert mixed.balance is None
    assert PartnerBalance(uuid.uuid4(), "B", Count(9), Count(5), Count(8)).balance == 3
    assert RetentionFigure(3, Count(9), Count(4), Count(4)).rate is None
    assert RetentionFigure(3, Count(9), Count(8), Count(6)).rate == 0.75


def test_charts_are_named_images_without_style_attributes() -> None:
    svg = str(bar_chart("c1", "Funnel <&>", [Bar("a", 10, "10"), Bar("b", None, "<5")]))
    assert 'role="img"' in svg and '<title id="c1-title">Funnel &lt;&amp;&gt;</title>' in svg
    assert "style=" not in svg and "&lt;5" in svg
    assert svg.count("<rect") == 1  # no bar for a suppressed count
    cells = [[Bar("", 0, "0"), Bar("", None, "<5")], [Bar("", 6, "6"), Bar("", 0, "0")]]
    matrix = str(heat_map("c2", "Flows", ["A", "B"], ["A", "B"], cells))
    assert matrix.count("<rect") == 4 and "style=" not in matrix


async def test_the_admin_sees_the_placement_counted_with_charts_and_tables(
    client: httpx.AsyncClient, db: ConnectionDatabase, app_settings: Settings
) -> None:
    exchanged = await run_exchange(db)
    await sign_in_admin(client, db, app_settings, exchanged.world.a)
    page = await client.get("/portal/admin/statistics")
    assert page.status_code == 200
    html = page.text
    assert "Plaatsingen in deze periode: &lt;5" in html
    assert html.count('role="img"') == 5 and html.count("<table") == 5
    assert "style=" not in html
    # the one placement: B hired A's person — "<5" in the flow and in reciprocity
    flows = html.split('id="flows"')[1].split('id="reciprocity"')[0]
    assert re.search(r"Callcenter Maastricht A</th>\s*<td>Klantcontact Heerlen B</td>", flows)
    assert flows.count("&lt;5") >= 2
    funnel = html.split('id="funnel"')[1].split('id="retention"')[0]
    assert "geplaatst" in funnel and "&lt;5" in funnel
    english = await client.get("/portal/admin/statistics?lang=en")
    assert "Placements in this period: &lt;5" in english.text
    bad = await client.get("/portal/admin/statistics", params={"from": "2025-13-01"})
    assert bad.status_code == 422 and "Enter a date as YYYY-MM-DD" in bad.text  # English now
    empty = await client.get(
        "/portal/admin/statistics", params={"from": "2001-01-01", "to": "2001-12-31"}
    )
    assert "Placements in this period: 0" in empty.text
