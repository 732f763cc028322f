"""Rules about API Gateway (REST API) stage caching: TTLs, cached methods, hits, invalidation."""

from __future__ import annotations

from typing import NamedTuple

from studytool.model.answer import Finding
from studytool.model.rulebook import docs
from studytool.model.rules import rule
from studytool.model.topology import (
    CACHE_SIZES_GB,
    DEFAULT_TTL_SECONDS,
    MAX_TTL_SECONDS,
    ApiRequest,
    ApiStage,
    MethodSettings,
)

API_NOTE = "API Gateway Caching.md"
TTL_SNIPPET = "The default TTL value for API caching is 300 seconds"


@rule(
    "apigw-cache-per-stage",
    "API Gateway caching (REST APIs) is enabled per stage, with per-method overrides.",
    docs.API_CACHING,
    note=(API_NOTE, "It is enabled per stage, with per-method overrides"),
)
def stage_cache(stage: ApiStage) -> tuple:
    if stage.cache_enabled:
        return True, "caching is enabled on the stage"
    return False, "caching is not enabled on the stage: every request reaches the backend"


@rule(
    "apigw-ttl-default",
    "The default cache TTL is 300 seconds.",
    docs.API_CACHING,
    note=(API_NOTE, TTL_SNIPPET),
)
def default_ttl(rejected: float | None = None) -> tuple:
    why = "sets no TTL" if rejected is None else f"cannot have TTL {rejected:g} s"
    return (
        True,
        f"the stage {why}, so the default {DEFAULT_TTL_SECONDS} seconds applies",
        DEFAULT_TTL_SECONDS,
    )


@rule(
    "apigw-ttl-range",
    "A cache TTL goes from 0 to 3600 seconds; API Gateway rejects other values.",
    docs.API_CACHING,
    note=(API_NOTE, "The maximum TTL value is 3600 seconds"),
)
def ttl_in_range(ttl: float, where: str = "the stage") -> tuple:
    if 0 <= ttl <= MAX_TTL_SECONDS:
        return True, f"TTL {ttl:g} s for {where} is within 0..{MAX_TTL_SECONDS} seconds", True
    return (
        False,
        (
            f"TTL {ttl:g} s for {where} is outside 0..{MAX_TTL_SECONDS} seconds: API Gateway "
            "rejects it"
        ),
        False,
    )


@rule(
    "apigw-ttl-zero",
    "A TTL of 0 disables caching: every request goes to the backend.",
    docs.API_CACHING,
    note=(API_NOTE, "TTL=0 means caching is disabled"),
)
def ttl_zero(where: str) -> tuple:
    return False, f"{where} has TTL 0, which disables caching: every request reaches the backend"


@rule(
    "apigw-get-only",
    "With caching enabled on a stage, only GET methods are cached unless a method override says "
    "otherwise.",
    docs.API_CACHING,
    note=(API_NOTE, "only GET methods are cached by default"),
)
def default_method_caching(method: str) -> tuple:
    if method == "GET":
        return True, "GET methods are cached by default", True
    return False, f"{method} is not cached: only GET methods are cached by default", False


@rule(
    "apigw-method-override",
    "A method override can cache another method, change one method's TTL, or switch its "
    "caching off.",
    docs.API_CACHING,
    note=(API_NOTE, "Other methods are cached only through method setting overrides"),
)
def method_override(key: str, settings: MethodSettings) -> tuple:
    parts = []
    if settings.cache is not None:
        parts.append("caching on" if settings.cache else "caching off")
    if settings.ttl is not None:
        parts.append(f"TTL {settings.ttl} s")
    return True, f"the method override for {key} sets {', '.join(parts) or 'nothing'}"


@rule(
    "apigw-cache-hit",
    "A request is served from the cache when the same method and path was stored less than TTL "
    "seconds before; otherwise it calls the backend and stores the response.",
    docs.API_CACHING,
    note=(API_NOTE, "from the cache instead of calling the endpoint"),
)
def cache_lookup(request: ApiRequest, stored_at: float | None, ttl: float) -> tuple:
    when = f"at {request.time:g} s, {request.key}"
    if stored_at is not None and request.time - stored_at < ttl:
        age = request.time - stored_at
        return True, f"{when} is a cache hit (stored {age:g} s before, TTL {ttl:g} s)", True
    if stored_at is None:
        return (
            True,
            f"{when} is a miss (nothing stored yet): it calls the backend and stores the response",
            False,
        )
    age = request.time - stored_at
    return (
        True,
        f"{when} is a miss (stored {age:g} s before, not less than TTL {ttl:g} s): it calls "
        "the backend",
        False,
    )


@rule(
    "apigw-cache-key",
    "By default the cache key is the method and the resource path: a query string (or a "
    "header) becomes part of it only when declared as a cache key parameter.",
    docs.API_CACHING,
    note=(API_NOTE, "cache key parameters"),
)
def query_string_not_in_key(request: ApiRequest) -> tuple:
    return True, (
        f"at {request.time:g} s, {request.method} {request.path} is cached as {request.key}: "
        "no cache key parameters are declared, so the query string is not part of the key"
    )


@rule(
    "apigw-invalidate",
    "A request with Cache-Control: max-age=0 (from an authorised client) skips the cache, calls "
    "the backend and refreshes the entry.",
    docs.API_CACHING,
    note=(API_NOTE, "refresh one entry by sending the header Cache-Control: max-age=0"),
)
def invalidation(request: ApiRequest) -> tuple:
    return True, (
        f"at {request.time:g} s, {request.key} sends Cache-Control: max-age=0: it calls the "
        "backend "
        "and refreshes the entry"
    )


@rule(
    "apigw-cache-sizes",
    "The stage cache capacity is one of 0.5, 1.6, 6.1, 13.5, 28.4, 58.2, 118 or 237 GB.",
    docs.API_STAGE,
    note=(API_NOTE, "from 0.5 GB up to 237 GB"),
)
def cache_size(size_gb: float) -> tuple:
    if any(abs(size_gb - valid) < 1e-9 for valid in CACHE_SIZES_GB):
        return True, f"a {size_gb:g} GB cache is one of the sizes API Gateway offers", True
    sizes = ", ".join(f"{size:g}" for size in CACHE_SIZES_GB)
    return False, f"{size_gb:g} GB is not a cache size API Gateway offers ({sizes} GB)", False


# --------------------------------------------------------------------------- method settings
class MethodCache(NamedTuple):
    """How one method is cached: whether, for how long, and the findings that decided it."""

    cached: bool
    ttl: float
    findings: tuple[Finding, ...]


def _path_matches(pattern: str, path: str) -> bool:
    pattern_parts = pattern.strip("/").split("/")
    path_parts = path.strip("/").split("/")
    for index, part in enumerate(pattern_parts):
        if part == "*" and index == len(pattern_parts) - 1:
            return True
        if index >= len(path_parts):
            return False
        if not (part == path_parts[index] or (part.startswith("{") and part.endswith("}"))):
            return False
    return len(pattern_parts) == len(path_parts)


def find_override(stage: ApiStage, method: str, path: str) -> tuple[str, MethodSettings] | None:
    """The override for ``METHOD path``: an exact key first, then a pattern (``*``, ``{id}``)."""
    exact = f"{method} {path}"
    if exact in stage.methods:
        return exact, stage.methods[exact]
    for key, settings in stage.methods.items():
        key_method, _, key_path = key.partition(" ")
        if key_method.upper() in (method, "*") and _path_matches(key_path, path):
            return key, settings
    return None


def stage_ttl(stage: ApiStage) -> tuple[float, list[Finding]]:
    """The TTL the stage really has: its own when valid, else the default (a rejected value
    never takes effect)."""
    if stage.ttl is None:
        finding = default_ttl()
        return float(finding.value), [finding]  # type: ignore[arg-type]
    check = ttl_in_range(stage.ttl, "the stage")
    if check.ok:
        return float(stage.ttl), []
    fallback = default_ttl(stage.ttl)
    return float(DEFAULT_TTL_SECONDS), [check, fallback]


def method_cache(stage: ApiStage, method: str, path: str) -> MethodCache:
    """Whether ``METHOD path`` is cached on this stage and with which TTL."""
    method = method.upper()
    findings: list[Finding] = []
    base_ttl, ttl_findings = stage_ttl(stage)
    findings.extend(ttl_findings)
    override = find_override(stage, method, path)
    cached: bool
    ttl = base_ttl
    if override is not None:
        key, settings = override
        findings.append(method_override(key, settings))
        if settings.cache is None:
            default = default_method_caching(method)
            findings.append(default)
            cached = bool(default.value)
        else:
            cached = settings.cache
        if settings.ttl is not None:
            check = ttl_in_range(settings.ttl, key)
            if check.ok:
                ttl = float(settings.ttl)
            else:
                findings.append(check)
    else:
        default = default_method_caching(method)
        findings.append(default)
        cached = bool(default.value)
    return MethodCache(cached, ttl, tuple(findings))
