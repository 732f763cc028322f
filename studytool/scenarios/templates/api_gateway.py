"""Templates about API Gateway (REST API) stage caching: how many requests reach the backend
for given arrival times, TTLs, method overrides and invalidations, and which TTLs and cache
sizes are valid."""

from __future__ import annotations

import random

from studytool.model import queries
from studytool.model.topology import ApiRequest, ApiStage, MethodSettings
from studytool.scenarios.templates.base import Draft, Option, Probe, template
from studytool.scenarios.templates.describe import question_text

TTL_POOL: tuple[int | None, ...] = (None, 0, 30, 60, 120, 300, 300, 600, 3600, 4000)
GAPS = (1, 10, 20, 30, 45, 60, 90, 120, 150, 299, 300, 301, 600)


def _ttl_phrase(ttl: int | None) -> str:
    return "no TTL set" if ttl is None else f"TTL {ttl} seconds"


def _stage_lines(stage: ApiStage) -> list[str]:
    if not stage.cache_enabled:
        return ["stage prod: caching not enabled"]
    lines = [f"stage prod: caching enabled, {_ttl_phrase(stage.ttl)}"]
    for key, settings in stage.methods.items():
        parts = []
        if settings.cache is not None:
            parts.append("caching on" if settings.cache else "caching off")
        if settings.ttl is not None:
            parts.append(f"TTL {settings.ttl} seconds")
        lines.append(f"method override for {key}: {', '.join(parts)}")
    return lines


def _request_lines(requests: list[ApiRequest]) -> list[str]:
    lines = []
    for request in requests:
        header = " with the header Cache-Control: max-age=0" if request.invalidate else ""
        lines.append(f"request at {request.time:g} s: {request.key}{header}")
    return lines


def _arrivals(rng: random.Random, count: int) -> list[float]:
    times = [0.0]
    for _ in range(count - 1):
        times.append(times[-1] + rng.choice(GAPS))
    return times


def _calls_question(stage: ApiStage, requests: list[ApiRequest]) -> Draft:
    lines = [*_stage_lines(stage), *_request_lines(requests)]  # one bullet each, in time order
    text = question_text("An API Gateway REST API:", lines, "How many reach the backend?")
    # the text lists the stage settings and every request: it names the situation
    probe = Probe(queries.backend_calls_for, (stage, tuple(requests)), key=("calls", text))
    return Draft(text, probe=probe)


@template("api-gateway/backend-calls", "Requests that reach the backend", "number")
def backend_calls(rng: random.Random) -> Draft:
    stage = ApiStage(cache_enabled=rng.random() < 0.88, ttl=rng.choice(TTL_POOL))
    paths = ("/items",) if rng.random() < 0.6 else ("/items", "/users")
    requests = [
        ApiRequest(time, "GET", rng.choice(paths)) for time in _arrivals(rng, rng.randint(4, 8))
    ]
    return _calls_question(stage, requests)


METHOD_KEYS = ("GET /items", "POST /items", "GET /live", "PUT /items")


@template("api-gateway/method-overrides", "GET-only caching and method overrides", "number")
def method_overrides(rng: random.Random) -> Draft:
    methods: dict[str, MethodSettings] = {}
    if rng.random() < 0.5:
        methods["GET /live"] = MethodSettings(cache=False)
    if rng.random() < 0.35:
        methods["POST /items"] = MethodSettings(cache=True)
    if rng.random() < 0.35:
        methods["GET /items"] = MethodSettings(ttl=rng.choice((10, 60, 900)))
    stage = ApiStage(cache_enabled=True, ttl=rng.choice((60, 120, 300, None)), methods=methods)
    requests = []
    for time in _arrivals(rng, rng.randint(5, 9)):
        method, path = rng.choice(METHOD_KEYS).split(" ")
        requests.append(ApiRequest(time, method, path))
    return _calls_question(stage, requests)


@template("api-gateway/invalidation", "Cache-Control: max-age=0", "number")
def invalidation(rng: random.Random) -> Draft:
    stage = ApiStage(cache_enabled=True, ttl=rng.choice((60, 300, 600, 3600, None)))
    requests = [
        ApiRequest(time, "GET", "/items", invalidate=index > 0 and rng.random() < 0.3)
        for index, time in enumerate(_arrivals(rng, rng.randint(4, 8)))
    ]
    return _calls_question(stage, requests)


# --------------------------------------------------------------------------- valid settings
TTL_CANDIDATES: tuple[tuple[int, str], ...] = (
    (-1, "-1 seconds"), (0, "0 seconds"), (1, "1 second"), (60, "60 seconds"),
    (300, "300 seconds"), (900, "15 minutes"), (3600, "3600 seconds"), (3600, "1 hour"),
    (3601, "3601 seconds"), (4000, "4000 seconds"), (5400, "90 minutes"), (7200, "2 hours"),
    (86400, "1 day"),
)  # fmt: skip


@template("api-gateway/valid-ttls", "Which cache TTLs are valid?", "multi")
def valid_ttls(rng: random.Random) -> Draft:
    picked: dict[int, str] = {}
    wanted = rng.randint(4, 6)
    for seconds, text in rng.sample(TTL_CANDIDATES, len(TTL_CANDIDATES)):
        if seconds not in picked and len(picked) < wanted:
            picked[seconds] = text
    options = [
        Option(text, Probe(queries.cache_ttl_valid, (seconds,), key=(seconds,)))
        for seconds, text in picked.items()
    ]
    question = (
        "You set the cache TTL of an API Gateway REST API stage. Which of these values does "
        "API Gateway accept? (choose all that apply)"
    )
    return Draft(question, options=options, min_right=1)


SIZE_CANDIDATES: tuple[tuple[float, str], ...] = (
    (0.5, "0.5 GB"), (0.5, "500 MB"), (1.0, "1 GB"), (1.6, "1.6 GB"), (2.0, "2 GB"),
    (6.1, "6.1 GB"), (10.0, "10 GB"), (13.5, "13.5 GB"), (28.4, "28.4 GB"), (64.0, "64 GB"),
    (118.0, "118 GB"), (128.0, "128 GB"), (237.0, "237 GB"), (256.0, "256 GB"),
    (500.0, "500 GB"),
)  # fmt: skip


@template("api-gateway/valid-cache-sizes", "Which cache sizes exist?", "multi")
def valid_cache_sizes(rng: random.Random) -> Draft:
    picked: dict[float, str] = {}
    wanted = rng.randint(4, 6)
    for size, text in rng.sample(SIZE_CANDIDATES, len(SIZE_CANDIDATES)):
        if size not in picked and len(picked) < wanted:
            picked[size] = text
    ordered = sorted(picked.items())
    options = [
        Option(text, Probe(queries.cache_size_valid, (size,), key=(size,)))
        for size, text in ordered
    ]
    question = (
        "You enable caching on an API Gateway REST API stage. Which of these cache capacities "
        "can you choose? (choose all that apply)"
    )
    return Draft(question, options=options, min_right=1)
