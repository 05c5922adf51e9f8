"""`coachbot quotes check`: the store as CI checks it, on small stores written per test."""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.services.skills import DEFAULT_SKILLS
from bot.services.store import THEMES
from bot.services.store_check import Entry, check_store, near_duplicates
from tests.cli.test_cli import coachbot

# Words for texts that are far apart (pairwise similarity well under 85).
VOCAB = (
    "account", "ask", "budget", "buyer", "call", "champion", "close", "coach", "commit", "competitor",
    "contract", "customer", "deal", "decision", "demo", "discount", "email", "forecast", "follow", "goal",
    "hire", "insight", "listen", "meeting", "metric", "negotiate", "objection", "opportunity", "pipeline",
    "plan", "price", "problem", "proposal", "prospect", "quota", "question", "referral", "renewal", "risk",
    "stakeholder", "story", "territory", "trust", "urgency", "value", "win",
)  # fmt: skip


def _text(rng: random.Random, n: int) -> str:
    return " ".join(rng.sample(VOCAB, n)).capitalize() + "."


def quote(key: str, text: str, *, tags: list[str] | None = None, **fields: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": key, "text": text, "author": "Ann Bee", "confidence": "attributed"}
    entry.update(fields)
    entry["tags"] = tags or ["selling"]
    return entry


def passing_store() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Exactly at every minimum: 40 quotes, 10 selling-only + 15 sales-process + 10 playbook
    (35 of 40 count as selling), 8 prompts per skill spread over the themes (6+ each)."""
    rng = random.Random(14)
    quotes = [quote(f"q-{i}", _text(rng, 12)) for i in range(10)]
    quotes += [quote(f"sp-{i}", _text(rng, 12), tags=["sales-process"]) for i in range(15)]
    quotes += [quote(f"pb-{i}", _text(rng, 12), tags=["playbook", "selling"]) for i in range(10)]
    quotes += [quote(f"lead-{i}", _text(rng, 12), tags=["leadership"]) for i in range(5)]
    prompts = [
        {"id": f"p-{s}-{i}", "theme": THEMES[(n * 8 + i) % len(THEMES)], "skill": s, "text": _text(rng, 14)}
        for n, s in enumerate(DEFAULT_SKILLS)
        for i in range(8)
    ]
    return quotes, prompts


def write(root: Path, quotes: list[dict[str, Any]], prompts: list[dict[str, Any]]) -> Path:
    root.mkdir(exist_ok=True)
    (root / "quotes.yaml").write_text(yaml.safe_dump({"quotes": quotes}, sort_keys=False, allow_unicode=True))
    (root / "prompts.yaml").write_text(yaml.safe_dump({"prompts": prompts}, sort_keys=False, allow_unicode=True))
    return root


def problems(root: Path) -> list[str]:
    return check_store(root).problems


# -- passing ---------------------------------------------------------------------------------


def test_a_store_at_every_minimum_passes_and_prints_the_counts(tmp_path: Path) -> None:
    root = write(tmp_path / "store", *passing_store())
    result = coachbot("quotes", "check", str(root), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "2 files, 40 quotes, 64 prompts"
    assert "confidence: sourced 0, attributed 40, contested 0" in lines
    assert any(line.split() == ["sales-process", "15", "15"] for line in lines)
    assert any(line.split() == ["playbook", "10", "10"] for line in lines)
    assert any(line.split()[:3] == ["selling", "or", "sales-process"] and "(87.5%)" in line for line in lines)
    assert lines[-1] == "quotes check: OK (40 quotes, 64 prompts)"


def test_coachbot_quotes_path_is_the_default(tmp_path: Path) -> None:
    root = write(tmp_path / "store", *passing_store())
    result = coachbot("quotes", "check", cwd=tmp_path, env={"COACHBOT_QUOTES_PATH": str(root)})
    assert result.returncode == 0 and "40 quotes, 64 prompts" in result.stdout


# -- one failure of each kind ----------------------------------------------------------------


def test_failures_are_one_line_each_with_a_summary_and_exit_1(tmp_path: Path) -> None:
    quotes, prompts = passing_store()
    quotes[0] = quote("no-level", quotes[0]["text"])
    del quotes[0]["confidence"]
    quotes[1]["author"] = "Sir Ann Bee"
    root = write(tmp_path / "store", quotes, prompts)
    result = coachbot("quotes", "check", str(root), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "error: quotes.yaml: entry 'no-level': 'confidence' is missing; add `confidence: sourced` (with a source), "
        "`confidence: attributed` or `confidence: contested` (with an attribution_note)",
        "error: quotes.yaml: entry 'q-1': author 'Sir Ann Bee' starts with the title 'Sir'; write the person's name "
        "without titles (for example 'William Thomson', not 'Lord Kelvin')",
        "quotes check: 2 problem(s) in 2 files (38 quotes, 64 prompts)",
    ]


def test_a_schema_error_names_file_and_entry(tmp_path: Path) -> None:
    quotes, prompts = passing_store()
    quotes[3]["text"] = "Too short"
    assert problems(write(tmp_path, quotes, prompts)) == [
        "quotes.yaml: entry 'q-3': 'text' must be 10-500 characters, it has 9"
    ]


def test_sourced_without_a_source_fails(tmp_path: Path) -> None:
    quotes, prompts = passing_store()
    quotes[2]["confidence"] = "sourced"
    (found,) = problems(write(tmp_path, quotes, prompts))
    assert found.startswith("quotes.yaml: entry 'q-2': a sourced quote needs a 'source'")


def test_the_old_contested_key_fails_naming_the_new_one(tmp_path: Path) -> None:
    quotes, prompts = passing_store()
    quotes[2]["contested"] = True
    (found,) = problems(write(tmp_path, quotes, prompts))
    assert "'contested' is no longer a field; write `confidence: contested`" in found


def test_a_title_in_an_author_fails(tmp_path: Path) -> None:
    quotes, prompts = passing_store()
    quotes[4]["author"] = "Gen. George Patton"
    (found,) = problems(write(tmp_path, quotes, prompts))
    assert found.startswith("quotes.yaml: entry 'q-4': author 'Gen. George Patton' starts with the title 'Gen.'")


@pytest.mark.parametrize(
    "variant",
    [
        "Sell the problem you solve, not the product you make, and price takes care of itself.",  # one word less
        "SELL the problem you solve — not the product you make — and the price takes care of itself!",
        "Sell the problem you solve; not the product you make; and the price takes care of itself",  # punctuation
        "Sell the problem you solve, not the product you m\u0430ke, and the price takes care of itself.",  # Cyrillic а
    ],
)
def test_near_duplicate_quotes_fail(tmp_path: Path, variant: str) -> None:
    quotes, prompts = passing_store()
    quotes[5]["text"] = "Sell the problem you solve, not the product you make, and the price takes care of itself."
    quotes[30]["text"] = variant
    (found,) = problems(write(tmp_path, quotes, prompts))
    assert found.startswith("quotes.yaml: entry 'q-5' and quotes.yaml: entry 'pb-5': near-duplicate quotes")
    assert found.endswith(">= 90); keep one")


def test_quotes_that_only_share_words_are_not_duplicates(tmp_path: Path) -> None:
    quotes, prompts = passing_store()
    quotes[5]["text"] = "Sell the problem you solve, not the product you make, and the price takes care of itself."
    quotes[30]["text"] = "Sell the problem you solve, not the product you build, and the price looks after itself."
    assert problems(write(tmp_path, quotes, prompts)) == []  # similarity 86: related, not a duplicate


def test_near_duplicate_prompts_fail_at_85(tmp_path: Path) -> None:
    quotes, prompts = passing_store()
    prompts[0]["text"] = "Ask one rep to name two more people a decision affects; agree who calls them this week."
    prompts[9]["text"] = "Ask a rep to name two more people the decision affects, and agree who calls them this week."
    (found,) = problems(write(tmp_path, quotes, prompts))
    assert (
        "prompts.yaml: entry 'p-prospecting-0' and prompts.yaml: entry 'p-discovery-1': near-duplicate prompts" in found
    )
    assert found.endswith(">= 85); merge them")


def test_too_few_selling_quotes_fails_with_how_many_to_add(tmp_path: Path) -> None:
    quotes, prompts = passing_store()
    rng = random.Random(1000)
    quotes += [quote(f"more-lead-{i}", _text(rng, 13), tags=["leadership"]) for i in range(101)]
    # 35 of 141 quotes = 24.8%: one short of a quarter.
    assert problems(write(tmp_path, quotes, prompts)) == [
        "store: 35 of 141 quotes (24.8%) are tagged selling or sales-process; at least 25% (36) must be: add or tag 1 more"
    ]


def test_too_few_sales_process_quotes_fails(tmp_path: Path) -> None:
    quotes, prompts = passing_store()
    quotes[10]["tags"] = ["selling"]
    assert problems(write(tmp_path, quotes, prompts)) == [
        "store: 14 quotes are tagged sales-process; at least 15 must be"
    ]


def test_too_few_playbook_quotes_fails(tmp_path: Path) -> None:
    quotes, prompts = passing_store()
    quotes[25]["tags"] = ["selling"]
    assert problems(write(tmp_path, quotes, prompts)) == ["store: 9 quotes are tagged playbook; at least 10 must be"]


def test_a_skill_with_too_few_prompts_fails(tmp_path: Path) -> None:
    quotes, prompts = passing_store()
    (moved,) = [p for p in prompts if p["id"] == "p-negotiation-7"]
    moved["skill"] = "demo"
    assert problems(write(tmp_path, quotes, prompts)) == [
        "store: skill 'negotiation' has 7 prompts; every skill needs at least 8"
    ]


def test_a_theme_with_too_few_prompts_fails(tmp_path: Path) -> None:
    quotes, prompts = passing_store()
    for p in prompts:
        if p["theme"] == "culture":
            p["theme"] = "vision"
    assert problems(write(tmp_path, quotes, prompts)) == [
        "store: theme 'culture' has 0 prompts; every theme needs at least 6"
    ]


def test_no_minimums_checks_one_file_alone(tmp_path: Path) -> None:
    quotes, _ = passing_store()
    write(tmp_path / "store", quotes[:3], [])
    one = tmp_path / "store" / "quotes.yaml"
    assert coachbot("quotes", "check", str(one), cwd=tmp_path).returncode == 1
    result = coachbot("quotes", "check", str(one), "--no-minimums", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.endswith("quotes check: OK (3 quotes, 0 prompts)\n")


def test_a_folder_without_yaml_says_so(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = coachbot("quotes", "check", str(tmp_path / "empty"), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0].endswith(
        "empty: no .yaml or .yml files here; pass the folder that holds the store"
    )


def test_a_missing_path_says_so(tmp_path: Path) -> None:
    result = coachbot("quotes", "check", str(tmp_path / "nope"), cwd=tmp_path)
    assert result.returncode == 1
    assert "nope: no such file or directory" in result.stderr and "Traceback" not in result.stderr


# -- speed (reported, not asserted: speed lives in benchmarks/) ------------------------------


def test_the_duplicate_scan_over_400_quotes_finds_the_planted_pair() -> None:
    rng = random.Random(3)
    entries = [Entry("f.yaml", f"k{i}", _text(rng, 14)) for i in range(400)]
    entries[399] = Entry("f.yaml", "k399", entries[17].text.upper())
    start = time.perf_counter()
    found = near_duplicates(entries, 90, "quotes", "keep one")
    elapsed = time.perf_counter() - start
    print(f"near-duplicate scan of 400 quotes: {elapsed * 1000:.1f} ms")
    assert len(found) == 1 and "'k17' and f.yaml: entry 'k399'" in found[0]
