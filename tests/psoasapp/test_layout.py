"""Imports run one way, psoasapp → blog → routines, and routines' tasks → services."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(package: str):
    """(file, module) for every import in a package's code, migrations included."""
    for path in sorted((ROOT / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                yield path.relative_to(ROOT), name


@pytest.mark.parametrize(
    ("package", "forbidden"), [("routines", ("blog", "psoasapp")), ("blog", ("psoasapp",))]
)
def test_apps_never_import_upwards(package, forbidden):
    upward = [
        f"{path}: {name}"
        for path, name in imported_modules(package)
        if name.split(".")[0] in forbidden
    ]
    assert upward == []


def test_video_services_do_not_import_the_tasks_that_call_them():
    tree = ast.parse((ROOT / "routines" / "services.py").read_text())
    imports = [
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    ]
    assert "tasks" not in imports and "routines.tasks" not in imports
