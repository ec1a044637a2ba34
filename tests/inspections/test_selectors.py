from inspections import models as m
from tests import factories as f
from inspections.selectors import term_coverage, round_get_for_user
from workflows.errors import NotFound
import pytest

def test_probe(world):
    m.Round.objects.filter(pk=world.round.pk).update(state="approved")
    try:
        world.round.refresh_from_db()
        print("refresh ok", world.round.state)
    except Exception as e:
        print("refresh fails", type(e), e)
    for pk in ["abc", None, [1], {}, 2**70, -1, "1.5", 10**20]:
        try:
            round_get_for_user(user=world.office, pk=pk)
            print(pk, "found?")
        except NotFound:
            print(repr(pk), "notfound")
        except Exception as e:
            print(repr(pk), "ERR", type(e), e)
