"""certconv benchmarks: floor vs certconv CLI vs the OpenSSL CLI pipeline, paired runs.

Run from the repository root, in the project's virtual environment with the
``bench`` extra installed (``pip install -e '.[bench]'`` brings ``certifi``)::

    python benchmarks/run.py            # everything but OpenSSL on 10,000 (--openssl-10k 1 adds it)
    python benchmarks/run.py --quick    # fewer rounds

For each input the three programs run in turn, A B C A B C …, each in a fresh
process writing into a fresh folder. The table shows medians of wall time and of
peak memory (max RSS of the process tree, from ``wait4``), and the median of the
ratios taken round by round, so noise from other work on the machine hits both
sides of a ratio alike. Generated bundles are cached (see make_bundles.py).
Prints Markdown (the tables of docs/performance.md) and saves the raw
numbers as JSON next to the cached bundles.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from make_bundles import default_cache, write_bundles, write_one_ca, write_pfx_folder  # noqa: E402

SAMPLE_PFX = ROOT / "samples" / "bundle.pfx"
SAMPLE_PASSWORD = ROOT / "samples" / "password.txt"
TOOLS = ["floor", "certconv", "openssl"]  # "baseline" joins with --baseline-tree


@dataclass
class Case:
    name: str
    input: Path
    password_file: Path | None
    rounds: int
    openssl_rounds: int
    times: dict[str, list[float]] = field(default_factory=dict)
    cpu: dict[str, list[float]] = field(default_factory=dict)
    rss_kb: dict[str, list[int]] = field(default_factory=dict)
    certificates: int = 0
    extra: tuple[str, ...] = ()
    """More tools for this input: ``verified`` (the verified floor), ``inspect`` and ``verify`` (certconv's)."""
    only: tuple[str, ...] | None = None
    """The tools of :data:`TOOLS` run on this input (default: all)."""

    def tools(self) -> list[str]:
        return [t for t in TOOLS if self.only is None or t in self.only] + list(self.extra)


@dataclass
class Run:
    seconds: float
    cpu_seconds: float
    max_rss_kb: int


def certconv_command() -> list[str]:
    script = Path(sys.executable).with_name("certconv")
    if script.exists():
        return [str(script)]
    found = shutil.which("certconv")
    if found is None:
        sys.exit("certconv is not installed in this environment (pip install -e '.[bench]')")
    return [found]


ENV = dict(os.environ)
# An installed package has its bytecode compiled; a checkout run with this set would
# compile certconv from source on every start (about 30 ms here), which no user pays.
ENV.pop("PYTHONDONTWRITEBYTECODE", None)


BASELINE_ENV = dict(ENV)
BASELINE_PYTHON = sys.executable
_BASELINE_MAIN = "import sys; sys.argv[0] = 'certconv'; from certconv.cli import main; sys.exit(main())"


def use_baseline(tree: Path, python: str) -> None:
    """Also run the certconv of ``tree`` under ``python`` ("baseline"), interleaved with the others."""
    global BASELINE_PYTHON
    if not (tree / "certconv" / "__init__.py").is_file():
        sys.exit(f"{tree} has no certconv/__init__.py")
    BASELINE_ENV["PYTHONPATH"] = str(tree.resolve())
    BASELINE_PYTHON = python
    TOOLS.insert(2, "baseline")


def use_tree(tree: Path) -> None:
    """Benchmark the certconv package in ``tree`` (a checkout or an exported commit) instead of the installed one."""
    if not (tree / "certconv" / "__init__.py").is_file():
        sys.exit(f"{tree} has no certconv/__init__.py")
    ENV["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tree.resolve()), ENV.get("PYTHONPATH")]))


def timed(argv: Sequence[str], env: dict[str, str] = ENV, *, discard: bool = False) -> Run:
    """Run ``argv``; wall time and the peak RSS of it and its waited-for children.

    ``discard``: its standard output goes to the null device (a report of 20,000
    certificates would fill the pipe, which is read only after the process ends).
    """
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL if discard else subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=tempfile.gettempdir(),  # not the checkout: `python -c` puts the working folder first on sys.path
    )
    # wait4 (not communicate) gives the child's rusage; the tools print nothing on success.
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    out = proc.stdout.read() if proc.stdout else b""
    err = proc.stderr.read() if proc.stderr else b""
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(argv)}\n{out.decode()}{err.decode()}")
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)


def compile_certconv(python: str = sys.executable, env: dict[str, str] = ENV) -> str:
    """Byte-compile the certconv being measured (as pip does on install); return its folder."""
    folder = subprocess.run(
        [python, "-c", "import certconv, os; print(os.path.dirname(certconv.__file__))"],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=tempfile.gettempdir(),
    ).stdout.strip()
    subprocess.run([python, "-m", "compileall", "-q", folder], check=True, env=env)
    return folder


def command(tool: str, case: Case, out: Path) -> list[str]:
    pw = [str(case.password_file)] if case.password_file else []
    if tool == "floor":
        return [sys.executable, str(HERE / "floor.py"), str(case.input), str(out), *pw]
    if tool == "verified":
        return [sys.executable, str(HERE / "floor_verified.py"), str(case.input), str(out), *pw]
    if tool in ("inspect", "verify"):  # verify: every end-entity chain against the input's own roots
        return [*certconv_command(), tool, str(case.input), *(["--password-file", *pw] if pw else [])]
    if tool == "openssl":
        return ["bash", str(HERE / "openssl_pipeline.sh"), str(case.input), str(out), *pw]
    pw_opt = ["--password-file", str(case.password_file)] if case.password_file else []
    if tool == "baseline":
        return [BASELINE_PYTHON, "-c", _BASELINE_MAIN, "split", str(case.input), "-o", str(out), "--quiet", *pw_opt]
    return [*certconv_command(), "split", str(case.input), "-o", str(out), "--quiet", *pw_opt]


def count_certificates(tool: str, out: Path) -> int:
    return sum(1 for p in out.iterdir() if p.suffix == ".cer")


def run_case(case: Case, scratch: Path, loads: list[float]) -> None:
    tools = case.tools()
    for tool in tools:
        case.times[tool] = []
        case.cpu[tool] = []
        case.rss_kb[tool] = []
    counts: dict[str, int] = {}
    for round_no in range(case.rounds):
        for tool in tools:
            if tool == "openssl" and round_no >= case.openssl_rounds:
                continue
            out = scratch / f"{case.name}-{tool}-{round_no}"
            loads.append(os.getloadavg()[0])
            reports = tool in ("inspect", "verify")
            run = timed(command(tool, case, out), BASELINE_ENV if tool == "baseline" else ENV, discard=reports)
            if not reports:
                counts[tool] = count_certificates(tool, out)
                shutil.rmtree(out)
            case.times[tool].append(run.seconds)
            case.cpu[tool].append(run.cpu_seconds)
            case.rss_kb[tool].append(run.max_rss_kb)
        print(
            f"  {case.name} round {round_no + 1}/{case.rounds}: "
            + "  ".join(f"{t} {case.times[t][-1]:.3f}s" for t in tools if len(case.times[t]) > round_no),
            file=sys.stderr,
            flush=True,
        )
    if len(set(counts.values())) != 1:
        sys.exit(f"{case.name}: the tools wrote different numbers of certificates: {counts}")
    case.certificates = counts.get("floor") or counts["certconv"]


def paired(a: list[float], b: list[float]) -> float:
    """Median of a[i] / b[i] over the rounds both ran."""
    return statistics.median(x / y for x, y in zip(a, b, strict=False))


STARTUP_CPU: dict[str, list[float]] = {}
"""CPU seconds of each start-up command, filled by :func:`run_startup` (less sensitive to the load than wall time)."""


def run_startup(rounds: int, loads: list[float]) -> dict[str, list[float]]:
    """``certconv --help`` next to a bare interpreter, one that imports typer only, and the imports a split needs."""
    argvs = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "python -c 'import typer'": [sys.executable, "-c", "import typer"],
        "python -c 'import cryptography.x509'": [sys.executable, "-c", "import cryptography.x509"],
        "python -c 'import certconv'": [sys.executable, "-c", "import certconv"],
        "python -c 'import certconv.cli'": [sys.executable, "-c", "import certconv.cli"],
        "certconv --help": [*certconv_command(), "--help"],
    }
    if "baseline" in TOOLS:
        argvs["certconv --help (baseline)"] = [BASELINE_PYTHON, "-c", _BASELINE_MAIN, "--help"]
    if "baseline" in TOOLS:
        argvs["python -c 'import certconv.cli' (baseline)"] = [BASELINE_PYTHON, "-c", "import certconv.cli"]
    times: dict[str, list[float]] = {k: [] for k in argvs}
    STARTUP_CPU.update({k: [] for k in argvs})
    for _ in range(rounds):
        for label, argv in argvs.items():
            loads.append(os.getloadavg()[0])
            run = timed(argv, BASELINE_ENV if "baseline" in label else ENV)
            times[label].append(run.seconds)
            STARTUP_CPU[label].append(run.cpu_seconds)
    return times


def run_library(rounds: int, python: str = sys.executable, env: dict[str, str] = ENV) -> dict[str, float]:
    out = subprocess.run(
        [python, str(HERE / "library.py"), str(SAMPLE_PFX), str(SAMPLE_PASSWORD), str(rounds)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=tempfile.gettempdir(),
    ).stdout
    result: dict[str, float] = json.loads(out)
    return result


def versions() -> dict[str, str]:
    import cryptography

    openssl = subprocess.run(["openssl", "version"], capture_output=True, text=True).stdout.strip()
    try:
        import certifi

        certifi_version = certifi.__version__
    except ImportError:
        certifi_version = "-"
    from importlib.metadata import version

    return {
        "python": platform.python_version(),
        "cryptography": cryptography.__version__,
        "typer": version("typer"),
        "openssl (CLI)": openssl,
        "openssl (cryptography)": _backend_openssl(),
        "certifi": certifi_version,
        "cpus (nproc)": str(os.cpu_count()),
    }


def _backend_openssl() -> str:
    from cryptography.hazmat.backends.openssl.backend import backend

    return str(backend.openssl_version_text())


def markdown(cases: list[Case], startup: dict[str, list[float]], library: dict[str, float], loads: list[float]) -> str:
    base = "baseline" in TOOLS
    lines = [
        "| input | certs | floor | certconv | OpenSSL pipeline | certconv ÷ floor | certconv ÷ floor, CPU "
        "| OpenSSL ÷ certconv (CPU) | rounds (OpenSSL) | max RSS floor / certconv |"
        + (" baseline | baseline ÷ floor | certconv ÷ baseline | baseline max RSS |" if base else ""),
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|" + ("---:|---:|---:|---:|" if base else ""),
    ]
    for c in cases:
        med = {t: statistics.median(c.times[t]) for t in TOOLS if c.times.get(t)}
        rss = {t: statistics.median(c.rss_kb[t]) / 1024 for t in TOOLS if c.rss_kb.get(t)}
        openssl = f"{med['openssl']:.3f} s" if "openssl" in med else "not run"
        vs_openssl = (
            f"{paired(c.times['openssl'], c.times['certconv']):.1f}× "
            f"({paired(c.cpu['openssl'], c.cpu['certconv']):.1f}×)"
            if "openssl" in med
            else "-"
        )
        row = (
            f"| {c.name} | {c.certificates:,} | {med['floor']:.3f} s | {med['certconv']:.3f} s | {openssl} "
            f"| **{paired(c.times['certconv'], c.times['floor']):.2f}×** "
            f"| {paired(c.cpu['certconv'], c.cpu['floor']):.2f}× | {vs_openssl} "
            f"| {c.rounds} ({len(c.times.get('openssl', []))}) | {rss['floor']:.0f} / {rss['certconv']:.0f} MiB "
            f"({rss['certconv'] / rss['floor']:.2f}×) |"
        )
        if base and "baseline" in med:
            row += (
                f" {med['baseline']:.3f} s | {paired(c.times['baseline'], c.times['floor']):.2f}× "
                f"| {paired(c.times['certconv'], c.times['baseline']):.2f}× | {rss['baseline']:.0f} MiB |"
            )
        lines.append(row)
    verified = [c for c in cases if c.times.get("verified")]
    if verified:
        lines += [
            "",
            "| input | certs | verified floor | certconv split | ÷ verified floor (wall) | ÷ verified floor (CPU) "
            "| max RSS verified floor / certconv | certconv inspect | certconv verify |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for c in verified:
            med = {t: statistics.median(v) for t, v in c.times.items() if v}
            rss = {t: statistics.median(v) / 1024 for t, v in c.rss_kb.items() if v}
            cpu = {t: statistics.median(v) for t, v in c.cpu.items() if v}
            extra = [
                f"{med[t]:.2f} s ({cpu[t]:.2f} s CPU, {rss[t]:.0f} MiB)" if t in med else "-"
                for t in ("inspect", "verify")
            ]
            lines.append(
                f"| {c.name} | {c.certificates:,} | {med['verified']:.3f} s | {med['certconv']:.3f} s "
                f"| **{paired(c.times['certconv'], c.times['verified']):.2f}×** "
                f"| {paired(c.cpu['certconv'], c.cpu['verified']):.2f}× "
                f"| {rss['verified']:.0f} / {rss['certconv']:.0f} MiB (**{rss['certconv'] / rss['verified']:.2f}×**) "
                f"| {extra[0]} | {extra[1]} |"
            )
    by_name = {c.name: c for c in cases}
    if "1,000 generated" in by_name and "10,000 generated" in by_name:
        big, small = by_name["10,000 generated"], by_name["1,000 generated"]
        lines += [
            "",
            "Growth from 1,000 to 10,000 certificates (median of 10,000 ÷ median of 1,000, wall / CPU): "
            + ", ".join(
                f"{t} {statistics.median(big.times[t]) / statistics.median(small.times[t]):.1f}× / "
                f"{statistics.median(big.cpu[t]) / statistics.median(small.cpu[t]):.1f}×"
                for t in TOOLS
                if t != "openssl"
            )
            + ".",
        ]
    if startup:
        lines += ["", "| start-up | median wall | ÷ python -c pass | best CPU |", "|---|---:|---:|---:|"]
        base = startup["python -c pass"]
        for label, times in startup.items():
            cpu = STARTUP_CPU.get(label)
            lines.append(
                f"| `{label}` | {statistics.median(times) * 1000:.0f} ms | {paired(times, base):.2f}× "
                f"| {min(cpu) * 1000:.0f} ms |" if cpu else "| - |"
            )
    if library:
        lines += [
            "",
            f"Library alone on samples/bundle.pfx ({library['rounds']:.0f} interleaved rounds): "
            f"`pkcs12.load_pkcs12` {library['load_pkcs12_ms']:.2f} ms, `certconv.load` "
            f"{library['certconv_load_ms']:.2f} ms, ratio **{library['ratio']:.3f}×**"
            + (
                f" (baseline: {library['baseline_load_pkcs12_ms']:.2f} ms vs {library['baseline_certconv_load_ms']:.2f}"
                f" ms, ratio {library['baseline_ratio']:.3f}×)."
                if "baseline_ratio" in library
                else "."
            ),
        ]
    lines += [
        "",
        f"Machine load (1-minute load average sampled before each run): min {min(loads):.2f}, "
        f"median {statistics.median(loads):.2f}, max {max(loads):.2f} on {os.cpu_count()} CPUs.",
    ]
    return "\n".join(lines)


@dataclass
class EachRun:
    """split --each over N PFX files: medians of wall time and peak RSS per N, and the OpenSSL loop."""

    seconds: dict[int, float] = field(default_factory=dict)
    rss_kb: dict[int, float] = field(default_factory=dict)
    openssl_seconds: dict[int, float] = field(default_factory=dict)


def run_each(cache: Path, counts: tuple[int, ...], rounds: int, openssl_rounds: int) -> EachRun:
    """``certconv split --each`` over N PFX files in one process, against the OpenSSL pipeline once per file.

    The OpenSSL side is what a script does today: ``benchmarks/openssl_pipeline.sh``
    for each file in turn (a fresh ``openssl`` and ``awk`` per file and certificate),
    timed on the largest N. Memory is the certconv process's peak RSS for each N:
    flat means one input at a time is all it holds.
    """
    each = EachRun()
    with tempfile.TemporaryDirectory(prefix="certconv-each-") as scratch:
        for count in counts:
            files, password = write_pfx_folder(cache, count)
            argv = [*certconv_command(), "split", "--each", *map(str, files), "-q", "--password-file", str(password)]
            times, rss = [], []
            for r in range(rounds):
                out = Path(scratch, f"certconv-{count}-{r}")
                run = timed([*argv, "-o", str(out)])
                times.append(run.seconds)
                rss.append(run.max_rss_kb)
                written = sum(1 for _ in out.glob("*/manifest.json"))
                if written != count:
                    sys.exit(f"split --each wrote {written} of {count} folders")
            each.seconds[count] = statistics.median(times)
            each.rss_kb[count] = statistics.median(rss)
            if count != max(counts):
                continue
            loops = []
            for r in range(openssl_rounds):
                total = 0.0
                for i, pfx in enumerate(files):
                    out = Path(scratch, f"openssl-{r}-{i}")
                    script = ["bash", str(HERE / "openssl_pipeline.sh"), str(pfx), str(out), str(password)]
                    total += timed(script).seconds
                loops.append(total)
            if loops:
                each.openssl_seconds[count] = statistics.median(loops)
    return each


def each_markdown(each: EachRun) -> str:
    lines = [
        "| PFX files | certconv split --each (one process) | its peak RSS | OpenSSL pipeline, once per file | ratio |",
        "|---:|---:|---:|---:|---:|",
    ]
    for n, seconds in each.seconds.items():
        openssl = each.openssl_seconds.get(n)
        ratio = f"{openssl / seconds:.1f}x" if openssl else "-"
        lines.append(
            f"| {n} | {seconds:.2f} s | {each.rss_kb[n] / 1024:.1f} MiB | "
            f"{f'{openssl:.2f} s' if openssl else '-'} | {ratio} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="certconv benchmarks (see docs/performance.md)")
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=["sample", "mozilla", "1k", "10k", "one-ca", "startup", "library", "each"],
        help="run only these parts",
    )
    parser.add_argument("--no-openssl", action="store_true", help="skip the OpenSSL pipeline (it does not change)")
    parser.add_argument(
        "--no-inspect", action="store_true", help="one-ca: skip `certconv inspect` (its text report of 20,000 is slow)"
    )
    parser.add_argument("--rounds", type=int, help="rounds per input, OpenSSL pipeline included (default: per input)")
    parser.add_argument(
        "--openssl-10k",
        type=int,
        default=0,
        metavar="ROUNDS",
        help="OpenSSL pipeline rounds on 10,000 certificates (default 0: 10,000 openssl processes take 7-17 minutes "
        "here; its cost per certificate is flat, so the 1,000 row times ten stands in)",
    )
    parser.add_argument("--cache", type=Path, default=default_cache(), help="folder for generated bundles")
    parser.add_argument(
        "--tree", type=Path, help="benchmark the certconv in this source tree (e.g. a `git archive` of a commit)"
    )
    parser.add_argument(
        "--baseline-tree",
        type=Path,
        help="also run the certconv of this tree (e.g. before a change), interleaved: a fourth column",
    )
    parser.add_argument(
        "--baseline-python", default=sys.executable, help="interpreter (virtual environment) for --baseline-tree"
    )
    args = parser.parse_args()
    if args.tree:
        use_tree(args.tree)
    if args.baseline_tree:
        use_baseline(args.baseline_tree, args.baseline_python)
    parts = set(args.only or ["sample", "mozilla", "1k", "10k", "one-ca", "startup", "library", "each"])
    quick = args.quick

    cases: list[Case] = []
    if "sample" in parts:
        cases.append(Case("samples/bundle.pfx", SAMPLE_PFX, SAMPLE_PASSWORD, 9 if quick else 21, 9 if quick else 21))
    if "mozilla" in parts:
        try:
            import certifi
        except ImportError:
            sys.exit("the Mozilla bundle comes from certifi: pip install -e '.[bench]'")
        cases.append(Case("Mozilla (certifi)", Path(certifi.where()), None, 5 if quick else 9, 3 if quick else 5))
    sizes = tuple(s for s, part in ((1_000, "1k"), (10_000, "10k")) if part in parts)
    bundles = write_bundles(args.cache, sizes) if sizes else {}
    if 1_000 in bundles:
        cases.append(Case("1,000 generated", bundles[1_000], None, 5 if quick else 7, 1 if quick else 3))
    if 10_000 in bundles:
        cases.append(
            Case("10,000 generated", bundles[10_000], None, 3 if quick else 5, args.openssl_10k, extra=("verified",))
        )
    if "one-ca" in parts:
        # The old bounds refused this input, so a baseline tree would fail on it: floor, verified floor, certconv.
        cases.append(
            Case(
                "20,000 leaves of one CA",
                write_one_ca(args.cache, 20_000),
                None,
                3 if quick else 5,
                0,
                extra=("verified", "verify", *(() if args.no_inspect else ("inspect",))),
                only=("floor", "certconv"),
            )
        )

    certconv_folder = compile_certconv()
    if args.baseline_tree:
        compile_certconv(BASELINE_PYTHON, BASELINE_ENV)
    for case in cases:
        if args.rounds:
            case.openssl_rounds = args.rounds if case.openssl_rounds else 0
            case.rounds = args.rounds
        if args.no_openssl:
            case.openssl_rounds = 0
    loads: list[float] = []
    with tempfile.TemporaryDirectory(prefix="certconv-bench-") as scratch:
        for case in cases:
            print(f"{case.name}: {case.input}", file=sys.stderr, flush=True)
            run_case(case, Path(scratch), loads)
    startup = run_startup(11 if quick else 21, loads) if "startup" in parts else {}
    library = run_library(100 if quick else 300) if "library" in parts else {}
    if library and args.baseline_tree:
        base = run_library(100 if quick else 300, BASELINE_PYTHON, BASELINE_ENV)
        library.update({f"baseline_{k}": v for k, v in base.items()})

    each = run_each(args.cache, (50, 200), 3 if quick else 5, 0 if args.no_openssl else 1) if "each" in parts else None

    info = versions()
    report = markdown(cases, startup, library, loads) if cases or startup or library else ""
    if each:
        report += "\n\n## Many PFX files in one run (split --each)\n\n" + each_markdown(each)
    header = "\n".join(f"- {k}: {v}" for k, v in info.items())
    header += f"\n- certconv from: {certconv_folder}"
    if args.baseline_tree:
        header += f"\n- baseline: certconv from {args.baseline_tree} run by {BASELINE_PYTHON}"
    print(f"{header}\n- command: python benchmarks/run.py {' '.join(sys.argv[1:])}\n\n{report}")
    raw = {
        "versions": info,
        "argv": sys.argv[1:],
        "loads": loads,
        "cases": [
            {"name": c.name, "certificates": c.certificates, "times": c.times, "cpu": c.cpu, "rss_kb": c.rss_kb}
            for c in cases
        ],
        "startup": startup,
        "startup_cpu": STARTUP_CPU,
        "library": library,
        "each": (
            {"seconds": each.seconds, "rss_kb": each.rss_kb, "openssl_seconds": each.openssl_seconds} if each else None
        ),
    }
    args.cache.mkdir(parents=True, exist_ok=True)
    (args.cache / "last-run.json").write_text(json.dumps(raw, indent=1))


if __name__ == "__main__":
    main()
