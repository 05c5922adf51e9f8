"""What the page shows: the conversation as HTML in the reader's zone, the open modal, the
home tab, and the fixed cast (personas, channels, commands) the page is built from."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from bot.blocks.submissions import SHORTCUT
from bot.playground import render, render_text
from bot.playground import world as w
from bot.playground.clock import PlaygroundClock
from bot.playground.workflows import catalog as workflow_catalog
from bot.playground.world import World

COMMANDS = {
    "/quote": '[help | daily 09:00 | add "text" — Author | top | search words]',
    "/coach": "[help | @rep note | notes | overview | prompts 08:30]",
}
SHORTCUTS = [{"callback_id": SHORTCUT, "name": "Save as leadership quote"}]
REACTIONS = ("+1", "heart", "fire", "tada", "clap", "bulb")


def directory_for(persona: w.Persona) -> render_text.Directory:
    users = {p.id: p.real_name for p in w.PERSONAS}
    users[w.BOT_USER_ID] = w.BOT_NAME
    channels = {c.id: c.name for c in w.CHANNELS if not c.is_im}
    return render_text.Directory(users=users, channels=channels, tz=persona.tz)


def author(user_id: str) -> render.Author:
    if user_id == w.BOT_USER_ID:
        return render.Author("coachbot", "c", "#4a154b", is_app=True)
    if user_id == "USLACKBOT":
        return render.Author("Slackbot", "S", "#e01e5a", is_app=False)
    persona = w.PERSONA_BY_ID.get(user_id)
    if persona is None:
        return render.Author(user_id, "?", "#888")
    return render.Author(persona.real_name, persona.real_name[0], persona.color)


def page_state(world: World, clock: PlaygroundClock, persona: w.Persona, channel: w.Channel) -> dict[str, Any]:
    directory = directory_for(persona)
    shown: list[str] = []
    with world.lock:
        version = world.version
        world.mark_seen(channel.id, persona.id)
        unread = {c.id: world.unread(c.id, persona.id) for c in w.CHANNELS if not c.is_im}
        unread["dm"] = world.unread(persona.dm, persona.id)
        day = ""
        for m in world.visible(channel.id, persona.id):
            if render.local_day(m.ts, directory) != day:
                day = render.local_day(m.ts, directory)
                shown.append(render.day_divider(m.ts, directory))
            shown.append(
                render.message_html(
                    {**m.to_api(with_metadata=False), "edited": m.edited, "reactions": m.reactions},
                    author=author(m.user),
                    directory=directory,
                    ephemeral=m.visible_to is not None,
                    system=m.system,
                    me=persona.id,
                )
            )
        stack = world.modal_stack(persona.id)
        home = world.homes.get(persona.id)
    top = stack[-1] if stack else None
    now = clock().astimezone(ZoneInfo(persona.tz))
    return {
        "version": version,
        "persona": persona.id,
        "conv": channel.id,
        "clock": {"iso": now.isoformat(), "label": f"{now:%a %d %b, %H:%M}", "zone": persona.tz},
        "messages": "".join(shown),
        "unread": unread,
        "home": {"id": home["id"], "html": render.blocks_html(home.get("blocks") or [], directory)} if home else None,
        "modal": None
        if top is None
        else {
            "id": top["id"],
            "hash": top["hash"],
            "depth": len(stack),
            "title": render_text.plain(top.get("title")),
            "submit": render_text.plain(top.get("submit")) if top.get("submit") else None,
            "close": render_text.plain(top.get("close")) or "Cancel",
            "html": render.blocks_html(top.get("blocks") or [], directory),
        },
    }


def page_config() -> dict[str, Any]:
    return {
        "team": w.TEAM_NAME,
        "personas": [
            {"id": p.id, "name": p.real_name, "role": p.role, "tz": p.tz, "color": p.color, "dm": p.dm}
            for p in w.PERSONAS
        ],
        "channels": [{"id": c.id, "name": c.name} for c in w.CHANNELS if not c.is_im],
        "commands": [{"command": k, "hint": v} for k, v in COMMANDS.items()],
        "shortcuts": SHORTCUTS,
        "workflow_steps": workflow_catalog(),
        "reactions": [{"name": r, "emoji": render_text.EMOJI.get(r, r)} for r in REACTIONS],
    }
