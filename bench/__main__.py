"""Run every benchmark in turn: `python -m bench [name ...]`.

Each bench/<name>_bench.py module offers `main()`. With names on the command
line (`python -m bench crypto audit`) only those run; otherwise all of them run,
in alphabetical order, so that one command reproduces every figure in
bench/RESULTS.md.
"""

import argparse
import importlib
import sys
import time
from pathlib import Path

SUFFIX = "_bench"


def available() -> list[str]:
    """The names of the benchmarks found beside this file, without the suffix."""
    here = Path(__file__).resolve().parent
    return sorted(p.stem.removesuffix(SUFFIX) for p in here.glob(f"*{SUFFIX}.py"))


def run(name: str) -> None:
    module_name = f"bench.{name}{SUFFIX}"
    module = importlib.import_module(module_name)
    print(f"\n=== {module_name} ===", flush=True)
    started = time.perf_counter()
    # Each benchmark parses its own command line; it gets a clean one here so
    # that the runner's arguments are not mistaken for its options.
    saved_argv = sys.argv
    sys.argv = [module_name]
    try:
        module.main()
    finally:
        sys.argv = saved_argv
    print(f"=== {module_name} took {time.perf_counter() - started:.1f} s", flush=True)


def main(argv: list[str] | None = None) -> int:
    names = available()
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="Run the platform's benchmarks."
    )
    parser.add_argument(
        "names",
        nargs="*",
        metavar="name",
        help=f"benchmarks to run (default: all of {', '.join(names) or 'none'})",
    )
    parser.add_argument(
        "--list", action="store_true", help="list the benchmarks and exit"
    )
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(names))
        return 0
    unknown = [n for n in args.names if n not in names]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    for name in args.names or names:
        run(name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
