"""responder: incident-response playbooks for MCP servers."""

__version__ = "0.1.0"
