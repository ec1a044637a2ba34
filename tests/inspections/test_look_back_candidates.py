"""The leading group's candidates for a look-back: poor grades and long-overdue items."""

import datetime

from inspections import models as m
from inspections.selectors import look_back_candidates
from tests import factories as f

TODAY = datetime.date(2026, 11, 26)


def test_units_graded_average_or_poor_are_candidates_and_good_ones_are_not(world):
    m.Inspection.objects.filter(pk=world.inspection.pk).update(grade=m.Grade.POOR)
    m.Inspection.objects.filter(pk=world.other_inspection.pk).update(grade=m.Grade.GOOD)

    candidates = look_back_candidates(world.round.term, today=TODAY)

    assert [(c.unit, c.grade, c.long_overdue_items) for c in candidates] == [
        (world.unit, m.Grade.POOR, 0)
    ]


def test_a_unit_with_an_item_overdue_for_more_than_ninety_days_is_a_candidate(world):
    long_ago = TODAY - datetime.timedelta(days=91)
    f.RectificationItemFactory(inspection=world.other_inspection, due_on=long_ago)
    f.RectificationItemFactory(
        inspection=world.other_inspection, due_on=long_ago, state=m.ItemState.CLOSED
    )
    f.RectificationItemFactory(
        inspection=world.inspection, due_on=TODAY - datetime.timedelta(days=30)
    )

    candidates = look_back_candidates(world.round.term, today=TODAY)

    assert [(c.unit, c.long_overdue_items) for c in candidates] == [(world.other_unit, 1)]


def test_cancelled_inspections_and_other_terms_are_not_candidates(world):
    m.Inspection.objects.filter(pk=world.inspection.pk).update(
        grade=m.Grade.POOR, state=m.InspectionState.CANCELLED
    )
    other_term = f.RoundFactory(term=f.TermFactory(number=11))
    f.InspectionFactory(round=other_term, unit=world.other_unit, grade=m.Grade.POOR)

    assert look_back_candidates(world.round.term, today=TODAY) == []
