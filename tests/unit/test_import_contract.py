"""Every part of CareNav outside carenav/ui is named in the import-linter contract that
keeps PySide6 out of it, so a new module cannot slip past the check unnoticed."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _contract(name: str) -> dict[str, object]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    return next(c for c in contracts if c["name"] == name)


def test_every_module_outside_the_ui_is_kept_free_of_qt() -> None:
    package = ROOT / "carenav"
    modules = {f"carenav.{p.stem}" for p in package.glob("*.py") if p.stem != "__init__"}
    modules |= {f"carenav.{p.name}" for p in package.iterdir() if (p / "__init__.py").exists()}
    modules -= {"carenav.ui", "carenav.__main__"}
    listed = set(_contract("Only carenav.ui imports PySide6")["source_modules"])  # type: ignore[arg-type]
    assert modules - listed == set()
