"""Run every benchmark and write benchmarks/results.md.

    python -m benchmarks [--quick]

Needs PostgreSQL (BENCH_PG_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/postgres;
each benchmark creates and drops its own database). --quick shrinks the runs for a smoke test.
"""

from __future__ import annotations

import subprocess
import sys

from benchmarks.common import RESULTS, ROOT, fresh_database, machine


def main() -> int:
    quick = "--quick" in sys.argv[1:]
    RESULTS.write_text(
        "# Benchmark results\n\nWritten by `python -m benchmarks`"
        + (" --quick (reduced sizes)" if quick else "")
        + f". Machine: {machine()}.\n"
    )
    fanout_db = fresh_database("coachbot_bench_fanout")
    runs = [
        ["-m", "benchmarks.ack_latency", *(["--requests", "100"] if quick else [])],
        ["-m", "benchmarks.fanout", fanout_db, *(["--skip-baseline", "--skip-large"] if quick else [])],
        ["-m", "benchmarks.fanout", *(["--skip-baseline", "--skip-large"] if quick else ["--skip-baseline"])],
        ["-m", "benchmarks.rotation", *(["--quotes", "5000", "--history", "500", "--picks", "200"] if quick else [])],
        ["-m", "benchmarks.coach_rep", *(["--notes", "2000", "--others", "4000", "--cards", "100"] if quick else [])],
        ["-m", "benchmarks.prep_brief", *(["--notes", "2000", "--others", "4000", "--briefs", "100"] if quick else [])],
        ["-m", "benchmarks.digest", *(["--managers", "40", "--runs", "5"] if quick else [])],
        ["-m", "benchmarks.memory", *(["--settle", "2"] if quick else [])],
        ["-m", "benchmarks.healthz_load", *(["--checks", "600", "--seconds", "2"] if quick else [])],
    ]
    failed = 0
    for args in runs:
        print(f"\n$ python {' '.join(args)}", flush=True)
        failed += subprocess.run([sys.executable, *args], cwd=ROOT).returncode != 0
    print(f"\nwrote {RESULTS.relative_to(ROOT)}" + (f"; {failed} benchmark(s) reported a failure" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
