"""The versioned REST API, /api/v1/, with its OpenAPI document at /api/v1/openapi.json.

Authentication: the browser session (with CSRF) or a bearer token from POST /api/v1/auth/token.
Every error answers with one body: {"error": {"status", "code", "message", "details"}}.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, SessionAuth

from vungxanh.accounts.models import ApiToken
from vungxanh.lib.tabular import ImportRejected


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        row = (
            ApiToken.objects.select_related("user").filter(digest=ApiToken.digest_of(token)).first()
        )
        if row is None or not row.is_valid():
            return None
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
        request.user = row.user
        return row.user


class SessionCookie(SessionAuth):
    """The browser session; its CSRF check applies only when a session cookie is sent, so a
    request with neither cookie nor token gets a plain 401."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)


AUTH = [BearerToken(), SessionCookie()]

api = NinjaAPI(
    title="Vùng Xanh API",
    version="1",
    description="Areas, organizations and the campaign's records, scoped to the caller.",
    urls_namespace="api",
    auth=AUTH,
)


def error_response(
    request: HttpRequest, status: int, code: str, message: str, details: Any = None
) -> HttpResponse:
    body = {"error": {"status": status, "code": code, "message": message, "details": details or []}}
    return api.create_response(request, body, status=status)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(request, 404, "not_found", _("Not found."))


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(request, 401, "unauthenticated", _("Log in or send a valid token."))


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = [
        {
            "field": ".".join(str(p) for p in e.get("loc", [])[1:]) or None,
            "message": e.get("msg", ""),
        }
        for e in exc.errors
    ]
    return error_response(request, 422, "invalid", _("The request is not valid."), details)


@api.exception_handler(ImportRejected)
def rejected(request: HttpRequest, exc: ImportRejected) -> HttpResponse:
    details = [e.as_dict() for e in exc.errors]
    return error_response(
        request, 400, "import_rejected", _("The file was refused; nothing was stored."), details
    )


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    codes = {400: "bad_request", 403: "forbidden", 409: "conflict", 429: "throttled"}
    return error_response(request, exc.status_code, codes.get(exc.status_code, "error"), str(exc))


def _register_routers() -> None:
    from vungxanh.accounts.api import router as accounts_router
    from vungxanh.areas.api import router as areas_router
    from vungxanh.awards.api import router as awards_router
    from vungxanh.criteria.api import router as criteria_router
    from vungxanh.emulation.api import router as emulation_router
    from vungxanh.risk.api import router as risk_router
    from vungxanh.teams.api import router as teams_router

    api.add_router("/auth", accounts_router)
    api.add_router("/risk", risk_router)
    api.add_router("/criteria", criteria_router)
    api.add_router("/emulation", emulation_router)
    api.add_router("/awards", awards_router)
    api.add_router("/", teams_router)
    api.add_router("/", areas_router)


_register_routers()
