"""The demo loads the seed's round through the real services, once."""

from collections import Counter

from django.core.management import call_command
from django.http import HttpRequest

from inspections import models as m
from workflows.models import AuditEntry


def _snapshot() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (
            m.User,
            m.Round,
            m.Unit,
            m.Team,
            m.Inspection,
            m.Finding,
            m.Lead,
            m.RectificationItem,
            AuditEntry,
        )
    }


def test_demo_loads_the_seed_round_with_inspections_across_the_states(db, capsys):
    call_command("load_demo")
    round_ = m.Round.objects.get(term__body="市委", term__number=12, number=6)
    states = Counter(round_.inspections.values_list("state", flat=True))
    assert sum(states.values()) == 19
    assert len(states) >= 8
    assert states["rectifying"] >= 2 and states["closed"] == 1
    assert round_.state == m.RoundState.MOBILIZED
    assert round_.teams.filter(state=m.TeamState.AUTHORIZED).count() == 4
    assert m.RectificationItem.objects.filter(state=m.ItemState.CLOSED).exists()
    assert m.Lead.objects.filter(state=m.LeadState.HANDED_OVER).exists()
    printed = capsys.readouterr().out
    for username in ("lingdao", "xunshiban", "zuzhang1", "lianluo04", "jiwei"):
        assert username in printed
    assert "xunshi-demo" in printed


def test_loading_the_demo_twice_changes_nothing(db, capsys):
    call_command("load_demo")
    before = _snapshot()
    call_command("load_demo")
    assert _snapshot() == before
    assert "nothing changed" in capsys.readouterr().out


def test_every_role_can_sign_in_with_the_printed_password(db, client):
    call_command("load_demo")
    for username in ("lingdao", "xunshiban", "zuzhang1", "lianluo04", "jiwei"):
        # django-axes checks every sign-in against its request, so the test client gives one.
        assert client.login(request=HttpRequest(), username=username, password="xunshi-demo"), (
            username
        )
