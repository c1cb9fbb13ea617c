"""Facts about a request that any layer may ask, without importing Django."""

API_PREFIX = "/api/"


def is_api_request(request) -> bool:
    """Whether the request is for the API (JSON answers), not a page (HTML)."""
    return request.path.startswith(API_PREFIX)
