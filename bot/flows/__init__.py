"""The application layer: one module per user-visible flow that takes more than one step.

A flow takes a plain request (a dataclass; no Bolt objects, though a ``WebClient`` may be
passed for the gateway) and returns what to send (a ``bot.blocks.Message`` or a result
dataclass). It calls services for the rules and storage and ``bot.gateway`` for Slack's Web
API. Listeners and the scheduler only translate Slack in and out of these requests.
"""
