"""CONTRIBUTING's recipes as data: each fenced ``python`` block of a section and the file it
goes in (the last ``bot/....py`` path named before it; "append to" in that text means the
file exists and the block is added to it), and a copy of the project to apply them to."""

from __future__ import annotations

import ast
import re
import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONTRIBUTING = ROOT / "CONTRIBUTING.md"
_BLOCK = re.compile(r"^( *)```python\n(.*?)^\1```", re.MULTILINE | re.DOTALL)
_PATH = re.compile(r"`(bot/[\w/]+\.py)`")


@dataclass(frozen=True)
class Step:
    path: str
    code: str
    append: bool


def section(heading: str) -> str:
    """The text of the ``## heading...`` section of CONTRIBUTING.md, up to the next ``## ``."""
    text = CONTRIBUTING.read_text(encoding="utf-8")
    start = text.index(f"\n## {heading}")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def steps(text: str) -> list[Step]:
    out, pos = [], 0
    for block in _BLOCK.finditer(text):
        before = text[pos : block.start()]
        paths = _PATH.findall(before)
        assert paths, f"no bot/....py path is named before the block:\n{block.group(0)[:200]}"
        out.append(Step(paths[-1], textwrap.dedent(block.group(2)), "append to" in before.lower()))
        pos = block.end()
    return out


def copy_project(into: Path) -> Path:
    """``bot/`` as the wheel lays it out (the store and the migrations inside it), under ``into``."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "bot", into / "bot", ignore=ignore)
    shutil.copytree(ROOT / "quotes", into / "bot" / "curated", ignore=ignore)
    shutil.copytree(ROOT / "migrations", into / "bot" / "migrations", ignore=ignore)
    return into


def apply(root: Path, step: Step) -> None:
    """Write a new file, or append to an existing one: the block's leading imports join the
    module's own (those it already has are skipped), the rest goes at the end."""
    target = root / step.path
    if not step.append:
        assert not target.exists(), f"{step.path} exists; the recipe should say 'append to' it"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(step.code, encoding="utf-8")
        return
    assert target.exists(), f"the recipe appends to {step.path}, which does not exist"
    source = target.read_text(encoding="utf-8").splitlines()
    lines = step.code.splitlines()
    first = next(i for i, line in enumerate(lines) if line.strip() and not line.startswith(("from ", "import ")))
    imports = [line for line in lines[:first] if line.strip() and line not in source]
    tree = ast.parse("\n".join(source))
    last = max(n.end_lineno or 0 for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom))
    source[last:last] = imports
    body = "\n".join(lines[first:]).strip()
    target.write_text("\n".join(source).rstrip() + "\n\n\n" + body + "\n", encoding="utf-8")


def changed_files(before: Path, after: Path) -> list[str]:
    """Files under ``bot/`` that differ between two trees, or exist in one only."""

    def files(root: Path) -> dict[str, bytes]:
        return {str(p.relative_to(root)): p.read_bytes() for p in (root / "bot").rglob("*.py")}

    old, new = files(before), files(after)
    return sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
