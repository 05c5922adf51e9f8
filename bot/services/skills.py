"""The default skill rubric: the selling skills a manager coaches and the store is tagged with.

Defined once here. Curated prompts name one skill each (``skill:`` in prompts.yaml), curated
quotes may carry skills as tags, and coaching features score and target reps by the same list.
"""

from __future__ import annotations

DEFAULT_SKILLS: tuple[str, ...] = (
    "prospecting",
    "discovery",
    "demo",
    "objection-handling",
    "negotiation",
    "closing",
    "pipeline",
    "product-knowledge",
)
SKILL_LABELS: dict[str, str] = {
    "prospecting": "Prospecting",
    "discovery": "Discovery",
    "demo": "Demo",
    "objection-handling": "Objection handling",
    "negotiation": "Negotiation",
    "closing": "Closing",
    "pipeline": "Pipeline",
    "product-knowledge": "Product knowledge",
}
