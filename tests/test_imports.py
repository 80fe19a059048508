"""`import certconv` stays light, and `certconv split` loads nothing it does not use."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SAMPLE = Path(__file__).parent.parent / "samples" / "fullchain.pem"

HEAVY_FOR_LIBRARY = ("typer", "click", "rich", "pydantic", "OpenSSL", "urllib.request", "http.client", "ssl")
HEAVY_FOR_SPLIT = (
    "rich",
    "pydantic",
    "OpenSSL",
    "urllib.request",
    "http.client",
    "ssl",
    "certconv.network._tls",
    "certconv.network._aia",
    "certconv._verify",
)


def loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_import_certconv_loads_no_cli_framework_network_or_openssl() -> None:
    assert not loaded_after("import certconv") & set(HEAVY_FOR_LIBRARY)


def test_split_command_loads_neither_network_nor_verification_code(tmp_path: Path) -> None:
    code = (
        "import sys\nfrom certconv.cli import app\n"
        f"sys.argv = ['certconv', 'split', {str(SAMPLE)!r}, '--out', {str(tmp_path)!r}, '-q']\n"
        "try:\n    app()\nexcept SystemExit as exc:\n    assert exc.code in (0, None), exc.code"
    )
    assert not loaded_after(code) & set(HEAVY_FOR_SPLIT)


def _package_imports() -> dict[str, set[str]]:
    """Every certconv module (``azure._plan`` in subpackages) and the certconv modules it imports.

    Imports at the top and inside functions count; those under ``if TYPE_CHECKING:``
    do not: they never run, and naming a type is not reaching into a module's work.
    """
    import ast

    root = Path(__file__).parent.parent / "certconv"
    graph: dict[str, set[str]] = {}
    for path in root.rglob("*.py"):
        parts = list(path.relative_to(root).with_suffix("").parts)
        package = parts[:-1]
        if parts[-1] == "__init__":
            parts = parts[:-1]
        name = ".".join(parts) or "__init__"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        type_only = {
            id(inner)
            for node in ast.walk(tree)
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
            for inner in ast.walk(node)
        }
        deps: set[str] = set()
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom) or not node.level or id(node) in type_only:
                continue
            base = package[: len(package) - (node.level - 1)]
            targets = [node.module] if node.module else [a.name for a in node.names]
            for target in targets:
                dotted = [*base, *target.split(".")]
                # Importing a.b runs a's __init__ first: both are dependencies.
                deps.update(".".join(dotted[:i]) for i in range(1, len(dotted) + 1))
        deps.discard(name)
        # A module's own packages run before it whatever it imports (certconv/cli/__init__ imports
        # its command modules to register them): an edge to them says nothing about direction.
        deps -= {".".join(parts[:i]) for i in range(1, len(parts))}
        graph[name] = deps
    return graph


def test_modules_import_one_way_without_cycles_not_even_lazy_ones() -> None:
    # A lazy import inside a function hides a cycle from Python but not from a reader:
    # _model once imported _chain inside FetchResult.aia_could_help (_chain -> _model -> _chain).
    graph = _package_imports()
    graph.pop("__init__")  # the package re-exports everything; modules import each other, never it
    state: dict[str, str] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for dep in sorted(graph.get(module, ())):
            assert state.get(dep) != "open", "import cycle: " + " -> ".join([*path, dep])
            if dep not in state:
                visit(dep, [*path, dep])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])


def test_values_import_nothing_that_reads_or_chains() -> None:
    reads_or_chains = {"bundle._chain", "readers._read", "_api", "network._aia", "network._tls"}
    assert not _package_imports()["pki._model"] & reads_or_chains


def test_writing_and_chaining_know_nothing_of_azure() -> None:
    graph = _package_imports()
    # Data flows one way: read -> chain -> azure plan -> write; neither end reaches into the plan.
    assert not {dep for dep in graph["output._write"] if dep.startswith("azure")}
    assert not {dep for dep in graph["bundle._chain"] if dep.startswith("azure")}
    chain_source = (Path(__file__).parent.parent / "certconv" / "bundle" / "_chain.py").read_text(encoding="utf-8")
    # The limit of 10 CA certificates (and its warning) is Azure's: certconv.azure._facts / _checks.
    assert "APIM_CA_LIMIT" not in chain_source and "apim-ca-limit" not in chain_source
