"""Run every benchmark: ``make bench`` or ``python -m benchmarks [name...]``."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = ["bench_import", "bench_search", "bench_zim_search", "bench_startup",
              "bench_player", "bench_mentorship", "bench_hub_catalog", "bench_hub",
              "bench_hub_sync", "bench_sync_soak", "bench_dist"]


def main(argv: list[str]) -> int:
    names = argv or BENCHMARKS
    failed = 0
    for name in names:
        module = importlib.import_module(f"benchmarks.{name}")
        print(f"== {name}: {module.__doc__.strip().splitlines()[0] if module.__doc__ else ''}")
        failed += 0 if module.main() else 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
