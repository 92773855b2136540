"""Round-trip YAML nodes (ruamel) as plain data, and where a key sits in the file.

Playbooks and rules files are loaded round-trip so that a validation error can name the line of
the offending key; the models then validate plain dicts and lists.
"""

from __future__ import annotations

from typing import Any


def plain(node: Any) -> Any:
    """ruamel's CommentedMap / CommentedSeq / ScalarString as dict / list / str."""
    if isinstance(node, dict):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    return node


def line_of(document: Any, loc: tuple[Any, ...]) -> tuple[int, int] | None:
    """The 1-based line and column of the deepest node of `loc` present in the YAML."""
    node, found = document, None
    for part in loc:
        lc = getattr(node, "lc", None)
        if isinstance(node, dict) and part in node:
            if lc is not None:
                found = lc.key(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            if lc is not None:
                found = lc.item(part)
            node = node[part]
        else:
            break
    return (found[0] + 1, found[1] + 1) if found else None
