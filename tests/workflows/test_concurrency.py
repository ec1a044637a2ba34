import pytest
from inspections.models import Inspection, InspectionState

def test_refresh(world):
    Inspection.objects.filter(pk=world.inspection.pk).update(state=InspectionState.NOTIFIED)
    world.refresh()
    assert world.inspection.state == "notified"
