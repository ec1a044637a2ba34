"""I1: importing a workbook of 20,000 rows (units with aliases and liaisons, inspectors).

The workbook is the test suite's own (15,000 units with two aliases and a liaison each, 5,000
people with an affiliation each), built once, untimed. Each run imports it through the service
the admin page and `import_units` call, into the data set already stored (its units are
checked against every name and alias there), then the rows it made are removed, untimed.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Max

from benchmarks.timing import repeat

UNITS = 15_000
PEOPLE = 5_000


def measure_import(*, repetitions: int) -> dict:
    from inspections.models import Unit
    from inspections.services.imports import units_import
    from tests.exchange.files import many_units, xlsx

    User = get_user_model()
    data = xlsx(many_units(UNITS, people=PEOPLE))
    last = {}

    def before() -> None:
        last["unit"] = Unit.objects.aggregate(top=Max("id"))["top"] or 0
        last["user"] = User.objects.aggregate(top=Max("id"))["top"] or 0

    def run():
        return units_import(data=data, filename="units-20000.xlsx")

    def after() -> None:
        # Cascades take the aliases, liaisons and affiliations the run made.
        Unit.objects.filter(id__gt=last["unit"]).delete()
        User.objects.filter(id__gt=last["user"]).delete()

    timing = repeat(run, before=before, after=after, repetitions=repetitions)
    counts = timing.pop("last")
    return {
        **timing,
        "rows": counts.rows,
        "units_created": counts.units_created,
        "users_created": counts.users_created,
        "workbook_bytes": len(data),
    }
