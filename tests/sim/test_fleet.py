"""sim/fleet.py: the simulators a scenario names, the env that points a run at them, latency,
and the handler errors a test must see."""

from __future__ import annotations

import importlib.util
import time

import httpx
import pytest

from responder.engine.context import Endpoints
from responder.sim.fleet import SIMULATORS, Fleet, simulator_class
from responder.sim.server import Response, SimServer

# Registry and web simulators serve public metadata and hold no tokens.
TOKENLESS = frozenset({"pypi", "web", "oci"})
WITH_TOKENS = sorted(set(SIMULATORS) - TOKENLESS)


def _importable(name: str) -> bool:
    # The OCI simulator is written in parallel; until it lands its cases skip, not fail.
    return importlib.util.find_spec(SIMULATORS[name].partition(":")[0]) is not None


EVERY_SIMULATOR = [
    pytest.param(name, marks=pytest.mark.skipif(not _importable(name),
                                                 reason=f"{SIMULATORS[name]} not written yet"))
    for name in sorted(SIMULATORS)
]


def test_env_names_every_simulator_at_its_api_url():
    with Fleet({"slack": {}, "gitlab": {}, "npm": {}}) as fleet:
        env = fleet.env()
        assert set(env) == {"RESPONDER_SLACK_API_URL", "RESPONDER_GITLAB_API_URL",
                            "RESPONDER_NPM_API_URL"}
        assert env["RESPONDER_SLACK_API_URL"] == fleet["slack"].base_url + "/api"
        assert env["RESPONDER_GITLAB_API_URL"] == fleet["gitlab"].base_url + "/api/v4"
        assert env["RESPONDER_NPM_API_URL"] == fleet["npm"].base_url
        assert len({fleet[n].base_url for n in fleet}) == 3  # one port each
        # What a run makes of them: the adapters' names.
        assert set(Endpoints.from_env(env).urls) == {"slack", "gitlab", "npm"}
        assert "slack" in fleet and "github" not in fleet
        assert list(fleet) == ["slack", "gitlab", "npm"]


def test_the_fleet_stops_every_simulator():
    fleet = Fleet({"slack": {}, "google": {}})
    with fleet:
        urls = [fleet[n].base_url for n in fleet]
    for url in urls:
        with pytest.raises(httpx.TransportError):
            httpx.get(url + "/", timeout=0.5)
    with pytest.raises(RuntimeError):
        fleet["slack"].base_url  # noqa: B018


def test_latency_is_applied_to_every_simulator_and_a_seed_may_override_it():
    fleet = Fleet({"slack": {}, "gitlab": {"latency": 0.25}}, latency=0.12)
    assert fleet["slack"].latency == 0.12 and fleet["gitlab"].latency == 0.25
    with fleet:
        started = time.monotonic()
        answer = httpx.post(fleet["slack"].api_url + "/auth.test", timeout=2)
        took = time.monotonic() - started
    assert answer.status_code == 200 and took >= 0.12  # a lower bound: it waited
    fleet.set_latency(0.0)
    assert all(fleet[n].latency == 0.0 for n in fleet)


def test_requests_are_collected_with_the_simulators_name():
    with Fleet({"slack": {}, "google": {}}) as fleet:
        httpx.post(fleet["slack"].api_url + "/auth.test", timeout=2)
        httpx.post(fleet["google"].api_url + "/revoke", data={"token": "ya29.x"}, timeout=2)
        seen = [(name, r.method, r.path) for name, r in fleet.requests()]
    assert seen == [("slack", "POST", "/api/auth.test"), ("google", "POST", "/revoke")]


def test_errors_collects_handler_errors_from_every_simulator():
    with Fleet({"slack": {}, "npm": {}}) as fleet:
        assert fleet.errors() == []
        boom = RuntimeError("handler bug")

        def broken(request):
            raise boom

        fleet["npm"].route("GET", "/broken", broken)
        answer = httpx.get(fleet["npm"].api_url + "/broken", timeout=2)
        assert answer.status_code == 500  # a handler bug answers 500, it does not hang
        assert fleet.errors() == [boom]


@pytest.mark.parametrize("name", WITH_TOKENS)
def test_from_seed_of_every_simulator_accepts_revoke_lag(name):
    sim = simulator_class(name).from_seed({"revoke_lag": 3})
    lag = sim.revoke_lag if name == "github" else sim.tokens.revoke_lag
    assert lag == 3
    assert (simulator_class(name).from_seed({}).revoke_lag if name == "github"
            else simulator_class(name).from_seed({}).tokens.revoke_lag) == 0


@pytest.mark.parametrize("name", sorted(set(WITH_TOKENS) - {"github"}))
def test_revoke_lag_keeps_a_revoked_token_working_that_many_requests(name):
    sim = simulator_class(name).from_seed(
        {"revoke_lag": 2, "tokens": [{"value": "lagtoken-" + "L" * 30, "account": "dana"}]})
    [token] = sim.tokens.all()
    assert sim.tokens.revoke(token)
    answers = [sim.tokens.authenticate(token.value) for _ in range(3)]
    assert [a is not None for a in answers] == [True, True, False]
    assert not sim.tokens.is_active(token.value)


def test_fleet_passes_revoke_lag_through():
    fleet = Fleet({"github": {"revoke_lag": 2}, "slack": {"revoke_lag": 1}})
    assert fleet["github"].revoke_lag == 2 and fleet["slack"].tokens.revoke_lag == 1


def test_an_unknown_simulator_is_a_clear_error():
    with pytest.raises(KeyError, match="no simulator for 'stripe'"):
        Fleet({"stripe": {}})


@pytest.mark.parametrize("name", EVERY_SIMULATOR)
def test_a_drill_fault_of_any_status_answers_that_status(name):
    # `responder drill --fault PROVIDER=529` (Anthropic's "overloaded") must answer 529.
    sim = simulator_class(name).from_seed({})
    sim.faults.add("*", "*", status=529, times=None)
    with sim:
        answer = httpx.get(sim.api_url + "/anything", timeout=2)
    assert answer.status_code == 529 and sim.errors == []


def test_the_base_simulator_answers_a_non_standard_fault_status():
    sim = SimServer()
    sim.route("GET", "/x", lambda r: Response(200, {}))
    sim.faults.add("GET", "/x", status=529, times=1)
    with sim:
        answer = httpx.get(sim.base_url + "/x", timeout=2)
    assert answer.status_code == 529 and sim.errors == []
