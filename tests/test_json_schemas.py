"""Every command's --json output is one object with ``schema`` and ``tool`` that validates against its
JSON Schema, shipped in the package (certconv/schemas/*.schema.json, ``certconv.json_schema``).

The schemas close every object (``additionalProperties``/``unevaluatedProperties`` false), so a key
added to a document without its schema, or a schema that promises a key the code no longer writes,
fails here; docs/json.md shows the schemas and the prose tables of each command's page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from loopback import tls_server
from pki import Pki, make_chain, to_pem, to_pfx
from typer.testing import CliRunner

import certconv
from certconv.cli import app

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def validator(document: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(certconv.json_schema(document))


def run_json(args: list[str], *, codes: tuple[int, ...] = (0,)) -> dict[str, Any]:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code in codes, result.output
    document = json.loads(result.stdout)
    assert isinstance(document, dict)
    return document


def check(document_name: str, document: dict[str, Any]) -> None:
    """The document is an object with ``schema`` and ``tool`` and meets its schema (every error listed)."""
    assert isinstance(document["schema"], int)
    assert document["tool"] == f"certconv {certconv.__version__}"
    errors = sorted(validator(document_name).iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, pki: Pki) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("inputs")
    paths = {
        "pfx": folder / "bundle.pfx",
        "pem": folder / "fullchain.pem",
        "root": folder / "root.pem",
        "leaf": folder / "leaf.pem",
        "junk": folder / "junk.pfx",
    }
    paths["pfx"].write_bytes(to_pfx(pki.leaf, [pki.intermediate, pki.root]))
    paths["pem"].write_bytes(to_pem([pki.leaf, pki.intermediate]))
    paths["root"].write_bytes(pki.root.pem)
    paths["leaf"].write_bytes(pki.leaf.pem)
    paths["junk"].write_bytes(b"not a bundle")
    return paths


# -- the schemas themselves ------------------------------------------------------------------


@pytest.mark.parametrize("document", certconv.JSON_DOCUMENTS)
def test_each_schema_is_a_valid_draft_2020_12_schema(document: str) -> None:
    schema = certconv.json_schema(document)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["required"][:2] == ["schema", "tool"]


def test_schemas_ship_as_package_files_and_json_schema_reads_them() -> None:
    folder = resources.files("certconv").joinpath("schemas")
    shipped = sorted(p.name for p in folder.iterdir() if p.name.endswith(".schema.json"))
    assert shipped == sorted(f"{d}.schema.json" for d in certconv.JSON_DOCUMENTS)
    for document in certconv.JSON_DOCUMENTS:
        text = folder.joinpath(f"{document}.schema.json").read_text(encoding="utf-8")
        assert json.loads(text) == certconv.json_schema(document)


def test_an_unknown_document_is_a_usage_error() -> None:
    with pytest.raises(certconv.UsageError, match="split-each"):
        certconv.json_schema("manifest")


def _defs() -> Iterator[tuple[str, str, Any]]:
    for document in certconv.JSON_DOCUMENTS:
        for name, definition in certconv.json_schema(document)["$defs"].items():
            yield document, name, definition


def test_a_definition_shared_by_several_schemas_is_the_same_everywhere() -> None:
    """Each file is complete in itself, so shared parts are copies: they must not drift apart."""
    seen: dict[str, tuple[str, Any]] = {}
    for document, name, definition in _defs():
        first = seen.setdefault(name, (document, definition))
        assert definition == first[1], f"$defs/{name} differs between {first[0]} and {document}"


def test_fetch_embeds_the_verify_document_as_verify_describes_it() -> None:
    verify = certconv.json_schema("verify")
    embedded = certconv.json_schema("fetch")["$defs"]["verification"]
    assert embedded["properties"] == verify["properties"]
    assert embedded["required"] == verify["required"]


@pytest.mark.parametrize(
    ("where", "enum_type"),
    [
        (("split", "$defs", "warning", "properties", "code"), certconv.WarningCode),
        (("split", "properties", "format"), certconv.Format),
        (("split", "$defs", "destination", "properties", "target"), certconv.AzureTarget),
        (("convert", "properties", "to"), certconv.Form),
        (("verify", "$defs", "failure", "properties", "code"), certconv.FailureCode),
        (("verify", "properties", "policy"), certconv.VerifyPolicy),
        (("verify", "properties", "purpose"), certconv.Purpose),
        (("verify", "properties", "trust"), certconv.Origin),
        (("verify", "$defs", "verdict", "properties", "leniencies", "items"), certconv.Leniency),
        (("fetch", "properties", "verdict"), certconv.FetchVerdict),
        (("fetch", "$defs", "probe", "properties", "outcome"), certconv.ProbeOutcome),
        (("fetch", "$defs", "finding", "properties", "code"), certconv.TlsFindingCode),
        (("create", "properties", "key"), certconv.KeyProfile),
    ],
)
def test_schema_enums_are_the_codes_enums(where: tuple[str, ...], enum_type: Any) -> None:
    node: Any = certconv.json_schema(where[0])
    for key in where[1:]:
        node = node[key]
    assert [v for v in node["enum"] if v is not None] == list(certconv.values(enum_type))


def test_a_key_the_schema_does_not_know_fails_validation(files: dict[str, Path]) -> None:
    """The schemas are closed: this is what catches a document that grew a key its schema lacks."""
    document = run_json(["inspect", str(files["pem"])])
    document["surprise"] = 1
    assert not validator("inspect").is_valid(document)
    document = run_json(["inspect", str(files["pem"])])
    document["certificates"][0]["surprise"] = 1
    assert not validator("inspect").is_valid(document)


# -- every command's output against its schema -----------------------------------------------


def test_split_json_and_its_manifest_file_meet_the_split_schema(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    document = run_json(["split", str(files["pfx"]), "--password", "changeit", "-o", str(out), "--target", "all"])
    check("split", document)
    check("split", json.loads((out / "manifest.json").read_text(encoding="utf-8")))
    assert document["backend_tls"], "target all writes APIM v2 backend settings, which the schema must cover"


def test_split_each_json_is_an_object_that_meets_its_schema(files: dict[str, Path], tmp_path: Path) -> None:
    document = run_json(
        ["split", "--each", str(files["pem"]), str(files["junk"]), "-o", str(tmp_path / "each")], codes=(1,)
    )
    check("split-each", document)
    assert document["ok"] is False
    assert [r["ok"] for r in document["results"]] == [True, False]
    assert document["results"][1]["error"]


def test_convert_json_says_what_it_wrote(files: dict[str, Path], tmp_path: Path, pki: Pki) -> None:
    out = tmp_path / "backend.pfx"
    document = run_json(
        [
            "convert",
            str(files["pfx"]),
            "--password",
            "changeit",
            "--to",
            "pfx",
            "--new-password",
            "secret",
            "--only",
            "leaf,intermediate",
            "--emit",
            "azcli",
            "-o",
            str(out),
        ]
    )
    check("convert", document)
    leaf = certconv.load(pki.leaf.der).certificates[0]
    assert document["out"] == str(out) and document["files"][0] == str(out)
    assert [Path(f).name for f in document["files"][1:]] == document["scripts"]
    assert all(Path(f).is_file() for f in document["files"])
    assert (document["to"], document["format"], document["key_included"]) == ("pfx", "der", True)
    assert document["selection"] == {"only": ["intermediate", "leaf"], "sha1": []}
    assert [c["role"] for c in document["certificates"]] == ["leaf", "intermediate"]
    assert document["certificates"][0]["sha1"] == leaf.sha1
    assert any("2 of 3 certificates selected" in n for n in document["notes"])


def test_convert_json_with_a_thumbprint_selection(files: dict[str, Path], tmp_path: Path, pki: Pki) -> None:
    root = certconv.load(pki.root.der).certificates[0]
    document = run_json(["convert", str(files["pfx"]), "--password", "changeit", "--to", "pem",
                         "--sha1", root.sha1.lower(), "-o", str(tmp_path / "root.pem")])
    check("convert", document)
    assert document["selection"] == {"only": None, "sha1": [root.sha1]}
    assert (document["key_included"], document["encryption"], document["mode"]) == (False, None, "0644")


def test_convert_json_to_standard_output_is_a_usage_error(files: dict[str, Path]) -> None:
    result = runner.invoke(app, ["convert", str(files["pem"]), "--to", "p7b", "--format", "pem", "-o", "-", "--json"])
    assert result.exit_code == 2
    assert "--json" in result.stderr


def test_inspect_json_meets_its_schema(files: dict[str, Path]) -> None:
    check("inspect", run_json(["inspect", str(files["pfx"]), "--password", "changeit"]))
    check("inspect", run_json(["inspect", str(files["pem"]), "--fail-within", "36500"], codes=(3,)))


def test_verify_json_meets_its_schema_whether_or_not_the_chain_verifies(files: dict[str, Path]) -> None:
    trusted = run_json(["verify", str(files["pem"]), "--ca", str(files["root"]), "--host", "backend.example"])
    check("verify", trusted)
    assert trusted["ok"] is True
    refused = run_json(["verify", str(files["leaf"]), "--ca", str(files["root"]), "--host", "x.example"], codes=(3,))
    check("verify", refused)
    assert refused["ok"] is False and refused["chains"][0]["failures"]


@pytest.fixture(scope="module")
def served() -> Pki:
    return make_chain("Schema", leaf_name="backend.example")


def test_fetch_json_meets_its_schema_plain_and_with_everything(served: Pki, tmp_path: Path) -> None:
    root = tmp_path / "root.pem"
    root.write_bytes(served.root.pem)
    with tls_server("127.0.0.1", [served.leaf, served.intermediate], served.leaf) as server:
        target = f"127.0.0.1:{server.port}"
        plain = run_json(["fetch", target, "--no-probe", "--timeout", "5"])
        full = run_json(
            [
                "fetch",
                target,
                "--ca",
                str(root),
                "--host",
                "backend.example",
                "--out",
                str(tmp_path / "out"),
                "--fail-within",
                "36500",
                "--timeout",
                "5",
            ],
            codes=(3,),
        )
    check("fetch", plain)
    assert plain["tls"] is None and plain["verification"] is None
    check("fetch", full)
    assert full["tls"] is not None and full["verification"]["ok"] is True and full["expiring"]
    check("split", json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8")))


def test_create_json_meets_its_schema_for_a_server_and_a_client_certificate(tmp_path: Path) -> None:
    cheap = ["--key", "ec-p256", "--no-password"]
    server = run_json(["create", "backend.example", "--ip", "10.0.0.5", *cheap, "-o", str(tmp_path / "server")])
    check("create", server)
    assert (server["purpose"], server["client"], server["ips"]) == ("server", None, ["10.0.0.5"])
    assert {f["file"] for f in server["files"]} == {p.name for p in (tmp_path / "server").iterdir()}
    assert {f["mode"] for f in server["files"] if f["private_key"]} == {"0600"}, "convert's form of a mode"
    client = run_json(["create", "--client", "apim-client", *cheap, "-o", str(tmp_path / "client")])
    check("create", client)
    assert (client["purpose"], client["client"], client["hosts"], client["ips"]) == ("client", "apim-client", [], [])


def test_create_json_schema_also_fits_a_plan_not_yet_written_and_refuses_a_crossed_purpose(tmp_path: Path) -> None:
    """``ChainPlan.to_dict`` is the document; before writing, ``owner_only`` is null."""
    document = certconv.plan_chain("backend.example", tmp_path / "o", key="ec-p256", no_password=True).to_dict()
    check("create", document)
    assert document["written"] is False and document["owner_only"] is None
    assert not (tmp_path / "o").exists()
    crossed = {**document, "purpose": "client"}
    assert not validator("create").is_valid(crossed), "a client certificate has a client name and no host"


# -- docs/json.md names every document and where its schema is -------------------------------


def test_docs_json_page_shows_every_schema() -> None:
    page = (ROOT / "docs" / "json.md").read_text(encoding="utf-8")
    for document in certconv.JSON_DOCUMENTS:
        assert f"certconv/schemas/{document}.schema.json" in page
        assert re.search(rf'json_schema\("{re.escape(document)}"\)', page), document
