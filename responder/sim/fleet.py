"""Start the simulated providers a scenario names, and tell a run where they are.

`Fleet({"github": {...}, "slack": {...}})` starts one simulator per provider on 127.0.0.1 and
`env()` gives the `RESPONDER_<PROVIDER>_API_URL` variables that point a run at them. Drills and
tests use the same code path; nothing here ever listens beyond loopback.

A simulator that serves named hosts (it has a `hosts` attribute: web pages, OCI registries) is
reached through `RESPONDER_HOST_MAP` instead, space-separated `host=base_url` pairs: the client
connects to the base URL and sends the original host in the `Host` header.
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Iterator, Mapping
from datetime import datetime
from types import TracebackType
from typing import Any, Self

from responder.sim.server import RecordedRequest, SimServer

SIMULATORS: dict[str, str] = {
    "github": "responder.sim.github:GitHubSimulator",
    "gitlab": "responder.sim.gitlab:GitLabSimulator",
    "slack": "responder.sim.slack:SlackSimulator",
    "google": "responder.sim.google:GoogleSimulator",
    "npm": "responder.sim.npm:NpmSimulator",
    "vercel": "responder.sim.vercel:VercelSimulator",
    "cloudflare": "responder.sim.cloudflare:CloudflareSimulator",
    "openai": "responder.sim.openai:OpenAISimulator",
    "anthropic": "responder.sim.anthropic:AnthropicSimulator",
    "pypi": "responder.sim.pypi:PyPISimulator",
    "web": "responder.sim.web:WebSimulator",
    "oci": "responder.sim.oci:OciSimulator",
}


def simulator_class(name: str) -> type[SimServer]:
    if name not in SIMULATORS:
        raise KeyError(f"no simulator for {name!r}; simulators: {', '.join(SIMULATORS)}")
    module, _, attribute = SIMULATORS[name].partition(":")
    return getattr(importlib.import_module(module), attribute)


class Fleet:
    def __init__(self, seeds: Mapping[str, Mapping[str, Any]], now: datetime | None = None,
                 latency: float = 0.0, seed: int | None = None) -> None:
        """`seed` makes every simulator's random values (request ids, issued tokens) and its
        port the same from one fleet to the next: a reproducible drill."""
        self.sims: dict[str, SimServer] = {}
        # Seeded ports sit below Linux's ephemeral range (32768+), where clients' own ports are.
        base = random.Random(f"{seed}:ports").randrange(20000, 32000 - len(seeds)) \
            if seed is not None else 0
        for index, (name, spec) in enumerate(seeds.items()):
            sim = simulator_class(name).from_seed(dict(spec or {}), now=now)  # type: ignore[attr-defined]
            sim.latency = float((spec or {}).get("latency", latency))
            if seed is not None:
                sim.rng = random.Random(f"{seed}:{name}")
                sim.port = base + index
            self.sims[name] = sim

    def __getitem__(self, name: str) -> Any:
        return self.sims[name]

    def __contains__(self, name: str) -> bool:
        return name in self.sims

    def __iter__(self) -> Iterator[str]:
        return iter(self.sims)

    def start(self) -> Self:
        for sim in self.sims.values():
            sim.start()
        return self

    def stop(self) -> None:
        for sim in self.sims.values():
            sim.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()

    def env(self) -> dict[str, str]:
        env = {f"RESPONDER_{name.upper()}_API_URL": sim.api_url
               for name, sim in self.sims.items() if not hasattr(sim, "hosts")}
        pairs = [f"{host}={sim.base_url}" for sim in self.sims.values()
                 if hasattr(sim, "hosts") for host in sim.hosts]
        if pairs:
            env["RESPONDER_HOST_MAP"] = " ".join(pairs)
        return env

    def set_latency(self, seconds: float) -> None:
        for sim in self.sims.values():
            sim.latency = seconds

    def requests(self) -> list[tuple[str, RecordedRequest]]:
        return [(name, r) for name, sim in self.sims.items() for r in list(sim.requests)]

    def errors(self) -> list[BaseException]:
        return [e for sim in self.sims.values() for e in sim.errors]
