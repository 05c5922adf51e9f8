"""Tests of FakeSlack itself, driven by a real slack_sdk WebClient."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests  # type: ignore[import-untyped, unused-ignore]
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from .slack_api import DEFAULT_BOT_USER_ID, DEFAULT_TOKEN, FakeSlack

TS_PATTERN = re.compile(r"^\d{10}\.\d{6}$")


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        server.add_channel("C1", name="general")
        server.add_user("U1", name="ann", real_name="Ann Smith", tz="Europe/London")
        yield server


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token=DEFAULT_TOKEN, base_url=fake.api_url, retry_handlers=[])


def api_error(exc_info: pytest.ExceptionInfo[SlackApiError]) -> Any:
    return exc_info.value.response["error"]


# -- lifecycle and auth ---------------------------------------------------------------


def test_urls_point_at_a_loopback_port(fake: FakeSlack) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", fake.base_url)
    assert fake.api_url == fake.base_url + "api/"
    assert fake.port > 0


def test_stop_closes_the_port() -> None:
    server = FakeSlack().start()
    url = server.api_url
    assert WebClient(token=DEFAULT_TOKEN, base_url=url).auth_test()["ok"] is True
    server.stop()
    with pytest.raises(requests.ConnectionError):
        requests.post(url + "auth.test", timeout=2)


def test_auth_test_describes_the_bot(fake: FakeSlack, client: WebClient) -> None:
    response = client.auth_test()
    assert response["team_id"] == "T1"
    assert response["user_id"] == DEFAULT_BOT_USER_ID
    assert response["bot_id"] == "B1"
    assert response["is_enterprise_install"] is False
    assert response.get("enterprise_id") is None
    (call,) = fake.calls_to("auth.test")
    assert call.token == DEFAULT_TOKEN
    assert call.team_id == "T1"
    assert call.status == 200
    assert call.response["user_id"] == DEFAULT_BOT_USER_ID


def test_added_workspace_with_enterprise(fake: FakeSlack) -> None:
    fake.add_workspace(team_id="T2", enterprise_id="E1", team_name="Acme Sales")
    response = WebClient(token="xoxb-2", base_url=fake.api_url).auth_test()
    assert response["team_id"] == "T2"
    assert response["user_id"] == "UBOT2"
    assert response["bot_id"] == "B2"
    assert response["enterprise_id"] == "E1"
    assert response["url"] == "https://acmesales.slack.com/"


def test_unknown_token_is_invalid_auth(fake: FakeSlack) -> None:
    bad = WebClient(token="xoxb-nope", base_url=fake.api_url)
    with pytest.raises(SlackApiError) as exc_info:
        bad.chat_postMessage(channel="C1", text="hi")
    assert api_error(exc_info) == "invalid_auth"
    (call,) = fake.calls_to("chat.postMessage")
    assert call.token == "xoxb-nope"
    assert call.team_id is None
    assert fake.history("C1") == []


def test_revoked_and_missing_tokens(fake: FakeSlack, client: WebClient) -> None:
    fake.revoke(DEFAULT_TOKEN)
    with pytest.raises(SlackApiError) as exc_info:
        client.auth_test()
    assert api_error(exc_info) == "token_revoked"
    with pytest.raises(SlackApiError) as exc_info:
        WebClient(base_url=fake.api_url).auth_test()
    assert api_error(exc_info) == "not_authed"


def test_token_accepted_as_form_or_query_param(fake: FakeSlack) -> None:
    form = requests.post(fake.api_url + "auth.test", data={"token": DEFAULT_TOKEN}, timeout=5)
    query = requests.get(fake.api_url + "auth.test", params={"token": DEFAULT_TOKEN}, timeout=5)
    assert form.json()["user_id"] == DEFAULT_BOT_USER_ID
    assert query.json()["user_id"] == DEFAULT_BOT_USER_ID
    assert [c.token for c in fake.calls_to("auth.test")] == [DEFAULT_TOKEN, DEFAULT_TOKEN]


def test_keep_alive_connection_serves_many_requests(fake: FakeSlack) -> None:
    with requests.Session() as session:
        answers = [
            session.post(
                fake.api_url + "chat.postMessage",
                headers={"Authorization": f"Bearer {DEFAULT_TOKEN}"},
                json={"channel": "C1", "text": f"m{i}"},
                timeout=5,
            ).json()
            for i in range(5)
        ]
    assert all(a["ok"] for a in answers)
    assert [m["text"] for m in fake.history("C1")] == [f"m{i}" for i in range(5)]


# -- chat -----------------------------------------------------------------------------


def test_post_message_to_channel(fake: FakeSlack, client: WebClient) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]
    response = client.chat_postMessage(channel="C1", text="hi", blocks=blocks)
    assert response["channel"] == "C1"
    assert TS_PATTERN.match(response["ts"])
    message = response["message"]
    assert message["text"] == "hi"
    assert message["user"] == DEFAULT_BOT_USER_ID
    assert message["bot_id"] == "B1"
    assert message["ts"] == response["ts"]
    assert message["blocks"] == blocks
    (stored,) = fake.history("C1")
    assert stored["ts"] == response["ts"]
    (post,) = fake.posts("C1")
    assert post.json("blocks") == blocks


def test_post_message_to_user_id_opens_the_dm(fake: FakeSlack, client: WebClient) -> None:
    response = client.chat_postMessage(channel="U1", text="private note")
    assert response["channel"] == "DU1"
    assert client.conversations_open(users="U1")["channel"]["id"] == "DU1"
    assert [m["text"] for m in fake.history("DU1")] == ["private note"]
    info = client.conversations_info(channel="DU1")["channel"]
    assert info["is_im"] is True
    assert info["user"] == "U1"
    assert fake.posts("DU1") == fake.posts("U1") != []


def test_ts_values_increase(client: WebClient) -> None:
    stamps = [client.chat_postMessage(channel="C1", text=str(i))["ts"] for i in range(3)]
    assert stamps[0] == "1767225600.000100"
    assert [float(s) for s in stamps] == sorted(float(s) for s in stamps)
    assert len(set(stamps)) == 3


@pytest.mark.parametrize(
    ("member", "archived", "channel", "error"),
    [
        (False, False, "C9", "not_in_channel"),
        (True, True, "C9", "is_archived"),
        (True, False, "C404", "channel_not_found"),
        (True, False, "U404", "channel_not_found"),
    ],
)
def test_post_message_errors(
    fake: FakeSlack, client: WebClient, member: bool, archived: bool, channel: str, error: str
) -> None:
    fake.add_channel("C9", bot_is_member=member, is_archived=archived)
    with pytest.raises(SlackApiError) as exc_info:
        client.chat_postMessage(channel=channel, text="hi")
    assert api_error(exc_info) == error
    assert fake.history("C9") == []
    assert fake.posts() == []
    (call,) = fake.calls_to("chat.postMessage", channel=channel)
    assert call.response == {"ok": False, "error": error}


def test_post_message_requires_text_or_blocks(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as exc_info:
        client.api_call("chat.postMessage", json={"channel": "C1"})
    assert api_error(exc_info) == "no_text"


def test_channels_of_another_workspace_are_invisible(fake: FakeSlack, client: WebClient) -> None:
    fake.add_workspace(team_id="T2")
    fake.add_channel("C2", team_id="T2")
    with pytest.raises(SlackApiError) as exc_info:
        client.chat_postMessage(channel="C2", text="wrong token")
    assert api_error(exc_info) == "channel_not_found"
    other = WebClient(token="xoxb-2", base_url=fake.api_url)
    assert other.chat_postMessage(channel="C2", text="right token")["message"]["user"] == "UBOT2"
    assert [c.team_id for c in fake.calls_to("chat.postMessage")] == ["T1", "T2"]


def test_form_encoded_json_params_stay_strings(fake: FakeSlack, client: WebClient) -> None:
    blocks = [{"type": "divider"}]
    client.api_call(
        "chat.postMessage",
        params={"channel": "C1", "text": "x", "blocks": json.dumps(blocks)},
    )
    (call,) = fake.calls_to("chat.postMessage")
    assert call.params["blocks"] == json.dumps(blocks)
    assert call.json("blocks") == blocks
    assert fake.calls_to("chat.postMessage", blocks=blocks) == [call]
    assert fake.history("C1")[0]["blocks"] == blocks


def test_update_delete_permalink_and_ephemeral(fake: FakeSlack, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C1", text="draft")["ts"]
    updated = client.chat_update(channel="C1", ts=ts, text="final")
    assert (updated["channel"], updated["ts"], updated["text"]) == ("C1", ts, "final")
    assert fake.history("C1")[0]["text"] == "final"
    permalink = client.chat_getPermalink(channel="C1", message_ts=ts)["permalink"]
    assert permalink.endswith(f"/archives/C1/p{ts.replace('.', '')}")
    ephemeral = client.chat_postEphemeral(channel="C1", user="U1", text="psst")
    assert TS_PATTERN.match(ephemeral["message_ts"])
    assert client.chat_delete(channel="C1", ts=ts)["ok"] is True
    assert fake.history("C1") == []


def test_unknown_methods_are_recorded_and_ok(fake: FakeSlack, client: WebClient) -> None:
    assert client.reactions_add(channel="C1", timestamp="1.0", name="tada")["ok"] is True
    (call,) = fake.calls_to("reactions.add", name="tada")
    assert call.response == {"ok": True}


# -- conversations --------------------------------------------------------------------


def test_history_returns_metadata_only_on_request(fake: FakeSlack, client: WebClient) -> None:
    metadata = {"event_type": "coach_note", "event_payload": {"note_id": 7, "kind": "prompt"}}
    client.chat_postMessage(channel="C1", text="plain")
    ts = client.chat_postMessage(channel="C1", text="tagged", metadata=metadata)["ts"]

    with_metadata = client.conversations_history(channel="C1", include_all_metadata=True)
    assert [m["text"] for m in with_metadata["messages"]] == ["tagged", "plain"]
    assert with_metadata["messages"][0]["metadata"] == metadata
    assert with_metadata["messages"][0]["ts"] == ts
    assert with_metadata["has_more"] is False

    without = client.conversations_history(channel="C1")
    assert all("metadata" not in m for m in without["messages"])
    # The fake keeps it regardless.
    assert fake.history("C1")[1]["metadata"] == metadata


def test_history_bounds_and_limit(fake: FakeSlack, client: WebClient) -> None:
    stamps = [client.chat_postMessage(channel="C1", text=f"m{i}")["ts"] for i in range(5)]
    between = client.conversations_history(channel="C1", oldest=stamps[0], latest=stamps[4])
    assert [m["text"] for m in between["messages"]] == ["m3", "m2", "m1"]
    inclusive = client.conversations_history(channel="C1", oldest=stamps[0], latest=stamps[4], inclusive=True)
    assert len(inclusive["messages"]) == 5
    limited = client.conversations_history(channel="C1", limit=2)
    assert [m["text"] for m in limited["messages"]] == ["m4", "m3"]
    assert limited["has_more"] is True
    rest = client.conversations_history(channel="C1", limit=10, cursor=limited["response_metadata"]["next_cursor"])
    assert [m["text"] for m in rest["messages"]] == ["m2", "m1", "m0"]


def test_history_errors(fake: FakeSlack, client: WebClient) -> None:
    fake.add_channel("C9", bot_is_member=False)
    with pytest.raises(SlackApiError) as exc_info:
        client.conversations_history(channel="C9")
    assert api_error(exc_info) == "not_in_channel"
    with pytest.raises(SlackApiError) as exc_info:
        client.conversations_history(channel="C404")
    assert api_error(exc_info) == "channel_not_found"


def test_seeded_messages_and_threads(fake: FakeSlack, client: WebClient) -> None:
    parent = fake.add_message("C1", "question?", user="U1")
    client.chat_postMessage(channel="C1", text="answer", thread_ts=parent)
    history = client.conversations_history(channel="C1")["messages"]
    assert [m["text"] for m in history] == ["question?"]
    assert history[0]["reply_count"] == 1
    replies = client.conversations_replies(channel="C1", ts=parent)["messages"]
    assert [m["text"] for m in replies] == ["question?", "answer"]


def test_conversation_info_join_members(fake: FakeSlack, client: WebClient) -> None:
    fake.add_channel("C5", name="sales", bot_is_member=False, members=["U1"])
    fake.add_channel("G5", is_private=True)
    info = client.conversations_info(channel="C5")["channel"]
    assert (info["id"], info["name"], info["is_member"], info["is_private"]) == (
        "C5",
        "sales",
        False,
        False,
    )
    assert client.conversations_join(channel="C5")["channel"]["is_member"] is True
    assert fake.channel("C5").bot_is_member is True
    assert client.conversations_members(channel="C5")["members"] == sorted(["U1", DEFAULT_BOT_USER_ID])
    with pytest.raises(SlackApiError) as exc_info:
        client.conversations_join(channel="G5")
    assert api_error(exc_info) == "method_not_supported_for_channel_type"


# -- users and views ------------------------------------------------------------------


def test_users_info(fake: FakeSlack, client: WebClient) -> None:
    fake.add_user("U2", name="bob", tz="UTC", tz_offset=3600, is_admin=True)
    user = client.users_info(user="U1")["user"]
    assert (user["id"], user["team_id"], user["name"]) == ("U1", "T1", "ann")
    assert user["real_name"] == user["profile"]["real_name"] == "Ann Smith"
    assert user["tz"] == "Europe/London"
    assert user["tz_offset"] in (0, 3600)  # GMT or BST, computed from the zone
    assert user["tz_label"] in ("Greenwich Mean Time", "British Summer Time")
    assert user["is_bot"] is False
    bob = client.users_info(user="U2")["user"]
    assert (bob["tz_offset"], bob["is_admin"]) == (3600, True)
    assert client.users_info(user=DEFAULT_BOT_USER_ID)["user"]["is_bot"] is True
    with pytest.raises(SlackApiError) as exc_info:
        client.users_info(user="U404")
    assert api_error(exc_info) == "user_not_found"
    ids = {m["id"] for m in client.users_list()["members"]}
    assert ids == {"U1", "U2", DEFAULT_BOT_USER_ID}


def test_views_open_and_update(fake: FakeSlack, client: WebClient) -> None:
    view = {
        "type": "modal",
        "callback_id": "add_quote",
        "title": {"type": "plain_text", "text": "Add a quote"},
        "blocks": [{"type": "input", "block_id": "q", "element": {"type": "plain_text_input"}}],
    }
    opened = client.views_open(trigger_id="123.456.abc", view=view)["view"]
    assert re.fullmatch(r"V\w+", opened["id"])
    assert opened["callback_id"] == "add_quote"
    assert opened["blocks"] == view["blocks"]
    (call,) = fake.calls_to("views.open", trigger_id="123.456.abc")
    assert call.json("view") == view
    updated = client.views_update(view_id=opened["id"], view={**view, "callback_id": "done"})
    assert updated["view"]["id"] == opened["id"]
    assert fake.view(opened["id"])["callback_id"] == "done"
    home = client.views_publish(user_id="U1", view={"type": "home", "blocks": []})
    assert home["view"]["type"] == "home"


# -- files ----------------------------------------------------------------------------


def test_files_upload_v2_end_to_end(fake: FakeSlack, client: WebClient) -> None:
    response = client.files_upload_v2(
        channel="C1",
        content="a,b\n",
        filename="x.csv",
        title="Export",
        initial_comment="Here is your export",
    )
    assert response["ok"] is True
    file_id = response["file"]["id"]
    assert response["file"]["title"] == "Export"
    assert response["file"]["name"] == "x.csv"
    assert fake.uploaded(file_id) == b"a,b\n"
    assert fake.uploads == {file_id: b"a,b\n"}
    assert [c.method for c in fake.calls] == [
        "files.getUploadURLExternal",
        "upload",
        "files.completeUploadExternal",
    ]
    (complete,) = fake.calls_to("files.completeUploadExternal", channel_id="C1")
    assert complete.json("files") == [{"id": file_id, "title": "Export"}]
    assert complete.params["initial_comment"] == "Here is your export"
    (shared,) = fake.history("C1")
    assert shared["text"] == "Here is your export"
    assert shared["files"][0]["id"] == file_id
    assert fake.files[file_id]["completed"] is True


def test_multipart_upload_to_upload_url(fake: FakeSlack, client: WebClient) -> None:
    started = client.files_getUploadURLExternal(filename="r.bin", length=3)
    assert started["upload_url"] == f"{fake.base_url}upload/{started['file_id']}"
    answer = requests.post(started["upload_url"], files={"file": ("r.bin", b"\x00\x01\x02")}, timeout=5)
    assert (answer.status_code, answer.text) == (200, "OK - 3")
    assert fake.uploaded(started["file_id"]) == b"\x00\x01\x02"
    (upload,) = fake.calls_to("upload", file_id=started["file_id"])
    assert upload.response == {"ok": True, "text": "OK - 3"}


def test_complete_upload_without_upload_fails(client: WebClient) -> None:
    started = client.files_getUploadURLExternal(filename="r.txt", length=3)
    with pytest.raises(SlackApiError) as exc_info:
        client.files_completeUploadExternal(files=[{"id": started["file_id"]}])
    assert api_error(exc_info) == "file_not_found"


# -- response_url ---------------------------------------------------------------------


def test_response_url_posts_are_recorded(fake: FakeSlack) -> None:
    first, second = fake.response_url(), fake.response_url()
    assert first != second
    assert first.startswith(fake.base_url + "response/")
    answer = requests.post(first, json={"text": "done", "replace_original": True}, timeout=5)
    assert (answer.status_code, answer.text) == (200, "ok")
    requests.post(second, json={"text": "other"}, timeout=5)
    assert fake.responses() == [{"text": "done", "replace_original": True}, {"text": "other"}]
    assert fake.responses(first) == [{"text": "done", "replace_original": True}]
    (call,) = fake.wait_for("response_url", replace_original=True)
    assert call.status == 200


# -- fault injection ------------------------------------------------------------------


def test_fail_once_then_succeed(fake: FakeSlack, client: WebClient) -> None:
    fake.fail("chat.postMessage", "fatal_error", times=1)
    with pytest.raises(SlackApiError) as exc_info:
        client.chat_postMessage(channel="C1", text="first")
    assert api_error(exc_info) == "fatal_error"
    assert client.chat_postMessage(channel="C1", text="second")["ok"] is True
    assert [c.ok for c in fake.calls_to("chat.postMessage")] == [False, True]
    assert [m["text"] for m in fake.history("C1")] == ["second"]


def test_fail_with_status_and_filter(fake: FakeSlack, client: WebClient) -> None:
    fake.add_channel("C9")
    fake.fail("chat.postMessage", "internal_error", status=503, when={"channel": "C9"})
    assert client.chat_postMessage(channel="C1", text="fine")["ok"] is True
    for _ in range(2):
        with pytest.raises(SlackApiError) as exc_info:
            client.chat_postMessage(channel="C9", text="down")
        assert exc_info.value.response.status_code == 503
    fake.clear_failures()
    assert client.chat_postMessage(channel="C9", text="back")["ok"] is True
    assert [c.status for c in fake.calls_to("chat.postMessage", channel="C9")] == [503, 503, 200]


def test_ratelimit_next_is_retried_by_slack_sdk(fake: FakeSlack) -> None:
    retrying = WebClient(
        token=DEFAULT_TOKEN,
        base_url=fake.api_url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )
    fake.ratelimit_next("chat.postMessage", retry_after=0)
    response = retrying.chat_postMessage(channel="C1", text="eventually")
    assert response["ok"] is True
    calls = fake.calls_to("chat.postMessage")
    assert [c.status for c in calls] == [429, 200]
    assert calls[0].response == {"ok": False, "error": "ratelimited"}
    assert [m["text"] for m in fake.history("C1")] == ["eventually"]


def test_rate_limit_per_workspace_under_burst(fake: FakeSlack, client: WebClient) -> None:
    fake.add_workspace(team_id="T2")
    fake.add_channel("C2", team_id="T2")
    other = WebClient(token="xoxb-2", base_url=fake.api_url, retry_handlers=[])
    fake.rate_limit("chat.postMessage", per_second=5)
    statuses: list[int] = []
    retry_after: set[str] = set()
    for i in range(12):
        try:
            statuses.append(client.chat_postMessage(channel="C1", text=str(i)).status_code)
        except SlackApiError as err:
            statuses.append(err.response.status_code)
            assert err.response["error"] == "ratelimited"
            retry_after.add(str(err.response.headers.get("Retry-After")))
    assert statuses[:5] == [200] * 5
    assert statuses.count(429) >= 5
    assert retry_after == {"1"}
    # Another workspace has its own budget.
    assert other.chat_postMessage(channel="C2", text="independent")["ok"] is True


def test_wait_for_times_out_listing_methods_seen(fake: FakeSlack, client: WebClient) -> None:
    client.auth_test()
    started = time.monotonic()
    with pytest.raises(AssertionError, match=r"chat\.postMessage.*auth\.test"):
        fake.wait_for("chat.postMessage", timeout=0.2)
    assert time.monotonic() - started >= 0.2


def test_wait_for_blocks_until_calls_arrive(fake: FakeSlack, client: WebClient) -> None:
    def later() -> None:
        time.sleep(0.1)
        for i in range(2):
            client.chat_postMessage(channel="C1", text=f"late {i}")

    worker = threading.Thread(target=later)
    worker.start()
    calls = fake.wait_for("chat.postMessage", count=2, timeout=5, channel="C1")
    worker.join()
    assert [c.params["text"] for c in calls] == ["late 0", "late 1"]


def test_latency_and_hang(fake: FakeSlack) -> None:
    fake.latency = 0.2
    client = WebClient(token=DEFAULT_TOKEN, base_url=fake.api_url, retry_handlers=[])
    started = time.monotonic()
    client.auth_test()
    assert time.monotonic() - started >= 0.2
    fake.latency = 0
    fake.hang("auth.test", 5, times=1)
    impatient = WebClient(token=DEFAULT_TOKEN, base_url=fake.api_url, timeout=1, retry_handlers=[])
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        impatient.auth_test()
    assert time.monotonic() - started < 4
    assert client.auth_test()["ok"] is True


def test_concurrent_posts_are_all_recorded_with_unique_ts(fake: FakeSlack) -> None:
    threads_count = 50
    barrier = threading.Barrier(threads_count)
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def post(i: int) -> None:
        client = WebClient(token=DEFAULT_TOKEN, base_url=fake.api_url)
        barrier.wait()
        try:
            ts = client.chat_postMessage(channel="C1", text=f"msg {i}")["ts"]
        except BaseException as exc:
            with lock:
                errors.append(exc)
            return
        with lock:
            results.append(ts)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len(results) == threads_count
    assert len(set(results)) == threads_count
    calls = fake.wait_for("chat.postMessage", count=threads_count, timeout=5)
    assert len(calls) == threads_count
    assert {c.params["text"] for c in calls} == {f"msg {i}" for i in range(threads_count)}
    assert len(fake.history("C1")) == threads_count


def test_hundreds_of_slow_requests_are_served_concurrently(fake: FakeSlack) -> None:
    clients_count, latency = 200, 0.5
    fake.latency = latency
    barrier = threading.Barrier(clients_count + 1)
    failures: list[BaseException] = []

    def call() -> None:
        client = WebClient(token=DEFAULT_TOKEN, base_url=fake.api_url, timeout=30)
        barrier.wait()
        try:
            client.auth_test()
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=call) for _ in range(clients_count)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.monotonic()
    for thread in threads:
        thread.join(timeout=60)
    elapsed = time.monotonic() - started
    assert failures == []
    assert len(fake.calls_to("auth.test")) == clients_count
    # Served one after another this would take clients_count * latency = 100 s.
    assert latency <= elapsed < 20
