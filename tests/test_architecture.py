"""The layers' import rules: data imports no outer package; pages/ holds Dash pages only."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OUTER = ("auth", "pages", "api", "exports", "web", "shell")


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


@pytest.mark.parametrize(
    "path", _modules("data"), ids=lambda p: str(p.relative_to(ROOT))
)
def test_data_imports_no_outer_package(path):
    wrong = {n for n in _imported(path) if n.split(".")[0] in OUTER}
    assert not wrong, f"{path.relative_to(ROOT)} imports {sorted(wrong)}"


def _registers_page(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr == "register_page":
                return True
            if isinstance(func, ast.Name) and func.id == "register_page":
                return True
    return False


@pytest.mark.parametrize(
    "path",
    [p for p in _modules("pages") if p.name != "__init__.py"],
    ids=lambda p: p.name,
)
def test_every_module_under_pages_is_a_dash_page(path):
    assert _registers_page(path), f"{path.name} does not call dash.register_page"
