"""Benchmark of the report checks (报告体检, issue 17). Prints figures; asserts nothing.

    .venv/bin/python bench/bench_checks.py

A 20,000-character report built from the real community branch report (reports/seed_texts), with
planted errors of every kind and ten of last year's problems to look for; the checks run in one
process: first the one-off cost of loading jieba's dictionary (once per process), then the
wall time of run_checks over the whole report (best and median of 20 runs).

Target (issue 17): ≤ 200 ms for a 20,000-character report.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_CHARS = 20_000
RUNS = 20


def build_report():
    from reports.splitter import split_report

    seed = (ROOT / "reports" / "seed_texts" / "report-community-branch-2023.txt").read_text(encoding="utf-8")
    parts = split_report(seed).parts
    planted = "我带领党员做到二个维护，增强大局意识、政治意识、核心意识、看齐意识。全年发展党员3名。"
    sections = dict(parts)
    body = parts["performance"] + "\n" + planted
    while sum(len(text) for text in sections.values()) - len(sections["performance"]) + len(body) < TARGET_CHARS:
        body += "\n" + parts["performance"]
    sections["performance"] = body[: TARGET_CHARS - sum(len(t) for k, t in sections.items() if k != "performance")]
    return sections


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from reports.checks import CheckInput, run_checks, segment
    from reports.models import FIGURES

    started = time.perf_counter()
    segment.tokenizer()
    print(f"jieba initialization (once per process): {(time.perf_counter() - started) * 1000:.0f} ms")

    long_text = build_report()
    # The segmented sections at their maximum: problems and plans 8,000 characters each (many items).
    segmented = dict(long_text)
    segmented["problems"] = (long_text["problems"] * 60)[:8000]
    segmented["plans"] = (long_text["plans"] * 60)[:8000]
    segmented["rectification"] = long_text["rectification"]
    segmented["performance"] = long_text["performance"][: TARGET_CHARS - 16000 - len(segmented["rectification"]) - len(segmented["preamble"])]
    for name, sections in (("long 履职情况", long_text), ("long 存在问题 and 下一步打算", segmented)):
        data = CheckInput(
            sections=sections,
            figures={"new_members": 2, "theme_days": 14},
            figure_labels=FIGURES,
            rectification_required=True,
            last_year_items=[f"上年度问题{n}：党建工作方法上缺乏创新" for n in range(10)],
        )
        characters = sum(len(text) for text in sections.values())
        timings, found = [], []
        for _ in range(RUNS):
            started = time.perf_counter()
            found = run_checks(data)
            timings.append((time.perf_counter() - started) * 1000)
        kinds = sorted({f.kind for f in found})
        print(f"{name}: {characters} characters; {len(found)} findings ({', '.join(kinds)})")
        print(f"  run_checks: best {min(timings):.0f} ms, median {statistics.median(timings):.0f} ms (target 200 ms)")


if __name__ == "__main__":
    main()
