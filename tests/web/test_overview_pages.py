"""Help (the state machines), password change, 403/404 pages and the navigation."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.defaults import page_not_found, permission_denied, server_error

from inspections import models as m
from tests.roles import ROLES


def zh(text) -> str:
    with translation.override("zh-hans"):
        return str(translation.gettext(text) if isinstance(text, str) else text)


# Help -------------------------------------------------------------------------------------------


def test_help_lists_the_five_machines_with_every_state_and_step(client, world):
    client.force_login(world.unit_liaison)
    response = client.get(reverse("help"))
    assert response.status_code == 200
    machines = response.context["machines"]
    assert [machine.slug for machine in machines] == [
        "round",
        "team",
        "inspection",
        "lead",
        "rectificationitem",
    ]
    inspection = machines[2]
    assert [card.state for card in inspection.states] == list(m.InspectionState.values)
    reported = next(card for card in inspection.states if card.state == "reported")
    assert {(exit.target, tuple(exit.who)) for exit in reported.exits} == {
        ("heard", (zh("Leading group"),)),
        ("withdrawn", (zh("Leading group"),)),
    }
    heard = next(card for card in inspection.states if card.state == "heard")
    (feedback,) = heard.exits
    assert feedback.label == zh("Give feedback")
    assert feedback.who == [zh("Team leader or deputy"), zh("Inspection office")]
    closed = next(card for card in inspection.states if card.state == "closed")
    assert closed.final and not closed.exits
    assert inspection.states[0].initial
    html = response.content.decode()
    assert zh("Give feedback") in html
    assert 'href="#inspection-feedback_given"' in html
    assert "stateDiagram-v2" in html  # the Mermaid text, for those who want it
    assert "<svg" not in html and "<script" not in html.split("</head>")[1]


def test_help_is_in_english_when_english_is_chosen(client, world):
    client.force_login(world.office)
    client.post(reverse("set_language"), {"language": "en", "next": reverse("help")})
    html = client.get(reverse("help")).content.decode()
    assert "Give feedback" in html and "Leading group" in html and "Sign the item off" in html


def test_help_needs_a_login(client, db):
    assert client.get(reverse("help")).status_code == 302


# Password change ----------------------------------------------------------------------------------


def test_a_user_changes_their_password(client, world):
    client.force_login(world.unit_liaison)
    page = client.get(reverse("password_change"))
    assert page.status_code == 200
    html = page.content.decode()
    for name in ("old_password", "new_password1", "new_password2"):
        assert f'<label for="id_{name}">' in html
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "pass",
            "new_password1": "a-long-new-passphrase-42",
            "new_password2": "a-long-new-passphrase-42",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("password_change_done")
    assert zh("Password changed") in client.get(reverse("password_change_done")).content.decode()
    world.unit_liaison.refresh_from_db()
    assert world.unit_liaison.check_password("a-long-new-passphrase-42")


def test_a_wrong_old_password_is_refused_on_the_page(client, world):
    client.force_login(world.unit_liaison)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "wrong",
            "new_password1": "x-long-pass-99",
            "new_password2": "x-long-pass-99",
        },
    )
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    world.unit_liaison.refresh_from_db()
    assert world.unit_liaison.check_password("pass")


def test_the_header_links_password_change(client, world):
    client.force_login(world.office)
    html = client.get(reverse("home")).content.decode()
    header = html[html.index("<header") : html.index("</header>")]
    assert f'href="{reverse("password_change")}"' in header


# 403 and 404 -----------------------------------------------------------------------------------


def test_the_404_page_offers_a_way_back_and_leaks_nothing(client, world):
    client.force_login(world.unit_liaison)
    response = client.get(reverse("inspection_detail", args=[world.other_inspection.pk]))
    assert response.status_code == 404
    html = response.content.decode()
    assert zh("Page not found") in html
    assert f'href="{reverse("home")}"' in html
    assert "市数据局" not in html


def test_the_404_page_asks_an_anonymous_visitor_to_log_in(db):
    request = RequestFactory().get("/somewhere/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = page_not_found(request, Exception())
    html = response.content.decode()
    assert response.status_code == 404
    assert f"{reverse('login')}?next=/somewhere/" in html


def test_the_403_page_names_the_refusal_and_the_way_back(client, world):
    client.force_login(world.outsider)
    response = client.get(reverse("ledger"))
    assert response.status_code == 403
    html = response.content.decode()
    assert zh("Not allowed") in html
    assert f'href="{reverse("home")}"' in html and f'href="{reverse("help")}"' in html


def test_the_403_page_shows_the_reason_it_was_given(db):
    request = RequestFactory().get("/somewhere/")
    response = permission_denied(request, PermissionDenied("Only the office may do this."))
    assert "Only the office may do this." in response.content.decode()


def test_the_500_page_says_nothing_was_half_saved_in_the_readers_language(db):
    request = RequestFactory().get("/somewhere/")
    with translation.override("zh-hans"):
        response = server_error(request)
    html = response.content.decode()
    assert response.status_code == 500
    assert zh("Something went wrong") in html and "出错了" in html
    assert 'href="/"' in html


# Navigation --------------------------------------------------------------------------------------

NAV = {
    "leading_group": {"My work", "Rounds", "Ledger", "Help"},
    "office": {"My work", "Rounds", "Ledger", "Help"},
    "team_leader": {"My work", "Rounds", "Ledger", "Help"},
    "team_deputy": {"My work", "Rounds", "Ledger", "Help"},
    "team_member": {"My work", "Rounds", "Ledger", "Help"},
    "other_team_member": {"My work", "Rounds", "Ledger", "Help"},
    "unit_liaison": {"My work", "Ledger", "Help"},
    "other_unit_liaison": {"My work", "Ledger", "Help"},
    "organ_desk": {"My work", "Help"},
    "outsider": {"My work", "Help"},
}


@pytest.mark.parametrize("who", ROLES)
def test_the_navigation_shows_what_each_role_may_open(client, world, who):
    client.force_login(getattr(world, who))
    html = client.get(reverse("help")).content.decode()
    nav = html[html.index('<nav class="site-nav"') : html.index("</nav>", html.index("site-nav"))]
    names = {"My work", "Rounds", "Ledger", "Help"}
    shown = {name for name in names if f">{zh(name)}</a>" in nav}
    assert shown == NAV[who]
    assert f'href="{reverse("help")}" aria-current="page"' in nav


def test_links_to_pages_other_areas_build_appear_only_once_they_exist(client, world):
    from django.urls import NoReverseMatch

    client.force_login(world.organ_desk)
    nav = client.get(reverse("home")).content.decode().split('<nav class="site-nav"')[1]
    nav = nav.split("</nav>")[0]
    try:
        leads_desk = reverse("leads_desk")
    except NoReverseMatch:
        assert zh("Leads desk") not in nav
    else:
        assert f'href="{leads_desk}"' in nav


def test_the_layout_loads_htmx_and_sends_the_csrf_token_with_it(client, world):
    client.force_login(world.office)
    html = client.get(reverse("home")).content.decode()
    assert 'src="/static/js/htmx.min.js" defer' in html
    assert html.index("css/app.css") < html.index("css/cases.css")
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
