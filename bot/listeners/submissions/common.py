"""What the submission listeners share: a button press (or a form standing in for one) as
plain values, the form's tags, and form errors under the right field. Who a quote names is
checked in ``bot.flows.quote_authors``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, Respond

from bot.blocks import submissions as ui
from bot.errors import NotFound, UserError
from bot.flows.decide_quote import Pressed
from bot.listeners import payload
from bot.services.quote_input import QUOTE_TAGS

_FORM_BLOCKS = {ui.TEXT_BLOCK, ui.AUTHOR_BLOCK, ui.SOURCE_BLOCK, ui.TAGS_BLOCK, ui.REASON_BLOCK}
NO_SUCH = "That button refers to no quote I know: no such submission. Run `/quote review` for the current list."


@dataclass(frozen=True)
class Press:
    """A button press (or a review form standing in for one), as plain values."""

    team_id: str
    enterprise_id: str | None
    user_id: str
    submission_id: int
    trigger_id: str
    response_url: str | None
    channel_id: str | None
    message_ts: str | None

    def pressed(self, confirm: Callable[[str], None] | None = None) -> Pressed:
        """The flow's request; ``confirm`` (else the response_url's) answers the presser privately."""
        return Pressed(
            team_id=self.team_id,
            user_id=self.user_id,
            submission_id=self.submission_id,
            channel_id=self.channel_id,
            message_ts=self.message_ts,
            confirm=confirm or self.confirm(),
        )

    def confirm(self) -> Callable[[str], None] | None:
        """A private line back to the presser, when Slack gave a response_url."""
        if not self.response_url:
            return None
        respond = Respond(response_url=self.response_url)

        def say(text: str) -> None:
            respond(text=text, response_type="ephemeral", replace_original=False)

        return say


def submission_id(raw: Any) -> int:
    # Ids are 32-bit in the database: a larger one would be a database error, not "no such".
    parsed = payload.parse_id(str(raw or ""))
    if parsed is None:
        raise NotFound(NO_SUCH)
    return parsed


def press_of(body: dict[str, Any]) -> Press:
    who = payload.actor(body)
    return Press(
        team_id=who.team_id,
        enterprise_id=who.enterprise_id,
        user_id=who.user_id,
        submission_id=submission_id(payload.action_value(body)),
        trigger_id=payload.trigger_id(body),
        response_url=payload.response_url(body),
        channel_id=payload.channel_id(body),
        message_ts=payload.message_ts(body),
    )


def form_press(body: dict[str, Any], view: dict[str, Any]) -> tuple[Press, dict[str, Any]]:
    """A review form: the press that opened it travels in its private_metadata."""
    who = payload.actor(body)
    meta = payload.metadata_json(view)
    press = Press(
        team_id=who.team_id,
        enterprise_id=who.enterprise_id,
        user_id=who.user_id,
        submission_id=submission_id(meta.get("id")),
        trigger_id=payload.trigger_id(body),
        response_url=meta.get("response_url") if isinstance(meta.get("response_url"), str) else None,
        channel_id=meta.get("channel") if isinstance(meta.get("channel"), str) else None,
        message_ts=meta.get("ts") if isinstance(meta.get("ts"), str) else None,
    )
    return press, payload.view_values(view)


def tags(values: dict[str, Any]) -> list[str]:
    return [v for v in payload.selected_values(values, ui.TAGS_BLOCK) if v in QUOTE_TAGS]


def form_error(ack: Ack, err: UserError) -> None:
    """A problem with one field goes under that field; anything else is raised to the
    one error handler, which shows it in a pushed "Not saved" view."""
    if err.block_id in _FORM_BLOCKS:
        ack(response_action="errors", errors={err.block_id: err.message.replace("`", "")})
        return
    raise err
