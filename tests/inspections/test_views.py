"""The first pages: signing in and out, the round list, the language switch, 403 and 404.

My work is the home page now; the round list lives at `round_list`."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.views.defaults import permission_denied

from inspections import models as m
from tests import factories as f

PRODUCT = "Inspection Round Workflow"


def in_language(language: str, text) -> str:
    """`text` as the page shows it in `language` (whatever the catalogue holds by then)."""
    with translation.override(language):
        return str(translation.gettext(text) if isinstance(text, str) else text)


def zh(text) -> str:
    return in_language("zh-hans", text)


def page(response) -> str:
    return response.content.decode()


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


def test_login_page_names_the_product_and_labels_its_fields(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "registration/login.html" in [t.name for t in response.templates]
    html = page(response)
    assert zh(PRODUCT) in html
    assert '<label for="id_username">' in html
    assert '<label for="id_password">' in html
    assert 'autocomplete="current-password"' in html


def test_office_logs_in_and_sees_the_round_counted_by_state(client, world):
    f.InspectionFactory(round=world.round, state=m.InspectionState.STATIONED)

    response = client.post(reverse("login"), {"username": "office", "password": "pass"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")

    response = client.get(reverse("round_list"))
    assert response.status_code == 200
    html = page(response)
    assert "十二届市委第六轮巡视" in html
    assert "十二届市委" in html
    assert zh(m.RoundState.DRAFT.label) in html
    # Non-zero states only, in the order of InspectionState, then the total.
    (row,) = response.context["rows"]
    assert [(c.state, c.count) for c in row.counts] == [("planned", 2), ("stationed", 1)]
    assert row.total == 3
    assert html.index(zh(m.InspectionState.PLANNED.label)) < html.index(
        zh(m.InspectionState.STATIONED.label)
    )
    assert 'class="count count--planned"' in html
    assert 'class="count count--notified"' not in html
    assert '<span class="count__number">3</span>' in html


def test_wrong_password_keeps_the_user_on_the_login_page(client, world):
    response = client.post(reverse("login"), {"username": "office", "password": "wrong"})
    assert response.status_code == 200
    assert response.wsgi_request.user.is_anonymous
    assert 'role="alert"' in page(response)


def test_the_mobilisation_date_is_shown(client, world):
    mobilized = f.RoundFactory(
        number=7,
        title="十二届市委第七轮巡视",
        state=m.RoundState.MOBILIZED,
        mobilized_on=datetime.date(2026, 4, 11),
    )
    client.force_login(world.office)
    html = page(client.get(reverse("round_list")))
    assert mobilized.title in html
    assert '<time datetime="2026-04-11">' in html
    assert zh(m.RoundState.MOBILIZED.label) in html


@pytest.mark.parametrize(
    "who", ["leading_group", "office", "team_leader", "team_member", "other_team_member"]
)
def test_leadership_office_and_teams_of_the_round_see_it(client, world, who):
    client.force_login(getattr(world, who))
    response = client.get(reverse("round_list"))
    assert [row.round for row in response.context["rows"]] == [world.round]
    assert str(world.round) in page(response)


@pytest.mark.parametrize("who", ["unit_liaison", "other_unit_liaison", "organ_desk", "outsider"])
def test_units_organs_and_outsiders_see_no_round(client, world, who):
    client.force_login(getattr(world, who))
    response = client.get(reverse("round_list"))
    html = page(response)
    assert response.context["rows"] == []
    assert str(world.round) not in html
    assert zh("There are no rounds for you to see.") in html


def test_a_member_of_another_rounds_team_does_not_see_this_round(client, world):
    elsewhere = f.TeamMemberFactory(team=f.TeamFactory(round=f.RoundFactory(number=8)))
    client.force_login(elsewhere.user)
    rows = client.get(reverse("round_list")).context["rows"]
    assert [row.round for row in rows] == [elsewhere.team.round]


def test_header_names_the_product_the_user_and_offers_logout_and_languages(client, world):
    client.force_login(world.team_member)
    html = page(client.get(reverse("home")))
    header = html[html.index("<header") : html.index("</header>")]
    assert zh(PRODUCT) in header
    assert "组员丙" in header
    assert f'<form method="post" action="{reverse("logout")}">' in header
    assert "csrfmiddlewaretoken" in header
    assert f'action="{reverse("set_language")}"' in header
    assert 'name="language" value="en"' in header
    assert 'name="language" value="zh-hans"' in header
    assert '<html lang="zh-hans">' in html


def test_the_language_switch_turns_the_page_into_english(client, world):
    client.force_login(world.office)
    assert '<html lang="zh-hans">' in page(client.get(reverse("round_list")))
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("round_list")}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("round_list")

    html = page(client.get(reverse("round_list")))
    assert '<html lang="en">' in html
    assert PRODUCT in html
    assert "Planned" in html
    assert re.search(r'value="en"[^>]*aria-pressed="true"', html)
    assert re.search(r'value="zh-hans"[^>]*aria-pressed="false"', html)


def test_logout_is_a_post_and_leads_back_to_login(client, world):
    client.force_login(world.office)
    assert client.get(reverse("logout")).status_code == 405

    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert client.get(reverse("home")).status_code == 302


def test_the_round_list_costs_the_same_queries_for_1_round_as_for_20(client, world):
    client.force_login(world.office)
    with CaptureQueriesContext(connection) as one_round:
        response = client.get(reverse("round_list"))
    assert len(response.context["rows"]) == 1

    states = list(m.InspectionState)
    for number in range(101, 120):
        round_ = f.RoundFactory(number=number, title=f"第{number}轮")
        for index in range(3):
            f.InspectionFactory(round=round_, state=states[(number + index) % len(states)])

    with CaptureQueriesContext(connection) as twenty_rounds:
        response = client.get(reverse("round_list"))
    assert len(response.context["rows"]) == 20
    assert "第119轮" in page(response)
    assert all(row.total == 3 for row in response.context["rows"][:-1])
    assert len(twenty_rounds) == len(one_round)
    assert len(one_round) <= 10


def test_an_unknown_address_renders_the_404_page(client, world):
    client.force_login(world.office)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert [t.name for t in response.templates][:2] == ["404.html", "base.html"]
    html = page(response)
    assert zh("Page not found") in html
    assert zh(PRODUCT) in html


def test_the_403_page_uses_the_layout(db):
    request = RequestFactory().get("/somewhere/")
    response = permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    html = page(response)
    assert zh("Not allowed") in html
    assert zh(PRODUCT) in html
    assert '<html lang="zh-hans">' in html


def test_an_english_browser_still_gets_chinese_until_english_is_chosen(client, world):
    client.force_login(world.office)
    chinese = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="zh-hans"' in chinese.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert 'lang="en"' in english.content.decode()
    assert "Inspection Round Workflow" in english.content.decode()
