"""Where ``certconv.split`` spends its time, in one process: phases, then a cProfile listing.

Usage: python benchmarks/profile_split.py INPUT [PASSWORD_FILE] [--top N] [--sort cumulative] [--no-profile]

Phases are timed without the profiler (read → chain → write, as ``split`` runs
them); then the whole split runs again under cProfile and the functions with
the most time of their own are listed.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import shutil
import tempfile
import time
from pathlib import Path

import certconv
from certconv.bundle._chain import build_bundle
from certconv.output._write import write_split
from certconv.readers._read import read_file, read_source


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input", type=Path)
    parser.add_argument("password_file", type=Path, nargs="?")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="tottime", help="pstats order: tottime (default), cumulative, ...")
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--gc", action="store_true", help="keep the cyclic GC on (the certconv command turns it off)")
    args = parser.parse_args()
    if not args.gc:
        gc.disable()
    password = args.password_file.read_bytes().splitlines()[0] if args.password_file else None
    scratch = Path(tempfile.mkdtemp(prefix="certconv-profile-"))
    try:
        start = time.perf_counter()
        source = read_file(args.input)
        result = read_source(source, password=password)
        read = time.perf_counter()
        bundle = build_bundle([result])
        built = time.perf_counter()
        write_split(bundle, scratch / "phases")
        written = time.perf_counter()
        print(
            f"{len(bundle.certificates):,} certificates: read {read - start:.3f} s, chain {built - read:.3f} s, "
            f"write {written - built:.3f} s, total {written - start:.3f} s"
        )
        if args.no_profile:
            return
        profiler = cProfile.Profile()
        profiler.enable()
        certconv.split(args.input, scratch / "profiled", password=password)
        profiler.disable()
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)
    finally:
        shutil.rmtree(scratch)


if __name__ == "__main__":
    main()
