"""Dependency ranges: every runtime dependency is bounded on both sides, and no lower bound
admits a release with a known advisory (the ones listed here, checked when bumping)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

PYPROJECT = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())

# (distribution, advisory, first fixed release)
ADVISORIES = [
    ("starlette", "CVE-2024-47874 multipart DoS", "0.40.0"),
    ("starlette", "CVE-2025-54121 large-file upload blocks the event loop", "0.47.2"),
    ("requests", "CVE-2024-35195 verify=False sticks to the session", "2.32.0"),
    ("requests", "CVE-2024-47081 .netrc credentials leak", "2.32.4"),
    ("aiohttp", "CVE-2025-53643 request smuggling", "3.12.14"),
    ("pyyaml", "CVE-2020-14343 arbitrary code in full_load", "5.4"),
    ("uvicorn", "CVE-2020-7694 log injection", "0.11.7"),
    ("setuptools", "CVE-2025-47273 PackageIndex path traversal", "78.1.1"),
]


def _floors() -> dict[str, Version]:
    reqs = [
        *PYPROJECT["project"]["dependencies"],
        *PYPROJECT["project"]["optional-dependencies"]["dev"],
        *PYPROJECT["build-system"]["requires"],
    ]
    floors: dict[str, Version] = {}
    for raw in reqs:
        req = Requirement(raw)
        lows = [Version(s.version) for s in req.specifier if s.operator == ">="]
        if lows:
            floors[req.name.lower()] = max(lows)
    return floors


@pytest.mark.parametrize(("dist", "advisory", "fixed"), ADVISORIES)
def test_no_floor_admits_a_release_with_a_known_advisory(dist: str, advisory: str, fixed: str) -> None:
    floors = _floors()
    assert dist in floors, f"{dist} is not a direct dependency any more; drop it from this list"
    assert floors[dist] >= Version(fixed), f"{dist}>={floors[dist]} admits {advisory}; raise the floor to {fixed}"


def test_every_runtime_dependency_has_a_compatible_range() -> None:
    for raw in PYPROJECT["project"]["dependencies"]:
        ops = {s.operator for s in Requirement(raw).specifier}
        assert ">=" in ops and "<" in ops, f"{raw} needs a floor and a ceiling"
