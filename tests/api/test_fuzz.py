"""Schemathesis fuzzes the live API from its own schema: no 500, no answer that breaks the schema.

The real `schemathesis run` against the test server (pytest-django's live_server), signed in
as a person who holds every role (so each action's body is validated, not refused at the
door), with a bounded number of examples per operation and a fixed seed, so a failure
reproduces. It runs in `make test` on SQLite and on PostgreSQL. FUZZ_MAX_EXAMPLES raises
the bound for a longer hunt.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from inspections.models import TeamRole
from tests import factories as f
from tests.security import scenarios as sc

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "8"))
# The coverage phase (boundary values of every parameter) takes minutes: add it with
# FUZZ_PHASES=examples,coverage,fuzzing for a longer hunt.
PHASES = os.environ.get("FUZZ_PHASES", "examples,fuzzing")
SEED = os.environ.get("FUZZ_SEED", "20261126")
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


@pytest.fixture
def everyone(world):
    """One person in every role, over records of every kind (small ids hit real rows)."""
    sc.inspection_deadline(world)  # the inspection stationed, with its on-site deadline
    sc.item(world)
    sc.lead(world)
    person = f.UserFactory(username="everyone")
    f.LeadingGroupMemberFactory(user=person)
    f.OfficeMemberFactory(user=person)
    f.TeamMemberFactory(team=world.team, user=person, role=TeamRole.DEPUTY)
    f.UnitLiaisonFactory(unit=world.unit, user=person)
    f.ReceivingOrganDeskFactory(organ=world.organ, user=person)
    return person


@pytest.mark.slow
@pytest.mark.timeout(900)
# serialized_rollback, as the browser tests: a plain transactional flush re-creates the
# content types under new ids, and the browser tests' restore that runs next then collides.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_schemathesis_finds_no_server_error_and_no_answer_outside_the_schema(
    live_server, everyone, tmp_path
):
    token = Token.objects.create(user=everyone).key

    done = subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            f"{live_server.url}/api/v1/schema/?format=json",
            "--url",
            live_server.url,
            "--header",
            f"Authorization: Token {token}",
            "--checks",
            "all",
            # A valid body may still meet a record in the wrong state (409), by design.
            "--exclude-checks",
            "positive_data_acceptance",
            "--max-examples",
            str(MAX_EXAMPLES),
            "--seed",
            SEED,
            "--workers",
            "1",
            "--phases",
            PHASES,
            "--request-timeout",
            "30",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=850,
        cwd=tmp_path,  # its report folder stays out of the checkout
    )

    failures = done.stdout.split("FAILURES", 1)[-1]
    assert done.returncode == 0, failures[:20000] + done.stderr[-2000:]
    # What it tried (operations, test cases, phases), shown by `pytest -rP`.
    print(done.stdout[-4000:])
