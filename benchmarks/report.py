"""docs/benchmarks.md from a run's results: the machine, the table of goals, and what the misses mean."""

from __future__ import annotations

PAGES = ("round_dashboard", "ledger", "inspection_detail")


def _fmt(value, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        value = f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
    elif isinstance(value, int):
        value = f"{value:,}"
    return f"{value}{unit}"


def _verdict(met: bool | None) -> str:
    return {True: "**met**", False: "**missed**", None: "not measured"}[met]


def _rows(results: dict) -> list[tuple[str, str, str, str, str]]:
    m = results["measurements"]
    sizes = results["sizes"]
    rows = []

    # S1: the same 1,000 due rows among more and more stored ones.
    s1 = m.get("S1", {})
    times = {label: v.get("median_s") for label, v in s1.items() if "median_s" in v}
    detail = ", ".join(
        f"{_fmt(s1[label].get('stored'))} stored: {_fmt(t * 1000)} ms" for label, t in times.items()
    )
    ratio = None
    if len(times) >= 2:
        values = list(times.values())
        first, last = values[0], values[-1]
        ratio = round(last / first, 2)
    rows.append(
        (
            "S1",
            f"one sweep of {sizes['due']:,} due deadlines among more stored",
            "t(largest)/t(smallest) ≤ 1.3",
            f"{detail}; ratio {_fmt(ratio)}",
            _verdict(None if ratio is None else ratio <= 1.3),
        )
    )

    s2 = next(iter(m.get("S2", {}).values()), {})
    rate = s2.get("deadlines_per_s")
    rows.append(
        (
            "S2",
            "due deadlines per second, one sweep process",
            "≥ 3,000/s",
            f"{_fmt(rate, '/s')} ({_fmt(s2.get('due'))} due among {_fmt(s2.get('stored'))} stored, "
            f"{_fmt(s2.get('messages'))} letters written)",
            _verdict(None if rate is None else rate >= 3000),
        )
    )

    t1 = next(iter(m.get("T1", {}).values()), {})
    service = t1.get("service", {}).get("per_s")
    sql = t1.get("bare_sql", {}).get("per_s")
    t_ratio = t1.get("ratio")
    rows.append(
        (
            "T1",
            "item transitions per second through the service, one process",
            "≥ 300/s and ≤ 5× bare SQL",
            f"{_fmt(service, '/s')}; bare SQL {_fmt(sql, '/s')}; ratio {_fmt(t_ratio)}×",
            _verdict(None if service is None else service >= 300 and t_ratio <= 5),
        )
    )

    q_small = next(iter(m.get("Q1", {}).values()), {}).get("pages", {})
    q_large = next(iter(m.get("Q2", {}).values()), {}).get("pages", {})
    counts, q1_met, q2_cells, q2_met = [], None, [], None
    for page in PAGES:
        small, large = q_small.get(page, {}), q_large.get(page, {})
        if small.get("status") == "not built" or large.get("status") == "not built":
            counts.append(f"{page}: not built")
            q2_cells.append(f"{page}: not built")
            continue
        a, b = small.get("queries"), large.get("queries")
        counts.append(f"{page}: {_fmt(a)} / {_fmt(b)}")
        ok = a is not None and a == b and a <= 25
        q1_met = ok if q1_met is None else q1_met and ok
        ms = large.get("median_ms")
        q2_cells.append(f"{page}: {_fmt(ms, ' ms')}")
        ok2 = ms is not None and ms <= 250
        q2_met = ok2 if q2_met is None else q2_met and ok2
    small_label, large_label = (f"{n:,}" for n in sizes["page_sizes"])
    rows.append(
        (
            "Q1",
            f"SQL queries per page at {small_label} / {large_label} items",
            "identical, each ≤ 25",
            "; ".join(counts),
            _verdict(q1_met),
        )
    )
    rows.append(
        (
            "Q2",
            f"server time per page at {large_label} items (test client, warm, median)",
            "≤ 250 ms",
            "; ".join(q2_cells),
            _verdict(q2_met),
        )
    )

    e1 = next(iter(m.get("E1", {}).values()), {})
    per_s = e1.get("per_s")
    rows.append(
        (
            "E1",
            f"e-mails per second, {e1.get('workers', 2)} Celery workers, loopback SMTP",
            "≥ 200/s, 0 lost, 0 duplicated",
            f"{_fmt(per_s, '/s')} ({_fmt(e1.get('messages'))} messages, pool {e1.get('pool')}); "
            f"lost {_fmt(e1.get('lost'))}, duplicated {_fmt(e1.get('duplicated'))}",
            _verdict(
                None
                if per_s is None
                else per_s >= 200 and e1.get("lost") == 0 and e1.get("duplicated") == 0
            ),
        )
    )

    l1 = next(iter(m.get("L1", {}).values()), {})
    rows.append(
        (
            "L1",
            "pgbench simple-update (-N), 1 client, same server",
            "reported (the floor)",
            f"{_fmt(l1.get('median_tps'))} tps" if "median_tps" in l1 else l1.get("error", "—"),
            "reported" if "median_tps" in l1 else "not measured",
        )
    )

    p1 = next(iter(m.get("P1", {}).values()), {})
    speed = p1.get("speed_up")
    reference = p1.get("reference", {})
    rows.append(
        (
            "P1",
            "S1 at the largest size, the load-every-deadline way vs our sweep",
            "ours ≥ 100× faster",
            f"reference {_fmt(reference.get('median_s'), ' s')} "
            f"({_fmt(reference.get('checked'))} live deadlines checked) vs ours "
            f"{_fmt((p1.get('ours') or {}).get('median_s'), ' s')}: {_fmt(speed)}×",
            _verdict(None if speed is None else speed >= 100),
        )
    )
    return rows


def render(results: dict) -> str:
    machine = results.get("machine", {})
    lines = [
        "# Benchmarks",
        "",
        "Measured by `make bench` (`.venv/bin/python -m benchmarks.run`); raw figures in",
        "`benchmarks/results/latest.json`. Every figure is the median of "
        f"{results['sizes']['repetitions']} runs after one warm-up. Benchmarks are not tests:",
        "nothing in `make test` depends on them. How each is measured: `benchmarks/` (one module",
        "per area; the data set from `python -m benchmarks.generate --items N --seed S`).",
        "",
        "## This run",
        "",
        f"- Started {results['started_at']}, took {results.get('total_seconds', 0) / 60:.1f} min.",
        f"- Machine: {machine.get('cores')} cores ({machine.get('cpu')}), "
        f"{machine.get('memory_gb')} GB memory.",
        f"- Python {machine.get('python')}, Django {machine.get('django')}, PostgreSQL "
        f"{machine.get('postgresql')} ({', '.join(f'{k} {v}' for k, v in machine.get('postgresql_settings', {}).items())}), "
        f"Redis {machine.get('redis')}, Celery {machine.get('celery')}, {machine.get('pgbench')}.",
        "- Load average (1, 5, 15 min) at the start of each step: "
        + "; ".join(f"{k} {v[0]}" for k, v in results.get("load_average", {}).items())
        + ".",
        "",
        "Data sets (items → deadlines stored, live):",
        "",
    ]
    for items, data in results.get("data_sets", {}).items():
        lines.append(
            f"- {int(items):,} items: {_fmt(data.get('deadlines'))} deadlines "
            f"({_fmt(data.get('live_deadlines'))} live), {_fmt(data.get('inspections'))} inspections, "
            f"{_fmt(data.get('units'))} units, {_fmt(data.get('audit_entries'))} audit rows; "
            f"generated in {_fmt(data.get('seconds'))} s"
        )
    lines += [
        "",
        "## Results",
        "",
        "| id | what | goal | measured | verdict |",
        "|---|---|---|---|---|",
    ]
    for row in _rows(results):
        lines.append("| " + " | ".join(cell.replace("|", "/") for cell in row) + " |")
    lines += ["", *NOTES, ""]
    return "\n".join(lines)


NOTES = [
    "## How to read it",
    "",
    "- **S1/S2** make a fixed sample of live deadlines due at the data set's instant, run",
    "  `workflows.sweep.sweep` (the beat task's body) once, then restore the rows and delete the",
    "  outbox rows it wrote, so every repetition does the same work. The sweep reads due rows through",
    "  the partial index on live rows by `next_action_at`, so its cost follows the rows due.",
    "- **P1** finds the same due rows the way a daily SLA job does (every live deadline read into",
    "  Python and checked), then acts on them with the same code as the sweep.",
    "- **T1** takes fresh open items of rectifying inspections through start, submit (the unit's",
    "  liaison), verify and close (the office), four transitions each, through",
    "  `inspections.services.rectification`; the bare-SQL figure writes the same rows (row lock,",
    "  update, audit row, deadline met) in one transaction per transition, on other fresh items.",
    "- **Q1/Q2** sign in as a leading-group member and ask each page with Django's test client",
    "  (the biggest round; the rectifying inspection with the most items); a page whose URL name",
    "  does not exist yet is reported as not built.",
    "- **E1** writes the sweep's own reminder letters (context read at delivery), asks the",
    "  dispatcher for them, and counts what a loopback aiosmtpd server receives by Message-ID.",
    "  Each worker keeps its SMTP connection between messages (`workflows/delivery.py`).",
    "- Figures on a shared 2-core machine vary with what else runs; the load averages above say",
    "  how busy it was.",
]
