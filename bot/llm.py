"""The optional language model: any OpenAI-compatible chat-completions endpoint.

Off unless ``COACHBOT_LLM_BASE_URL`` and ``COACHBOT_LLM_MODEL`` are set. The ``openai``
client speaks to OpenAI itself and to local servers (Ollama, vLLM, llama.cpp) alike. What
goes into the messages is decided elsewhere (``bot.services.assistant_context``: only the
asking member's own data); this module only sends them and reads the answer.

Every failure (refused, unreachable, an error status, no answer within
``COACHBOT_LLM_TIMEOUT_SECONDS``) becomes one ``ModelUnavailable`` naming the kind of failure
and nothing else: the caller falls back to the data answer. No retries: a person is waiting,
and the data answer is ready. The key is never logged (``Settings.llm_api_key`` has no repr,
and the ``openai`` logger stays at WARNING, see ``bot.logs``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Literal

import openai

from bot.config import Settings
from bot.services.assistant_context import Message

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletionMessageParam

Reason = Literal["timeout", "unreachable", "refused", "error"]
# Local servers accept any key, but the client insists on one.
NO_KEY = "no-key-needed"


class ModelUnavailable(Exception):
    """The model gave no usable answer; ``reason`` says why in one word (no payloads)."""

    def __init__(self, reason: Reason, detail: str = "") -> None:
        super().__init__(f"{reason}{': ' + detail if detail else ''}")
        self.reason: Reason = reason
        self.detail = detail


class LanguageModel:
    """One configured endpoint and model. Thread-safe (the ``openai`` client is)."""

    def __init__(self, *, base_url: str, model: str, api_key: str | None, timeout_seconds: float) -> None:
        self.base_url = base_url
        self.model = model
        self._client = openai.OpenAI(
            base_url=base_url, api_key=api_key or NO_KEY, timeout=timeout_seconds, max_retries=0
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> LanguageModel | None:
        """The model in force, or None when the assistant answers from data only."""
        if not (settings.llm_base_url and settings.llm_model):
            return None
        return cls(
            base_url=settings.llm_base_url,
            model=settings.llm_model,
            api_key=settings.llm_api_key,
            timeout_seconds=settings.llm_timeout_seconds,
        )

    def stream(self, messages: Sequence[Message]) -> Iterator[str]:
        """The answer as it arrives, piece by piece. Raises ``ModelUnavailable`` (on the first
        ``next`` when the model refuses or never answers, later if it breaks off)."""
        params: list[ChatCompletionMessageParam] = [
            {"role": m.role, "content": m.content}  # type: ignore[misc]
            for m in messages
        ]
        try:
            chunks = self._client.chat.completions.create(model=self.model, messages=params, stream=True)
            for chunk in chunks:
                for choice in chunk.choices:
                    if choice.delta.content:
                        yield choice.delta.content
        except openai.OpenAIError as exc:
            raise _unavailable(exc) from None

    def complete(self, messages: Sequence[Message]) -> str:
        """The whole answer at once (``stream`` joined)."""
        return "".join(self.stream(messages))

    def probe(self) -> list[str]:
        """The model names the endpoint serves (``GET /models``), for ``coachbot doctor``."""
        try:
            return [m.id for m in self._client.models.list()]
        except openai.OpenAIError as exc:
            raise _unavailable(exc) from None


def _unavailable(exc: openai.OpenAIError) -> ModelUnavailable:
    if isinstance(exc, openai.APITimeoutError):
        return ModelUnavailable("timeout")
    if isinstance(exc, openai.APIConnectionError):
        return ModelUnavailable("unreachable", type(exc).__name__)
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return ModelUnavailable("refused", f"HTTP {exc.status_code}")
    if isinstance(exc, openai.APIStatusError):
        return ModelUnavailable("error", f"HTTP {exc.status_code}")
    return ModelUnavailable("error", type(exc).__name__)
