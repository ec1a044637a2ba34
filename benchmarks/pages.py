"""Q1 and Q2: SQL queries and server time of the round dashboard, the ledger and the inspection page."""

from __future__ import annotations

import statistics
import time
import traceback

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

REPETITIONS = 5


def _subjects() -> dict:
    """The biggest round and the rectifying inspection with the most items: the heavy pages."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT round_id FROM inspections_inspection GROUP BY round_id"
            " ORDER BY count(*) DESC, round_id LIMIT 1"
        )
        round_id = cursor.fetchone()[0]
        cursor.execute(
            "SELECT n.id FROM inspections_inspection n"
            " JOIN inspections_rectificationitem i ON i.inspection_id = n.id"
            " WHERE n.state = 'rectifying' GROUP BY n.id ORDER BY count(*) DESC, n.id LIMIT 1"
        )
        inspection_id = cursor.fetchone()[0]
    return {"round": round_id, "inspection": inspection_id}


def _urls(subjects: dict) -> dict[str, str | Exception | None]:
    """Each page's address; None while the page is not built yet (its name does not resolve),
    or the error when the URL configuration itself cannot reverse (someone is mid-change)."""
    wanted = {
        "round_dashboard": lambda: reverse("round_dashboard", kwargs={"pk": subjects["round"]}),
        "ledger": lambda: f"{reverse('ledger')}?round={subjects['round']}",
        "inspection_detail": lambda: reverse(
            "inspection_detail", kwargs={"pk": subjects["inspection"]}
        ),
    }
    urls: dict[str, str | Exception | None] = {}
    for name, build in wanted.items():
        try:
            urls[name] = build()
        except NoReverseMatch:
            urls[name] = None
        except Exception as error:
            urls[name] = error
    return urls


def _client() -> Client:
    """Signed in as a member of the leading group, who sees every round."""
    from inspections.models import LeadingGroupMember

    client = Client()
    client.force_login(LeadingGroupMember.objects.select_related("user").first().user)
    return client


def measure_pages(*, timed: bool, repetitions: int = REPETITIONS) -> dict:
    """Query count of a warm request to each page; with `timed`, the median of its server time."""
    subjects = _subjects()
    client = _client()
    results: dict[str, dict] = {}
    for name, url in _urls(subjects).items():
        if url is None:
            results[name] = {"status": "not built"}
            continue
        if isinstance(url, Exception):
            results[name] = {"status": "error", "error": f"reverse: {type(url).__name__}: {url}"}
            continue
        try:
            client.get(url)  # warm-up: templates compiled, caches filled
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            result = {"url": url, "status": response.status_code, "queries": len(captured)}
            if timed:
                runs = []
                for _ in range(repetitions):
                    started = time.perf_counter()
                    client.get(url)
                    runs.append(time.perf_counter() - started)
                result["median_ms"] = round(statistics.median(runs) * 1000, 1)
                result["runs_ms"] = [round(r * 1000, 1) for r in runs]
        except Exception as error:  # a page under construction must not stop the run
            result = {
                "url": url,
                "status": "error",
                "error": f"{type(error).__name__}: {error}",
                "trace": traceback.format_exc(limit=3),
            }
        results[name] = result
    return {"subjects": subjects, "pages": results}
