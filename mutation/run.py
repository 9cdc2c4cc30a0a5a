"""Mutation testing of the modules that decide grades, ballot scores, access and the split.

    .venv/bin/python mutation/run.py [--fail-under 95] [name ...]

Each mutation/NAME.toml is a cosmic-ray configuration: one module and the test files that
cover it. For each, in a scratch copy of the work tree (cosmic-ray rewrites the module on
disk, so the checkout you work in is never touched):

1. the unmutated tests run once; if they fail or collect nothing, the run stops here with a
   non-zero exit (every mutant would otherwise count as "killed");
2. cosmic-ray makes every mutant and runs the tests against each (sequentially, under nice),
   with a timeout of 5 × the baseline's duration (at least 30 s): a mutant that loops counts
   as killed;
3. the table module | mutants | killed | score is printed, with the diff of every survivor.

The table and the survivors are also written to test-artifacts/mutation/report.md. The exit
code is non-zero if a baseline failed, a mutant was left without a result, or a score is
below --fail-under.
"""

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "mutation"
# The table's order: arithmetic first, then the split, then the rules.
ORDER = [
    "computation",
    "ballot_computation",
    "splitter",
    "branches_permissions",
    "reports_permissions",
    "reviews_permissions",
]
COSMIC_RAY = ROOT / ".venv" / "bin" / "cosmic-ray"


def scratch_copy(target):
    """Copy the work tree's files (tracked, and untracked but not ignored) into `target`."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, check=True, capture_output=True,
    ).stdout.decode().split("\0")
    for name in filter(None, listing):
        source = ROOT / name
        if not source.is_file():  # deleted in the work tree but still in the index
            continue
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination)
    (target / ".venv").symlink_to((ROOT / ".venv").resolve())


def environment():
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)  # SQLite, as `make test` starts with
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # a mutant must never be served from a stale .pyc
    return env


def baseline(name, config, workdir, env):
    """Run the unmutated tests; return their duration. Exits the program if they fail."""
    started = time.monotonic()
    run = subprocess.run(shlex.split(config["test-command"]), cwd=workdir, env=env, capture_output=True, text=True)
    took = time.monotonic() - started
    if run.returncode != 0:
        print(run.stdout[-4000:], run.stderr[-4000:], sep="\n", file=sys.stderr)
        sys.exit(f"mutation: the baseline of {name} failed (pytest exit {run.returncode}) — fix the tests first.")
    return took


def mutate(name, workdir, env, timeout):
    """Run cosmic-ray for one configuration; return (mutants, killed, incompetent, survivors, pending)."""
    import toml  # cosmic-ray's own dependency, to write the configuration it reads
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import TestOutcome

    settings = tomllib.loads((HERE / f"{name}.toml").read_text(encoding="utf-8"))
    settings["cosmic-ray"]["timeout"] = float(round(timeout))
    config = workdir / "mutation" / f"{name}.run.toml"
    config.write_text(toml.dumps(settings), encoding="utf-8")
    session = workdir / "mutation" / f"{name}.sqlite"
    for command in ("init", "exec"):
        subprocess.run([str(COSMIC_RAY), command, str(config), str(session)], cwd=workdir, env=env, check=True)
    with use_db(str(session), WorkDB.Mode.open) as db:
        mutants = db.num_work_items
        results = list(db.results)
        survivors = []
        for job_id, result in results:
            if not result.is_killed:
                item = next(item for item in db.work_items if item.job_id == job_id)
                survivors.append((item, result))
        killed = sum(1 for _, result in results if result.is_killed)
        incompetent = sum(1 for _, result in results if result.test_outcome == TestOutcome.INCOMPETENT)
    return mutants, killed, incompetent, survivors, mutants - len(results)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help=f"configurations to run (default: all of {', '.join(ORDER)})")
    parser.add_argument("--fail-under", type=float, default=0, help="exit 1 if a score is below this percentage")
    args = parser.parse_args()
    names = args.names or ORDER
    unknown = [name for name in names if not (HERE / f"{name}.toml").is_file()]
    if unknown:
        sys.exit(f"mutation: no configuration mutation/{unknown[0]}.toml")
    if not COSMIC_RAY.exists():
        sys.exit("mutation: cosmic-ray is not installed (make mutation installs requirements-mutation.txt)")

    env = environment()
    rows, details, status = [], [], 0
    with tempfile.TemporaryDirectory(prefix="shuping-mutation-") as scratch:
        workdir = Path(scratch)
        scratch_copy(workdir)
        for name in names:
            config = tomllib.loads((HERE / f"{name}.toml").read_text(encoding="utf-8"))["cosmic-ray"]
            module = config["module-path"]
            took = baseline(name, config, workdir, env)
            timeout = max(30.0, 5 * took)
            print(f"mutation: {module}: baseline passed in {took:.1f} s; mutating (timeout {timeout:.0f} s per mutant)", flush=True)
            started = time.monotonic()
            mutants, killed, incompetent, survivors, pending = mutate(name, workdir, env, timeout)
            score = 100 * killed / mutants if mutants else 100.0
            rows.append((module, mutants, killed, score))
            print(f"mutation: {module}: {killed}/{mutants} killed ({incompetent} of them incompetent) in {time.monotonic() - started:.0f} s", flush=True)
            if pending:
                status = 1
                details.append(f"{module}: {pending} mutants without a result")
            if score < args.fail_under:
                status = 1
            for item, result in survivors:
                mutation = item.mutations[0]
                details.append(
                    f"### survived: {module}:{mutation.start_pos[0]} {mutation.operator_name} #{mutation.occurrence}\n"
                    f"```diff\n{result.diff.strip()}\n```"
                )

    table = ["| module | mutants | killed | score |", "|---|---|---|---|"]
    table += [f"| {module} | {mutants} | {killed} | {score:.1f}% |" for module, mutants, killed, score in rows]
    report = "\n".join(table) + ("\n\n" + "\n\n".join(details) if details else "") + "\n"
    artifacts = ROOT / "test-artifacts" / "mutation"
    artifacts.mkdir(parents=True, exist_ok=True)
    (artifacts / "report.md").write_text(report, encoding="utf-8")
    print()
    print(report)
    if args.fail_under and any(score < args.fail_under for *_, score in rows):
        print(f"mutation: a score is below {args.fail_under:g}%", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
