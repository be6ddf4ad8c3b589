"""nlp/ is a pure library: it must never import the web app or its database layer."""

from __future__ import annotations

import ast
from pathlib import Path

FORBIDDEN = {"flask", "sqlalchemy", "flask_sqlalchemy", "app"}
NLP = Path(__file__).resolve().parents[2] / "nlp"


def _imports(path: Path) -> set[str]:
    """Top-level module names imported by a file."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_nlp_has_modules() -> None:
    assert len(list(NLP.rglob("*.py"))) >= 8


def test_no_web_or_database_imports() -> None:
    offenders = {str(p.relative_to(NLP)): sorted(_imports(p) & FORBIDDEN) for p in NLP.rglob("*.py")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_modules_are_short() -> None:
    long = {p.name: n for p in NLP.rglob("*.py") if (n := len(p.read_text(encoding="utf-8").splitlines())) > 320}
    assert long == {}
