"""In Chromium: every form that edits a record, saved unchanged, leaves the record unchanged."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from inspections import models as m
from inspections.steps import STEPS
from tests.browser.conftest import zh

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

UNIT = "市科学技术发展战略研究院"  # feedback given: its plan is being drafted

# The steps whose form shows the record as it stands (an edit form), and what they edit.
EDITED = {
    (model, step.name): tuple(step.form.base_fields)
    for model, steps in STEPS.items()
    for step in steps
    if step.initial is not None
}


def test_the_edit_forms_are_all_covered_here():
    assert set(EDITED) == {(m.RectificationItem, "update_plan_item")}


def test_a_plan_item_saved_unchanged_keeps_its_due_date_and_all_else(demo, open_session):
    inspection = m.Inspection.objects.get(unit__name=UNIT)
    assert inspection.state == m.InspectionState.FEEDBACK_GIVEN
    items = list(inspection.items.filter(is_immediate=False, state=m.ItemState.OPEN))
    assert items
    fields = EDITED[(m.RectificationItem, "update_plan_item")]
    liaison = m.User.objects.get(unit_liaison__unit__name=UNIT).username
    page = open_session(liaison).page

    for item in items:
        before = {name: getattr(item, name) for name in fields}
        page.goto(reverse("portal_inspection", args=[inspection.pk]))
        change = page.locator(f"#item-{item.pk}-update_plan_item")
        change.locator("summary").click()
        change.locator("button[type=submit]").click()

        expect(page.locator(".messages, [role=status]").first).to_contain_text(
            zh("Change the item")
        )
        item.refresh_from_db()
        assert {name: getattr(item, name) for name in fields} == before
