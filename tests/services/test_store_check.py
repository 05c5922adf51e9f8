"""`coachbot quotes check`: the store as CI checks it, on small stores written per test."""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.services.rubric import DEFAULT_SKILLS, SKILL_VOCABULARY
from bot.services.store import SAME_IDEA_ALLOWED, THEMES, read_store
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


def _quote_text(rng: random.Random, n: int) -> str:
    """Like ``_text``, but every word carries a number of its own, so no two quotes share a
    word and none reads as the same idea as another."""
    return " ".join(f"{w}{rng.randrange(10**9)}" for w in rng.sample(VOCAB, n)).capitalize() + "."


def quote(key: str, text: str, *, tags: list[str] | None = None, **fields: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": key, "text": text, "author": "Ann Bee", "confidence": "attributed"}
    entry.update(fields)
    entry["tags"] = tags or ["selling"]
    return entry


def passing_store() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Exactly at every minimum: 40 quotes, 10 selling-only + 15 sales-process + 10 playbook
    (35 of 40 count as selling), 8 prompts per skill spread over the themes (6+ each), each
    prompt naming a word of its skill's vocabulary."""
    rng = random.Random(14)
    quotes = [quote(f"q-{i}", _quote_text(rng, 12)) for i in range(10)]
    quotes += [quote(f"sp-{i}", _quote_text(rng, 12), tags=["sales-process"]) for i in range(15)]
    quotes += [quote(f"pb-{i}", _quote_text(rng, 12), tags=["playbook", "selling"]) for i in range(10)]
    quotes += [quote(f"lead-{i}", _quote_text(rng, 12), tags=["leadership"]) for i in range(5)]
    prompts = [
        {
            "id": f"p-{s}-{i}",
            "theme": THEMES[(n * 8 + i) % len(THEMES)],
            "skill": s,
            "text": f"{SKILL_VOCABULARY[s][i % 3].capitalize()}: {_text(rng, 14)}",
        }
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


def test_a_reworded_quote_is_not_a_near_duplicate_but_is_the_same_idea(tmp_path: Path) -> None:
    quotes, prompts = passing_store()
    quotes[5]["text"] = "Sell the problem you solve, not the product you make, and the price takes care of itself."
    quotes[30]["text"] = "Sell the problem you solve, not the product you build, and the price looks after itself."
    (found,) = problems(write(tmp_path, quotes, prompts))  # ratio 86: under the near-duplicate bar of 90
    assert found.startswith(
        "quotes.yaml: entry 'q-5' and quotes.yaml: entry 'pb-5': the same idea in other words (shared words: "
    )
    assert found.endswith(
        f"keep one, or if they say different things add the pair to {SAME_IDEA_ALLOWED} with a reason"
    )


def test_near_duplicate_prompts_fail_at_85(tmp_path: Path) -> None:
    quotes, prompts = passing_store()
    prompts[0]["text"] = "Ask one rep to name two more prospects a decision affects; agree who calls them this week."
    prompts[1]["text"] = (
        "Ask a rep to name two more prospects the decision affects, and agree who calls them this week."
    )
    (found,) = problems(write(tmp_path, quotes, prompts))
    assert (
        "prompts.yaml: entry 'p-prospecting-0' and prompts.yaml: entry 'p-prospecting-1': near-duplicate prompts"
        in found
    )
    assert found.endswith(">= 85); merge them")


def test_too_few_selling_quotes_fails_with_how_many_to_add(tmp_path: Path) -> None:
    quotes, prompts = passing_store()
    rng = random.Random(1000)
    quotes += [quote(f"more-lead-{i}", _quote_text(rng, 13), tags=["leadership"]) for i in range(101)]
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


# -- the same idea in other words (issue 24) ----------------------------------------------------

CREATE_A_CUSTOMER = "There is only one valid definition of business purpose: to create a customer."
CREATE_AND_KEEP = "The purpose of a business is to create and keep a customer."


Store = tuple[list[dict[str, Any]], list[dict[str, Any]]]


def _same_idea_store() -> Store:
    quotes, prompts = passing_store()
    quotes[2]["text"] = CREATE_A_CUSTOMER
    quotes[12]["text"] = CREATE_AND_KEEP
    return quotes, prompts


def allow(root: Path, *items: dict[str, Any]) -> None:
    (root / SAME_IDEA_ALLOWED).write_text(yaml.safe_dump({"allowed": list(items)}, sort_keys=False))


def test_two_quotes_of_one_idea_fail_naming_the_shared_words(tmp_path: Path) -> None:
    root = write(tmp_path / "store", *_same_idea_store())
    result = coachbot("quotes", "check", str(root), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines()[:-1] == [
        "error: quotes.yaml: entry 'q-2' and quotes.yaml: entry 'sp-2': the same idea in other words (shared words: "
        "business, create, custorner, purpose; similarity 93 >= 70); keep one, or if they say different things add "
        f"the pair to {SAME_IDEA_ALLOWED} with a reason"
    ]


def test_a_reviewed_pair_in_the_allow_list_passes_and_the_loader_ignores_the_list(tmp_path: Path) -> None:
    root = write(tmp_path / "store", *_same_idea_store())
    allow(root, {"pair": ["sp-2", "q-2"], "reason": "Levitt adds keeping the customer to Drucker's line."})
    assert problems(root) == []
    assert len(read_store(root).files) == 2  # the list is not a store file


def test_the_allow_list_names_only_quotes_in_the_store_and_gives_a_reason(tmp_path: Path) -> None:
    root = write(tmp_path / "store", *passing_store())
    allow(
        root,
        {"pair": ["q-2", "gone-quote"], "reason": "These two say different things."},
        {"pair": ["q-2", "sp-2"]},
        {"pair": ["q-2"], "reason": "Only one id here."},
    )
    assert problems(root) == [
        f"{SAME_IDEA_ALLOWED}: item 1: no quote 'gone-quote' in the store; remove the pair or fix the id",
        f"{SAME_IDEA_ALLOWED}: item 2: say in 'reason' why both quotes stay",
        f"{SAME_IDEA_ALLOWED}: item 3: 'pair' must name two quote ids, e.g. `- pair: [drucker-x, levitt-y]` "
        'with `reason: "..."`',
    ]


def test_one_file_checked_alone_trusts_the_allow_list_for_the_other_files(tmp_path: Path) -> None:
    root = write(tmp_path / "store", *_same_idea_store())
    (root / "more.yaml").write_text(yaml.safe_dump({"quotes": [quote("other-file", "Ask which, not if.")]}))
    allow(
        root,
        {"pair": ["sp-2", "q-2"], "reason": "Levitt adds keeping the customer to Drucker's line."},
        {"pair": ["other-file", "q-2"], "reason": "Different things, in two files."},
    )
    result = coachbot("quotes", "check", str(root / "more.yaml"), "--no-minimums", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert problems(root) == []


def test_two_short_quotes_sharing_two_words_are_not_the_same_idea(tmp_path: Path) -> None:
    quotes, prompts = passing_store()
    quotes[2]["text"] = "People like us do things like this."
    quotes[12]["text"] = "People buy from people they like."
    assert problems(write(tmp_path, quotes, prompts)) == []


# -- prompts claim no more than the store's level (issue 24) --------------------------------------


def _napoleon(confidence: str, prompt_text: str, **fields: Any) -> Store:
    """Napoleon Bonaparte's line at ``confidence``, Napoleon Hill's beside it (both answer to
    "Napoleon"), and one pipeline prompt with ``prompt_text``."""
    quotes, prompts = passing_store()
    quotes[3] = quote(
        "napoleon-dealer-in-hope", "A leader is a dealer in hope.", author="Napoleon Bonaparte", confidence=confidence
    )
    quotes[3].update(fields)
    quotes[4] = quote("hill-whatever-the-mind", "Whatever the mind can conceive and believe, it can achieve.")
    quotes[4]["author"] = "Napoleon Hill"
    prompts[48]["text"] = prompt_text  # a pipeline prompt
    return quotes, prompts


SAID = "Napoleon called a leader _a dealer in hope_. Share one honest reason for optimism in the pipeline today."
ATTRIBUTED = (
    "_A leader is a dealer in hope_ is a line attributed to Napoleon Bonaparte. Share one honest reason for "
    "optimism in the pipeline today."
)


def test_a_prompt_stating_that_an_author_said_an_attributed_line_fails(tmp_path: Path) -> None:
    assert problems(write(tmp_path, *_napoleon("attributed", SAID))) == [
        "prompts.yaml: entry 'p-pipeline-0': states as fact that Napoleon Bonaparte said it, but "
        "'napoleon-dealer-in-hope' is attributed; write e.g. 'a line attributed to Napoleon Bonaparte'"
    ]


def test_a_prompt_may_say_attributed_to_for_an_attributed_line(tmp_path: Path) -> None:
    assert problems(write(tmp_path, *_napoleon("attributed", ATTRIBUTED))) == []


def test_a_prompt_may_say_an_author_said_a_sourced_line(tmp_path: Path) -> None:
    store = _napoleon("sourced", SAID, source="Maxims (1831)")
    assert problems(write(tmp_path, *store)) == []


def test_a_contested_line_needs_the_prompt_to_say_so(tmp_path: Path) -> None:
    note = {"attribution_note": "No source in his writings."}
    assert problems(write(tmp_path / "a", *_napoleon("contested", ATTRIBUTED, **note))) == [
        "prompts.yaml: entry 'p-pipeline-0': 'napoleon-dealer-in-hope' is contested, so the prompt must say so, "
        "e.g. 'a line usually, perhaps wrongly, credited to Napoleon Bonaparte'"
    ]
    hedged = ATTRIBUTED.replace("attributed to", "usually, perhaps wrongly, credited to")
    assert problems(write(tmp_path / "b", *_napoleon("contested", hedged, **note))) == []


def test_a_prompt_claiming_an_author_said_words_not_in_the_store_fails(tmp_path: Path) -> None:
    text = "As Napoleon Bonaparte put it, _a forecast is a promise_. Check one commit deal in the pipeline today."
    assert problems(write(tmp_path, *_napoleon("sourced", text, source="Maxims (1831)"))) == [
        "prompts.yaml: entry 'p-pipeline-0': says Napoleon Bonaparte said something that is not a store quote of "
        "theirs; quote a sourced entry's words, or drop the name"
    ]


# -- each skill's prompts are about that skill (issue 24) -----------------------------------------


def test_a_general_leadership_prompt_filed_under_a_skill_fails(tmp_path: Path) -> None:
    quotes, prompts = passing_store()
    (moved,) = [p for p in prompts if p["id"] == "p-pipeline-3"]
    moved["text"] = "Ask one rep where they want to be in two years, and write down one thing you'll do to help."
    assert problems(write(tmp_path, quotes, prompts)) == [
        "prompts.yaml: entry 'p-pipeline-3': a pipeline prompt must be about pipeline, but it names none of its "
        "words (pipeline, forecast, stage, commit, coverage, close date, ... in bot/services/rubric.py); rewrite "
        "it, give it the skill it trains, or remove it"
    ]


def test_a_skill_word_counts_only_at_a_word_start(tmp_path: Path) -> None:
    quotes, prompts = passing_store()
    (moved,) = [p for p in prompts if p["id"] == "p-demo-0"]
    moved["text"] = "Ask a rep what the word pandemonium means to them, and note their answer today."  # no 'demo'
    (found,) = problems(write(tmp_path, quotes, prompts))
    assert found.startswith("prompts.yaml: entry 'p-demo-0': a demo prompt must be about demo")


def test_the_shipped_store_passes_every_rule() -> None:
    report = check_store(Path(__file__).resolve().parents[2] / "quotes")
    assert report.problems == []


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
