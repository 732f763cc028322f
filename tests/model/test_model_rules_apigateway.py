"""One test per API Gateway caching rule. Expected counts follow "Cache settings for REST APIs
in API Gateway" (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-caching.html)."""

from __future__ import annotations

from studytool.model import queries
from studytool.model.rulebook import apigateway
from studytool.model.topology import ApiRequest, ApiStage, MethodSettings

CACHING_DOC = (
    "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-caching.html"
)


def _get(*times: float, path: str = "/items") -> list[ApiRequest]:
    return [ApiRequest(time, "GET", path) for time in times]


def test_apigw_cache_per_stage() -> None:
    """Caching is enabled per stage; without it every request reaches the backend (CACHING_DOC)."""
    answer = queries.backend_calls_for(ApiStage(cache_enabled=False), _get(0, 1, 2))
    assert answer.value == 3
    assert answer.rules == ["apigw-cache-per-stage"]
    assert queries.backend_calls_for(None, _get(0, 1)).value == 2


def test_apigw_ttl_default() -> None:
    """The default TTL is 300 seconds (CACHING_DOC): 299 s later is a hit, 300 s later a miss."""
    answer = queries.backend_calls_for(ApiStage(cache_enabled=True), _get(0, 299, 300))
    assert answer.value == 2
    assert "apigw-ttl-default" in answer.rules


def test_apigw_ttl_range() -> None:
    """TTL 0..3600 seconds; API Gateway rejects other values (CACHING_DOC)."""
    assert queries.cache_ttl_valid(3600).value is True
    assert queries.cache_ttl_valid(0).value is True
    assert queries.cache_ttl_valid(3601).value is False
    assert queries.cache_ttl_valid(-1).rules == ["apigw-ttl-range"]
    # a rejected stage TTL never takes effect: the default 300 s applies
    answer = queries.backend_calls_for(ApiStage(cache_enabled=True, ttl=4000), _get(0, 299, 300))
    assert answer.value == 2
    assert "apigw-ttl-range" in answer.rules
    assert (
        "the stage cannot have TTL 4000 s, so the default 300 seconds applies "
        "(rule apigw-ttl-default)"
    ) in answer.because
    unset = queries.backend_calls_for(ApiStage(cache_enabled=True), _get(0))
    assert any(reason.startswith("the stage sets no TTL") for reason in unset.because)


def test_apigw_ttl_zero() -> None:
    """TTL=0 means caching is disabled (CACHING_DOC)."""
    answer = queries.backend_calls_for(ApiStage(cache_enabled=True, ttl=0), _get(0, 0, 1, 1))
    assert answer.value == 4
    assert "apigw-ttl-zero" in answer.rules
    assert "apigw-ttl-zero" in queries.cache_ttl_valid(0).rules


def test_apigw_get_only() -> None:
    """Only GET methods are cached by default (CACHING_DOC)."""
    requests = [ApiRequest(0, "POST", "/items"), ApiRequest(1, "POST", "/items"), *_get(2, 3)]
    answer = queries.backend_calls_for(ApiStage(cache_enabled=True), requests)
    assert answer.value == 3
    assert "apigw-get-only" in answer.rules


def test_apigw_method_override() -> None:
    """Method overrides cache other methods, change a TTL or switch caching off (CACHING_DOC)."""
    stage = ApiStage(
        cache_enabled=True, ttl=300,
        methods={"POST /items": MethodSettings(cache=True),
                 "GET /live": MethodSettings(cache=False),
                 "GET /items/{id}": MethodSettings(ttl=10)},
    )  # fmt: skip
    requests = [
        ApiRequest(0, "POST", "/items"),
        ApiRequest(5, "POST", "/items"),  # 1 call
        ApiRequest(0, "GET", "/live"),
        ApiRequest(1, "GET", "/live"),  # 2 calls
        ApiRequest(0, "GET", "/items/7"),
        ApiRequest(9, "GET", "/items/7"),  # 1 call (TTL 10)
        ApiRequest(10, "GET", "/items/7"),  # 1 call: exactly TTL later is a miss
    ]
    answer = queries.backend_calls_for(stage, requests)
    assert answer.value == 5
    assert "apigw-method-override" in answer.rules


def test_apigw_cache_hit() -> None:
    """A hit is served from the cache, a miss calls the endpoint and stores the response;
    requests are taken in time order (CACHING_DOC)."""
    stage = ApiStage(cache_enabled=True, ttl=60)
    answer = queries.backend_calls_for(stage, _get(90, 0, 30, 59.5, 60))
    assert answer.value == 2  # 0 miss, 30 hit, 59.5 hit, 60 miss (stores), 90 hit
    assert "apigw-cache-hit" in answer.rules
    assert answer.because[-1] == "2 of 5 requests reach the backend (rule apigw-cache-hit)"
    assert answer.unit == "calls"


def test_apigw_cache_key() -> None:
    """By default the cache key is the method and resource path; query strings count only as
    declared cache key parameters (CACHING_DOC, "Use method or integration parameters as cache
    keys"): GET /items?page=2 is served the response cached for GET /items."""
    stage = ApiStage(cache_enabled=True, ttl=60, methods={"GET /items": MethodSettings(ttl=10)})
    requests = [*_get(0), *_get(5, path="/items?page=2"), *_get(8, path="/items?page=3")]
    answer = queries.backend_calls_for(stage, requests)
    assert answer.value == 1  # the override for /items applies to its query strings too
    assert "apigw-cache-key" in answer.rules
    assert any("GET /items?page=2 is cached as GET /items" in reason for reason in answer.because)
    assert queries.backend_calls_for(stage, _get(0, 5, path="/users")).value == 1
    other_resources = queries.backend_calls_for(stage, [*_get(0), *_get(5, path="/users")])
    assert other_resources.value == 2
    assert "apigw-cache-key" not in other_resources.rules


def test_apigw_invalidate() -> None:
    """Cache-Control: max-age=0 fetches from the backend and refreshes the entry (CACHING_DOC)."""
    stage = ApiStage(cache_enabled=True, ttl=60)
    requests = [*_get(0), ApiRequest(10, "GET", "/items", invalidate=True), *_get(20, 65, 75)]
    answer = queries.backend_calls_for(stage, requests)
    assert answer.value == 3  # 0 miss, 10 refresh, 20 hit, 65 hit (stored at 10), 75 miss
    assert "apigw-invalidate" in answer.rules


def test_apigw_cache_sizes() -> None:
    """Cache capacity is one of 0.5, 1.6, 6.1, 13.5, 28.4, 58.2, 118, 237 GB
    (https://docs.aws.amazon.com/apigateway/latest/api/API_CreateStage.html)."""
    for size in (0.5, 1.6, 6.1, 13.5, 28.4, 58.2, 118, 237):
        assert queries.cache_size_valid(size).value is True, size
    for size in (0, 1, 2, 64, 500):
        assert queries.cache_size_valid(size).value is False, size
    assert apigateway.cache_size(1.0).rule_id == "apigw-cache-sizes"
