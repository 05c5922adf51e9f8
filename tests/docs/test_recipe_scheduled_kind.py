"""CONTRIBUTING's "Add a scheduled kind" recipe works as written, in at most three files.

The test reads that section, applies each ```python block to a copy of ``bot/`` (a block for a
new file is the file; a block for an existing file is inserted under the lines of it that the
file already has, or appended when it starts with none), imports the copy in a subprocess,
saves a schedule of the new kind and runs ``run_due`` twice against the fake Slack: one post.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECTION = "## Add a scheduled kind"
_FENCE = re.compile(r"```python\n(.*?)```", re.DOTALL)
_PATH = re.compile(r"`(bot/[\w/]+\.py)`")


def recipe_blocks(markdown: str) -> list[tuple[str, str]]:
    """(file, code) for each python block of the section, the file being the last one named before it."""
    section = markdown.split(SECTION, 1)[1].split("\n## ", 1)[0]
    blocks, last = [], 0
    for fence in _FENCE.finditer(section):
        named = _PATH.findall(section[last : fence.start()])
        assert named, f"a code block names no file before it: {fence.group(1)[:60]!r}"
        blocks.append((named[-1], fence.group(1)))
        last = fence.end()
    return blocks


def apply_block(path: Path, code: str) -> None:
    if not path.exists():
        path.write_text(code, encoding="utf-8")
        return
    lines = path.read_text(encoding="utf-8").splitlines()
    original = [True] * len(lines)  # only the file's own lines are anchors, not inserted ones
    cursor = len(lines)
    for line in code.splitlines():
        if not line.strip():
            continue
        anchor = next(
            (
                i
                for i, (have, own) in enumerate(zip(lines, original, strict=True))
                if own and have.rstrip() == line.rstrip()
            ),
            None,
        )
        if anchor is not None:
            cursor = anchor + 1
            continue
        lines.insert(cursor, line)
        original.insert(cursor, False)
        cursor += 1
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


SCRIPT = r"""
import json
import sys
from datetime import UTC, datetime, timedelta

import bot
from bot.bootstrap import build_deps, prepare_database
from bot.config import Settings
from bot.db.engine import make_engine
from bot.kinds import ScheduleKind
from bot.scheduling.run import run_due
from bot.services import schedules
from bot.services.schedules import WEEKDAYS, ScheduleSpec
from tests.conftest import make_settings
from tests.fakes.slack_api import FakeSlack

url = sys.argv[1]
fake = FakeSlack(ts_base=int(datetime(2028, 1, 1, tzinfo=UTC).timestamp()))
fake.start()
fake.add_user("U1", name="ada", real_name="Ada Lovelace", tz="Europe/Berlin")
fake.add_channel("C1", name="sales")
engine = make_engine(url)
prepare_database(build_deps(Settings.from_env({"DATABASE_URL": url}), engine))
deps = build_deps(make_settings(url, fake), engine)
monday_9_berlin = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
deps.clock = lambda: monday_9_berlin
with deps.sessions.begin() as session:
    schedules.set_schedule(
        session,
        team_id="T1",
        enterprise_id=None,
        kind=ScheduleKind.PIPELINE_REVIEW,
        target_id="C1",
        created_by="U1",
        spec=ScheduleSpec(9, 0, "Europe/Berlin", WEEKDAYS),
    )
first = run_due(deps, monday_9_berlin)
second = run_due(deps, monday_9_berlin + timedelta(minutes=5))
posts = [m.get("text", "") for m in fake.history("C1")]
deps.background.shutdown(wait=True)
fake.stop()
print(json.dumps({"bot": bot.__file__, "sent": [first.sent, second.sent], "posts": posts}))
"""


def test_the_recipe_adds_a_kind_in_three_files_that_delivers_once(tmp_path: Path) -> None:
    blocks = recipe_blocks((ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8"))
    copy = tmp_path / "src"
    shutil.copytree(ROOT / "bot", copy / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    for name, code in blocks:
        apply_block(copy / name, code)

    touched = {name for name, _ in blocks}
    assert len(touched) <= 3, f"the recipe touches {sorted(touched)}"
    changed = {
        str(p.relative_to(copy))
        for p in (copy / "bot").rglob("*.py")
        if not (ROOT / p.relative_to(copy)).exists() or (ROOT / p.relative_to(copy)).read_bytes() != p.read_bytes()
    }
    assert changed == touched

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(copy), str(ROOT)])}
    env.pop("TEST_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, f"sqlite:///{tmp_path / 'recipe.db'}"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["bot"].startswith(str(copy)), "the subprocess imported the project, not the copy"
    assert result["sent"] == [1, 0]
    assert len(result["posts"]) == 1 and "Pipeline review" in result["posts"][0]
