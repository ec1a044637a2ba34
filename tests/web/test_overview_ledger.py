"""The rectification ledger: who sees which items, filters, sorting, pages and exports."""

import csv
import datetime
import io
import re
from urllib.parse import unquote

import openpyxl
import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone, translation

from inspections import models as m
from tests import factories as f
from tests.helpers import put
from workflows.calendar import end_of_day
from workflows.models import Colour, Deadline, DeadlinePolicy


def zh(text) -> str:
    with translation.override("zh-hans"):
        return str(translation.gettext(text) if isinstance(text, str) else text)


def make_items(inspection, count, *, start=1, today=None, closed_every=0):
    """`count` items in bulk, due from 5 days ago onwards (red, yellow, then green), each open one
    with its live item deadline, as an approved plan leaves them."""
    today = today or timezone.localdate()
    items = []
    for offset in range(count):
        number = start + offset
        closed = closed_every and offset % closed_every == closed_every - 1
        items.append(
            m.RectificationItem(
                inspection=inspection,
                number=number,
                problem=f"{inspection.unit.name}问题{number}",
                measure=f"措施{number}",
                responsible_person=f"责任人{number % 7}",
                due_on=today + datetime.timedelta(days=offset - 5),
                progress=f"进展{number}",
                state=m.ItemState.CLOSED if closed else m.ItemState.IN_PROGRESS,
            )
        )
    items = m.RectificationItem.objects.bulk_create(items)
    policy = DeadlinePolicy.objects.get(key="item")
    content_type = ContentType.objects.get_for_model(m.RectificationItem)
    Deadline.objects.bulk_create(
        Deadline(
            content_type=content_type,
            object_id=item.pk,
            kind="item",
            policy=policy,
            responsible="unit",
            responsible_name=inspection.unit.name,
            starts_on=today - datetime.timedelta(days=40),
            due_on=item.due_on,
            due_at=end_of_day(item.due_on),
        )
        for item in items
        if item.state != m.ItemState.CLOSED
    )
    return items


@pytest.fixture
def ledger_world(world):
    """The world's two units rectifying, with 12 items each, and a lead that must never show."""
    for inspection in (world.inspection, world.other_inspection):
        put(inspection, m.InspectionState.RECTIFYING)
    make_items(world.inspection, 12, closed_every=4)
    make_items(world.other_inspection, 12)
    f.LeadFactory(
        inspection=world.inspection, summary="机密线索:某处长收受礼金", persons_named="王某"
    )
    return world


def downloaded_name(response) -> str:
    """The file name a browser saves: the UTF-8 form (RFC 6266) when there is one."""
    header = response["Content-Disposition"]
    assert header.startswith("attachment;")
    if "filename*=utf-8''" in header:
        return unquote(header.split("filename*=utf-8''")[1])
    return header.split('filename="')[1].rstrip('"')


def ledger(client, user, **query):
    client.force_login(user)
    return client.get(reverse("ledger"), query)


def shown_problems(response) -> list[str]:
    return [row.problem for row in response.context["rows"]]


# Who sees what ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["leading_group", "office"])
def test_leadership_and_office_see_every_item(client, ledger_world, who):
    response = ledger(client, getattr(ledger_world, who))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 24


@pytest.mark.parametrize("who", ["team_leader", "team_deputy", "team_member"])
def test_a_team_sees_its_own_inspections_items_only(client, ledger_world, who):
    response = ledger(client, getattr(ledger_world, who))
    problems = shown_problems(response)
    assert len(problems) == 12
    assert all(p.startswith("市科学技术局") for p in problems)


def test_a_liaison_never_sees_another_units_items(client, ledger_world):
    response = ledger(client, ledger_world.unit_liaison)
    assert response.context["page"].paginator.count == 12
    html = response.content.decode()
    assert "市科学技术局问题1" in html
    assert "市数据局" not in html  # not in the rows, nor in the unit filter's choices


def test_a_liaison_asking_for_another_unit_is_refused_with_a_message(client, ledger_world):
    response = ledger(client, ledger_world.unit_liaison, unit=ledger_world.other_unit.pk)
    assert response.status_code == 400
    assert response.context["rows"] == []
    assert "市数据局问题" not in response.content.decode()
    assert 'role="alert"' in response.content.decode()


@pytest.mark.parametrize("who", ["organ_desk", "outsider"])
def test_organs_and_outsiders_may_not_open_the_ledger(client, ledger_world, who):
    response = ledger(client, getattr(ledger_world, who))
    assert response.status_code == 403
    assert zh("Not allowed") in response.content.decode()


def test_leads_never_appear_in_the_ledger_or_its_files(client, ledger_world):
    for who in ("office", "team_leader", "unit_liaison"):
        client.force_login(getattr(ledger_world, who))
        for name in ("ledger", "ledger_xlsx", "ledger_csv"):
            response = client.get(reverse(name))
            body = response.content
            if name == "ledger_xlsx":
                book = openpyxl.load_workbook(io.BytesIO(body))
                body = "".join(
                    str(cell.value or "") for ws in book for row in ws.iter_rows() for cell in row
                ).encode()
            assert "收受礼金".encode() not in body
            assert "王某".encode() not in body


def test_anonymous_is_sent_to_log_in(client, db):
    response = client.get(reverse("ledger"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# Filters, sorting, pages -------------------------------------------------------------------------


def _option_labels(response, name: str) -> list[str]:
    field = response.context["form"][name].field
    return [label for value, label in field.widget.choices if value != ""]


def test_a_chosen_round_lists_only_its_own_units_and_teams(client, ledger_world):
    elsewhere = f.InspectionFactory(
        round=f.RoundFactory(number=9), unit=f.UnitFactory(name="市统计局")
    )
    elsewhere_team = f.TeamFactory(round=elsewhere.round, number=3)
    elsewhere.team = elsewhere_team
    elsewhere.save()
    office = ledger_world.office

    everything = ledger(client, office)
    assert "市统计局" in _option_labels(everything, "unit")
    assert len(_option_labels(everything, "team")) == 3

    response = ledger(client, office, round=ledger_world.round.pk)
    assert sorted(_option_labels(response, "unit")) == sorted(["市科学技术局", "市数据局"])
    assert len(_option_labels(response, "team")) == 2
    assert "市统计局" not in response.content.decode()


def test_a_unit_of_another_round_still_filters_and_stays_listed(client, ledger_world):
    elsewhere = f.InspectionFactory(
        round=f.RoundFactory(number=9), unit=f.UnitFactory(name="市统计局")
    )
    response = ledger(
        client, ledger_world.office, round=ledger_world.round.pk, unit=elsewhere.unit.pk
    )
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert "市统计局" in _option_labels(response, "unit")


def test_without_a_round_too_many_units_are_not_listed_and_the_page_says_why(
    client, ledger_world, monkeypatch
):
    from inspections.web.views import ledger as ledger_view

    monkeypatch.setattr(ledger_view, "LISTED_AT_MOST", 1)  # the world has two units, two teams
    office = ledger_world.office

    response = ledger(client, office)
    assert _option_labels(response, "unit") == []
    assert _option_labels(response, "team") == []
    html = response.content.decode()
    assert "请先选择轮次，再列出该轮的单位。" in html
    # A unit chosen by its id still filters, and stays listed so the select shows it.
    chosen = ledger(client, office, unit=ledger_world.other_unit.pk)
    assert _option_labels(chosen, "unit") == ["市数据局"]
    assert len(shown_problems(chosen)) == 12
    # With a round, its units are listed again.
    in_round = ledger(client, office, round=ledger_world.round.pk)
    assert sorted(_option_labels(in_round, "unit")) == sorted(["市科学技术局", "市数据局"])


def test_under_htmx_choosing_a_round_refreshes_the_units_and_teams_offered(client, ledger_world):
    elsewhere = f.InspectionFactory(
        round=f.RoundFactory(number=9), unit=f.UnitFactory(name="市统计局")
    )
    client.force_login(ledger_world.office)
    response = client.get(reverse("ledger"), {"round": elsewhere.round.pk}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    unit_field = html[html.index('id="field-unit" hx-swap-oob="true"') :]
    unit_field = unit_field[: unit_field.index("</select>")]
    assert "市统计局" in unit_field
    assert "市数据局" not in unit_field
    assert 'id="field-team" hx-swap-oob="true"' in html


def test_filter_by_round_unit_team_and_state(client, ledger_world):
    office = ledger_world.office
    assert len(shown_problems(ledger(client, office, round=ledger_world.round.pk))) == 24
    by_unit = shown_problems(ledger(client, office, unit=ledger_world.other_unit.pk))
    assert len(by_unit) == 12 and all(p.startswith("市数据局") for p in by_unit)
    by_team = shown_problems(ledger(client, office, team=ledger_world.team.pk))
    assert len(by_team) == 12 and all(p.startswith("市科学技术局") for p in by_team)
    closed = shown_problems(ledger(client, office, state=m.ItemState.CLOSED))
    assert closed == ["市科学技术局问题4", "市科学技术局问题8", "市科学技术局问题12"]
    other_round = f.RoundFactory(number=9)
    assert shown_problems(ledger(client, office, round=other_round.pk)) == []


def test_filter_by_colour(client, ledger_world):
    # Items are due from 5 days ago, one a day: 5 red, then 11 yellow (due today to in 10 days:
    # yellow from the day with 10 days left); the other unit has 12 items.
    office = ledger_world.office
    red = ledger(client, office, colour="red", unit=ledger_world.other_unit.pk)
    assert [r.number for r in red.context["rows"]] == [1, 2, 3, 4, 5]
    assert all(r.colour == Colour.RED and r.days_overdue > 0 for r in red.context["rows"])
    yellow = ledger(client, office, colour="yellow", unit=ledger_world.other_unit.pk)
    assert [r.number for r in yellow.context["rows"]] == [6, 7, 8, 9, 10, 11, 12]
    none = ledger(client, office, colour="none")
    assert {r.state for r in none.context["rows"]} == {m.ItemState.CLOSED}


def test_filter_by_due_dates(client, ledger_world):
    today = timezone.localdate()
    rows = ledger(
        client,
        ledger_world.office,
        unit=ledger_world.other_unit.pk,
        due_after=(today - datetime.timedelta(days=1)).isoformat(),
        due_before=(today + datetime.timedelta(days=1)).isoformat(),
    ).context["rows"]
    assert [r.due_on for r in rows] == [today + datetime.timedelta(days=d) for d in (-1, 0, 1)]


def test_sorting(client, ledger_world):
    office, unit = ledger_world.office, ledger_world.other_unit.pk
    due = [r.number for r in ledger(client, office, unit=unit, sort="due").context["rows"]]
    assert due == list(range(1, 13))
    latest = [r.number for r in ledger(client, office, unit=unit, sort="-due").context["rows"]]
    assert latest == list(range(12, 0, -1))
    ascending = [r.unit for r in ledger(client, office, sort="unit").context["rows"]]
    descending = [r.unit for r in ledger(client, office, sort="-unit").context["rows"]]
    # The database's collation decides the order; the two directions are each other's reverse.
    assert list(dict.fromkeys(descending)) == list(reversed(dict.fromkeys(ascending)))
    assert len(set(ascending)) == 2
    urgent = [r.colour for r in ledger(client, office, sort="colour").context["rows"]]
    assert urgent[:8] == [Colour.RED] * 8  # 5 of one unit, 3 open of the other
    assert urgent[-3:] == ["", "", ""]  # signed off: no live deadline, last


def test_pages_keep_the_filters_and_number_rows_on(client, world):
    put(world.inspection, m.InspectionState.RECTIFYING)
    make_items(world.inspection, 120)
    first = ledger(client, world.office, sort="due")
    page = first.context["page"]
    assert (page.paginator.num_pages, len(first.context["rows"])) == (3, 50)
    html = first.content.decode()
    assert "sort=due" in html and "page=2" in html
    third = ledger(client, world.office, sort="due", page=3)
    assert [r.sequence for r in third.context["rows"]] == list(range(101, 121))
    assert third.context["rows"][0].number == 101


def test_the_pager_names_the_ends_and_two_pages_either_side(client, world):
    put(world.inspection, m.InspectionState.RECTIFYING)
    make_items(world.inspection, 1000)  # 20 pages of 50
    response = ledger(client, world.office, page=10)
    pager = response.content.decode().split('class="pagination"')[1].split("</nav>")[0]
    numbers = re.findall(r"page=(\d+)\"[^>]*>(\d+)<", pager)
    assert [int(shown) for _link, shown in numbers] == [1, 8, 9, 10, 11, 12, 20]
    assert pager.count("…") == 2
    assert 'aria-current="page">10<' in pager


def test_a_page_past_the_end_shows_the_last_and_says_so(client, ledger_world):
    response = ledger(client, ledger_world.office, page=99)
    assert response.status_code == 200
    assert response.context["page"].number == 1
    assert response.context["page_moved"] is True


@pytest.mark.parametrize(
    "query",
    [
        {"round": "abc"},
        {"round": "999999"},
        {"state": "lost"},
        {"colour": "purple"},
        {"due_before": "2026-13-45"},
        {"page": "zero"},
        {"page": "0"},
        {"due_after": "2026-05-01", "due_before": "2026-04-01"},
    ],
)
def test_bad_query_parameters_get_a_clear_message_not_a_500(client, ledger_world, query):
    response = ledger(client, ledger_world.office, **query)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html
    assert zh("Some filters could not be understood. Correct them to see the ledger:") in html
    assert response.context["rows"] == []
    for name in ("ledger_xlsx", "ledger_csv"):
        assert client.get(reverse(name), query).status_code == 400


def test_every_filter_has_a_label(client, ledger_world):
    html = ledger(client, ledger_world.office).content.decode()
    for name in ("round", "unit", "team", "state", "colour", "due_after", "due_before", "sort"):
        assert f'<label for="id_{name}">' in html
    assert '<label for="id_sheets">' in html


def test_htmx_gets_only_the_results(client, ledger_world):
    client.force_login(ledger_world.office)
    response = client.get(reverse("ledger"), {"colour": "red"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="id_round"' not in html
    assert "市数据局问题1" in html
    assert "HX-Request" in response["Vary"]
    full = client.get(reverse("ledger"), {"colour": "red"})
    assert "<html" in full.content.decode()
    assert 'hx-get="/ledger/"' in full.content.decode()
    assert 'hx-target="#ledger-results"' in full.content.decode()
    assert "hx-swap-oob" not in full.content.decode()


def test_under_htmx_the_sort_choice_follows_a_column_heading(client, ledger_world):
    client.force_login(ledger_world.office)
    response = client.get(reverse("ledger"), {"sort": "-due"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    field = html[html.index('id="field-sort" hx-swap-oob="true"') :]
    assert '<option value="-due" selected>' in field


# Exports ----------------------------------------------------------------------------------------


def _xlsx(client, **query):
    response = client.get(reverse("ledger_xlsx"), query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert downloaded_name(response).startswith(zh("Rectification ledger") + "-")
    assert downloaded_name(response).endswith(".xlsx")
    return openpyxl.load_workbook(io.BytesIO(response.content))


HEADERS = (
    "No.",
    "Unit",
    "Problem",
    "Measure",
    "Responsible person",
    "Due on",
    "Progress",
    "State",
    "Colour",
)


def test_xlsx_has_the_usual_columns_a_frozen_header_and_coloured_rows(client, ledger_world):
    client.force_login(ledger_world.office)
    book = _xlsx(client, unit=ledger_world.other_unit.pk, sort="due")
    (sheet,) = book.worksheets
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(zh(h) for h in HEADERS)
    assert sheet.freeze_panes == "A2"
    assert len(rows) == 13
    first = rows[1]
    assert first[0] == 1 and first[1] == "市数据局" and first[2] == "市数据局问题1"
    assert first[3] == "措施1" and first[4] == "责任人1" and first[6] == "进展1"
    assert first[5].date() == timezone.localdate() - datetime.timedelta(days=5)
    assert first[7] == zh(m.ItemState.IN_PROGRESS.label)
    assert first[8] == zh(Colour.RED.label)
    fills = [sheet.cell(row=r, column=1).fill.start_color.rgb for r in range(2, 14)]
    assert fills[:5] == ["00F8CBAD"] * 5  # red
    assert fills[5:] == ["00FFF2CC"] * 7  # yellow (due within 10 days)


def test_xlsx_is_exactly_what_the_filters_show_across_all_pages(client, world):
    put(world.inspection, m.InspectionState.RECTIFYING)
    make_items(world.inspection, 130)
    client.force_login(world.office)
    page = client.get(reverse("ledger"), {"colour": "green", "sort": "-due"})
    count = page.context["page"].paginator.count
    # 5 red, 11 yellow (due today to in 10 days: ten days left is yellow), the rest green.
    assert count == 130 - 5 - 11 and page.context["page"].paginator.num_pages == 3
    sheet = _xlsx(client, colour="green", sort="-due", page=2).worksheets[0]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == count
    assert [r[2] for r in rows[:50]] == [r.problem for r in page.context["rows"]]
    # Green rows are left unfilled; only yellow and red stand out.
    assert {cell.fill.fill_type for row in sheet.iter_rows(min_row=2) for cell in row} == {None}


def test_xlsx_one_sheet_per_unit(client, ledger_world):
    client.force_login(ledger_world.office)
    book = _xlsx(client, sheets="unit", sort="unit")
    assert book.sheetnames == ["市数据局", "市科学技术局"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet.max_row == 13
        assert {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)} == {sheet.title}
        assert sheet["A2"].value == 1


def test_xlsx_keeps_a_formula_like_text_as_text(client, ledger_world):
    m.RectificationItem.objects.filter(number=1, inspection=ledger_world.inspection).update(
        problem='=HYPERLINK("http://evil.example","x")'
    )
    client.force_login(ledger_world.office)
    sheet = _xlsx(client, unit=ledger_world.unit.pk).worksheets[0]
    cell = sheet["C2"]
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s"


def test_csv_has_a_bom_the_columns_and_exactly_the_filtered_rows(client, ledger_world):
    client.force_login(ledger_world.unit_liaison)
    response = client.get(reverse("ledger_csv"), {"colour": "red", "sort": "due"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert downloaded_name(response).endswith(".csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [zh(h) for h in HEADERS]
    # The liaison's unit: items due 5..1 days ago, the 4th signed off, so 4 red ones.
    assert [r[2] for r in rows[1:]] == [f"市科学技术局问题{n}" for n in (1, 2, 3, 5)]
    assert rows[1][5] == (timezone.localdate() - datetime.timedelta(days=5)).isoformat()
    assert all(r[1] == "市科学技术局" for r in rows[1:])


def test_csv_guards_against_formula_injection(client, ledger_world):
    m.RectificationItem.objects.filter(number=1, inspection=ledger_world.inspection).update(
        measure="=1+1"
    )
    client.force_login(ledger_world.office)
    response = client.get(reverse("ledger_csv"), {"unit": ledger_world.unit.pk, "sort": "due"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][3] == "'=1+1"


def test_export_links_carry_the_filters(client, ledger_world):
    html = ledger(client, ledger_world.office, colour="red", page=1).content.decode()
    assert f'formaction="{reverse("ledger_xlsx")}"' in html
    assert f'formaction="{reverse("ledger_csv")}"' in html
    assert '<input type="hidden" name="colour" value="red">' in html
    assert 'name="page"' not in html.split('class="ledger-bar__export"')[1].split("</form>")[0]


# Constant queries -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["ledger", "ledger_xlsx", "ledger_csv"])
def test_the_ledger_costs_the_same_queries_for_10_items_as_for_500(
    client, world, name, django_assert_max_num_queries
):
    put(world.inspection, m.InspectionState.RECTIFYING)
    make_items(world.inspection, 10)
    client.force_login(world.office)
    query = {"sort": "colour", "round": world.round.pk}
    client.get(reverse(name), query)  # warm the caches (content types, session)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ten:
        assert client.get(reverse(name), query).status_code == 200
    make_items(world.inspection, 490, start=11)
    with django_assert_max_num_queries(len(ten)):
        response = client.get(reverse(name), query)
    assert response.status_code == 200
    if name == "ledger":
        assert response.context["page"].paginator.count == 500


def test_the_ledgers_colour_is_the_engines_colour_for_every_policy(client, world):
    from workflows.deadlines import colour_at

    put(world.inspection, m.InspectionState.RECTIFYING)
    DeadlinePolicy.objects.filter(key="immediate_item").update(yellow_days=3)
    items = make_items(world.inspection, 20)
    Deadline.objects.filter(object_id__in=[i.pk for i in items[::2]]).update(
        policy=DeadlinePolicy.objects.get(key="immediate_item")
    )
    response = ledger(client, world.office, sort="due")
    shown = {row.pk: row.colour for row in response.context["rows"]}
    now = timezone.now()
    expected = {
        d.object_id: colour_at(d, d.policy, now)
        for d in Deadline.objects.select_related("policy").filter(kind="item")
    }
    assert shown == expected
    assert set(expected.values()) == {"red", "yellow", "green"}
