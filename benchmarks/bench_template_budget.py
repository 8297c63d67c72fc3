"""What the template budgets cost: a reply rendered in the bot's process (shipped templates) against one rendered in
the budgeted worker process (an admin override), the worker's start-up, a backlog run, and `templates check` with
and without a hanging partial. Run on demand:

    .venv/bin/python benchmarks/bench_template_budget.py [RENDERS]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from mailbot.config import Settings, settings_from_mapping
from mailbot.replies.catalog import sample_contexts
from mailbot.replies.check import check_templates
from mailbot.replies.templates import RenderBudget, Templates
from mailbot.replies.worker import RenderWorker, worker_for

LOOPS = "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}"


def per_render(templates: Templates, renders: int, *, steady: bool) -> list[float]:
    context = sample_contexts("acknowledgement_foi", Settings())[0]
    templates.render("acknowledgement_foi", context)  # compiled (and the worker started) before timing
    times = []
    for _ in range(renders):
        started = time.perf_counter()
        if steady:
            with templates.steady():
                templates.render("acknowledgement_foi", context)
        else:
            templates.render("acknowledgement_foi", context)
        times.append(time.perf_counter() - started)
    return times


def show(label: str, times: list[float]) -> None:
    ordered = sorted(times)
    print(f"{label:<58} median {1000 * statistics.median(ordered):6.2f} ms  "
          f"p95 {1000 * ordered[int(0.95 * (len(ordered) - 1))]:6.2f} ms")


def main() -> None:
    renders = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    with tempfile.TemporaryDirectory() as tmp:
        admin = Path(tmp) / "admin"
        (admin / "acknowledgement_foi").mkdir(parents=True)
        (admin / "acknowledgement_foi" / "text.txt").write_text(
            "Dear {{ requester_name or 'requester' }},\nRef {{ reference }}\n{% include '_partials/signature.txt' %}\n")
        show("shipped templates, in the bot's process", per_render(Templates(None), renders, steady=False))
        show("shipped templates, in the bot's process (steady)", per_render(Templates(None), renders, steady=True))
        show("admin override, budgeted worker (each file checked)", per_render(Templates(admin), renders, steady=False))
        show("admin override, budgeted worker (in a run: steady)", per_render(Templates(admin), renders, steady=True))

        starts = []
        for _ in range(5):
            worker = RenderWorker(RenderBudget().memory_mb)
            started = time.perf_counter()
            worker._ensure()
            starts.append(time.perf_counter() - started)
            worker.close()
        show("worker start-up (first render, and after one over budget)", starts)

        settings = settings_from_mapping({"templates": {"dir": str(admin)}})
        for label, hang in (("templates check, one override", False), ("templates check, a hanging partial", True)):
            if hang:
                (admin / "_partials").mkdir(exist_ok=True)
                (admin / "_partials" / "signature.txt").write_text(f"Yours,\n{LOOPS}\n")
            started = time.perf_counter()
            report = check_templates(settings, admin)
            print(f"{label:<58} {time.perf_counter() - started:6.2f} s  ({report.renders} renders, "
                  f"{len(report.problems)} problems, {worker_for(RenderBudget()).started} worker starts so far)")


if __name__ == "__main__":
    main()
