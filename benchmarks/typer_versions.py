"""What a typer release costs a small split: the evidence behind pyproject's cap on typer.

Makes one virtual environment per typer version (uv if it is on PATH, else venv + pip),
installs this tree's certconv into each, then runs ``certconv split samples/bundle.pfx``
in every environment in turn, round after round (interleaved, so a change in the
machine's load hits all of them alike), and prints the median wall and CPU time of
each, with its ratio to the first version named::

    python benchmarks/typer_versions.py 0.28.0 0.29.3 --rounds 21

The result and the machine go into docs/performance.md ("typer's cap").
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "bundle.pfx"
PASSWORD = ROOT / "samples" / "password.txt"


def make_env(folder: Path, typer: str) -> Path:
    python = folder / "bin" / "python"
    if shutil.which("uv"):
        subprocess.run(["uv", "venv", "-q", "-p", sys.executable, str(folder)], check=True)
        install = ["uv", "pip", "install", "-q", "-p", str(python)]
    else:
        subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
        install = [str(python), "-m", "pip", "install", "-q"]
    # certconv without its pins (pyproject may cap typer below the version measured), then
    # its other dependencies at their newest, and the typer asked for.
    subprocess.run([*install, "--no-deps", str(ROOT)], check=True)
    subprocess.run([*install, "cryptography", "pyOpenSSL", f"typer=={typer}"], check=True)
    return folder / "bin" / "certconv"


def run_once(command: Path, out: Path) -> tuple[float, float]:
    """Wall and CPU seconds (user + system of the child) of one split into a new folder."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [str(command), "split", str(SAMPLE), "--password-file", str(PASSWORD), "--out", str(out), "-q"],
        check=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("versions", nargs="+", help="typer versions; the first is the reference")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="typer-bench-") as scratch:
        base = Path(scratch)
        commands = {v: make_env(base / f"venv-{v}", v) for v in args.versions}
        for command in commands.values():  # the first run of each compiles its bytecode
            run_once(command, base / "warm" / command.parent.parent.name)
        times: dict[str, list[tuple[float, float]]] = {v: [] for v in commands}
        for round_ in range(args.rounds):
            for version, command in commands.items():
                times[version].append(run_once(command, base / f"out-{version}-{round_}"))
    reference = args.versions[0]
    ref_wall = statistics.median(w for w, _ in times[reference])
    ref_cpu = statistics.median(c for _, c in times[reference])
    print(f"| typer | split wall (median of {args.rounds}) | ÷ {reference} | CPU | ÷ {reference} |")
    print("|---|---:|---:|---:|---:|")
    for version, runs in times.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        print(f"| {version} | {wall * 1000:.0f} ms | {wall / ref_wall:.2f}× | {cpu * 1000:.0f} ms | {cpu / ref_cpu:.2f}× |")
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}; Python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
