"""Local evidence from MCP client logs: `collect` reads them for the suspect servers' calls."""

from responder.activity.logs.collect import collect

__all__ = ["collect"]
