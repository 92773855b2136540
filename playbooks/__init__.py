"""The playbooks shipped with responder (data only; see docs/playbooks.md)."""
