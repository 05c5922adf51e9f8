"""The fake Slack Web API: files.* (the upload URLs are served by the core)."""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from tests.fakes.core import FakeSlackCore, Workspace, _ApiError, _as_int, _FileRecord, _maybe_json


class FilesApi(FakeSlackCore):
    API_METHODS: ClassVar[dict[str, str]] = {
        "files.getUploadURLExternal": "_files_get_upload_url_external",
        "files.completeUploadExternal": "_files_complete_upload_external",
    }

    def _files_get_upload_url_external(self, ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
        filename = params.get("filename")
        if not filename or params.get("length") in (None, ""):
            raise _ApiError("invalid_arguments")
        length = _as_int(params.get("length"), 0)
        file_id = self._next_id("F")
        self._files[file_id] = _FileRecord(id=file_id, team_id=ws.team_id, name=str(filename), length=length)
        return {"ok": True, "upload_url": f"{self.base_url}upload/{file_id}", "file_id": file_id}

    def _files_complete_upload_external(self, ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
        items = _maybe_json(params.get("files"))
        if not isinstance(items, list) or not items:
            raise _ApiError("invalid_arguments")
        records: list[_FileRecord] = []
        for item in items:
            file_id = item.get("id") if isinstance(item, dict) else None
            record = self._files.get(str(file_id))
            if record is None or record.team_id != ws.team_id or record.data is None:
                raise _ApiError("file_not_found")
            records.append(record)
        channel_ids: list[str] = []
        if params.get("channel_id"):
            channel_ids.append(str(params["channel_id"]))
        if params.get("channels"):
            channel_ids.extend(c for c in str(params["channels"]).split(",") if c)
        channels = [self._postable(ws, c) for c in channel_ids]
        thread_ts = params.get("thread_ts") or None
        comment = params.get("initial_comment") or None
        for item, record in zip(items, records, strict=True):
            title = item.get("title")
            record.title = str(title) if title else record.name
            record.completed = True
            record.initial_comment = comment
            record.thread_ts = thread_ts
            record.channels.extend(c.id for c in channels)
        shared = [r.to_api() for r in records]
        for channel in channels:
            message = self._bot_message(ws, {"text": comment or "", "thread_ts": thread_ts})
            message["files"] = copy.deepcopy(shared)
            message["upload"] = True
            self._store_message(channel, message)
        return {"ok": True, "files": shared}


# ---------------------------------------------------------------------------
# HTTP plumbing
# ---------------------------------------------------------------------------
