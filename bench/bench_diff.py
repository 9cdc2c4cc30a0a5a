"""Benchmark of the paragraph diff (reports/diff.py). Prints figures; asserts nothing.

    .venv/bin/python bench/bench_diff.py [--runs 5]

Sections at the editor's length limits, made of characters of the real texts (reports/seed_texts):
an edited section (every 5th paragraph changed a little, two moved), and the worst case for
pairing, a section rewritten paragraph by paragraph (every old paragraph compared with every
new one). Target: under 0.2 s for a whole report's pair of versions.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from reports.diff import paragraph_diff  # noqa: E402
from reports.models import SECTION_MAX_LENGTH  # noqa: E402
from reports.seed_texts import SEED_TEXTS_DIR  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    text = "".join(path.read_text(encoding="utf-8") for path in sorted(SEED_TEXTS_DIR.glob("*.txt")))
    chars = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    rng = random.Random(20)

    def section(length, paragraph):
        return [("".join(rng.choice(chars) for _ in range(paragraph))) for _ in range(length // paragraph)]

    cases = {}
    for paragraph in (100, 250, 500):
        old = section(SECTION_MAX_LENGTH["performance"], paragraph)
        edited = [p[:10] + "修改" + p[12:] if i % 5 == 0 else p for i, p in enumerate(old)]
        edited.insert(3, edited.pop(len(edited) // 2))
        edited.append(edited.pop(1))
        cases[f"edited, {len(old)} paragraphs of {paragraph}"] = (old, edited)
        cases[f"rewritten, {len(old)} paragraphs of {paragraph}"] = (old, section(SECTION_MAX_LENGTH["performance"], paragraph))
    print(f"{'case':40} {'best s':>8} {'median s':>9} rows")
    for name, (old, new) in cases.items():
        a, b = "\n".join(old), "\n".join(new)
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            rows = paragraph_diff(a, b)
            times.append(time.perf_counter() - started)
        print(f"{name:40} {min(times):8.3f} {statistics.median(times):9.3f} {len(rows)}")


if __name__ == "__main__":
    main()
