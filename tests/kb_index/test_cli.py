"""The command line contract, through a subprocess (model-free hashing embedder)."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, model: str = "hashing") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KB_INDEX_MODEL": model, "HF_HUB_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "kb_index", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli")
    docs = [
        {"id": "vpn", "title": "Connect to the VPN", "text": "Open GlobalProtect.", "lang": "en"},
        {"id": "vpn", "title": "VPN verbinden", "text": "GlobalProtect öffnen.", "lang": "de"},
        {"id": "printer", "title": "Paper jam", "text": "Open the printer cover."},
        {"id": "error-809", "text": "VPN error 809: the port is blocked by the hotel network."},
    ]
    (root / "docs.jsonl").write_text("\n".join(json.dumps(d) for d in docs) + "\n")
    done = cli("build", "--jsonl", str(root / "docs.jsonl"), "--out", str(root / "index"))
    assert done.returncode == 0, done.stderr
    assert "indexed 4 documents" in done.stderr
    return root / "index"


def search(index: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return cli("search", "--index", str(index), *args)


def test_search_prints_the_contract(built: Path) -> None:
    done = search(built, "-k", "2", "--json", "printer paper jam")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert set(data) == {"hits", "confident"} and isinstance(data["confident"], bool)
    assert len(data["hits"]) == 2
    assert set(data["hits"][0]) == {"slug", "title", "lang", "score"}
    assert data["hits"][0]["slug"] == "printer"
    assert isinstance(data["hits"][0]["score"], float)


def test_the_id_of_a_collection_is_the_slug_and_codes_match(built: Path) -> None:
    data = json.loads(search(built, "--json", "error 809").stdout)
    assert data["hits"][0]["slug"] == "error-809"


def test_batch_keeps_the_order_and_reports_bad_lines(built: Path, tmp_path: Path) -> None:
    lines = ["printer paper jam", "", "GlobalProtect VPN", "x" * 600, "error 809"]
    (tmp_path / "queries.txt").write_text("\n".join(lines) + "\n")
    done = search(built, "--json", "--batch", str(tmp_path / "queries.txt"))
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(out) == len(lines)
    assert [o["hits"][0]["slug"] if o["hits"] else None for o in out] == [
        "printer",
        None,
        "vpn",
        None,
        "error-809",
    ]
    assert out[1] == {"error": "the query is empty", "hits": [], "confident": False}
    assert "the limit is 500" in out[3]["error"] and out[3]["confident"] is False


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--json", "   "), "the query is empty"),
        (("--json", "v" * 501), "the query is 501 characters long; the limit is 500"),
        (("-k", "0", "--json", "vpn"), "k must be a whole number from 1 to 50"),
        (("-k", "51", "--json", "vpn"), "k must be a whole number from 1 to 50"),
    ],
)
def test_bad_queries_give_a_clear_error_not_a_trace(
    built: Path, args: tuple[str, ...], message: str
) -> None:
    done = search(built, *args)
    assert done.returncode == 2
    assert f"kb_index: error: {message}" in done.stderr
    assert "Traceback" not in done.stderr


def test_unknown_language_is_refused_by_the_parser(built: Path) -> None:
    done = search(built, "--lang", "fr", "--json", "vpn")
    assert done.returncode == 2 and "invalid choice: 'fr'" in done.stderr


def test_missing_index_is_a_clear_error(tmp_path: Path) -> None:
    done = search(tmp_path / "none", "--json", "vpn")
    assert done.returncode == 2
    assert "no index at" in done.stderr and "Traceback" not in done.stderr


def test_another_model_is_refused(built: Path) -> None:
    done = cli("search", "--index", str(built), "--json", "vpn", model="hashing:64")
    assert done.returncode == 2
    assert "was built with model 'hashing:256'" in done.stderr
    assert "Traceback" not in done.stderr


def test_bad_jsonl_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "bad.jsonl").write_text('{"id": "a", "text": "ok"}\n{"id": "b"}\n')
    done = cli("build", "--jsonl", str(tmp_path / "bad.jsonl"), "--out", str(tmp_path / "i"))
    assert done.returncode == 2
    assert 'bad.jsonl:2: "text" must be a non-empty string' in done.stderr


def test_build_needs_out_with_jsonl(tmp_path: Path) -> None:
    done = cli("build", "--jsonl", str(tmp_path / "x.jsonl"))
    assert done.returncode != 0 and "--out" in done.stderr


def test_rebuild_reuses_the_vectors(built: Path, tmp_path: Path) -> None:
    docs = built.parent / "docs.jsonl"
    done = cli("build", "--quiet", "--jsonl", str(docs), "--out", str(built))
    assert done.returncode == 0 and ", 0 embedded," in done.stderr


def test_build_without_jsonl_points_to_the_helpdesk_command() -> None:
    done = cli("build")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "build needs --jsonl DOCS.jsonl --out DIR" in done.stderr
    assert "python -m handoff kb rebuild" in done.stderr


def test_search_defaults_to_kb_index_dir(built: Path) -> None:
    env = {**os.environ, "KB_INDEX_MODEL": "hashing", "KB_INDEX_DIR": str(built)}
    done = subprocess.run(
        [sys.executable, "-m", "kb_index", "search", "--json", "paper jam"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["hits"][0]["slug"] == "printer"


LOADED_APP_MODULES = """
import sys
from kb_index.__main__ import main

codes = [main(sys.argv[1:7]), main(sys.argv[7:]), main(["build"])]
print(codes, sorted(m for m in sys.modules if m.split(".")[0] == "handoff"))
"""


def test_the_library_and_its_cli_never_import_the_helpdesk(built: Path, tmp_path: Path) -> None:
    docs = str(built.parent / "docs.jsonl")
    done = subprocess.run(
        [sys.executable, "-c", LOADED_APP_MODULES]
        + ["build", "--quiet", "--jsonl", docs, "--out", str(tmp_path / "i")]
        + ["search", "--index", str(tmp_path / "i"), "--json", "vpn"],
        capture_output=True,
        text=True,
        env={**os.environ, "KB_INDEX_MODEL": "hashing"},
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[0, 0, 2] []"


def test_no_module_of_the_library_names_the_helpdesk() -> None:
    for path in sorted((ROOT / "kb_index").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(n.split(".")[0] == "handoff" for n in names), f"{path}: {names}"
