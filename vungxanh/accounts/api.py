from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from . import throttle
from .audit import record_audit
from .models import ApiToken, User

router = Router(tags=["auth"])


class Credentials(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    token_type: str = "bearer"  # noqa: S105 (the scheme, not a secret)
    expires_at: datetime


class AssignmentOut(Schema):
    role: str
    role_label: str
    area_code: str | None
    organization_code: str | None
    place: str


class MeOut(Schema):
    username: str
    full_name: str
    assignments: list[AssignmentOut]


@router.post("/token", auth=None, response={201: TokenOut})
def create_token(request: HttpRequest, body: Credentials) -> Status[TokenOut]:
    """Exchange a user name and password for a bearer token (throttled like the log-in page)."""
    ip = throttle.client_ip(request.META)
    if throttle.is_locked(body.username, ip):
        raise HttpError(429, _("Too many failed attempts. Try again later."))
    user = authenticate(request, username=body.username, password=body.password)
    if user is None:
        throttle.record_failure(body.username, ip)
        raise HttpError(400, _("Wrong user name or password."))
    throttle.clear_failures(body.username)
    raw = "vx_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            digest=ApiToken.digest_of(raw),
            prefix=raw[:10],
            expires_at=timezone.now() + timedelta(days=settings.API_TOKEN_DAYS),
        )
        assert isinstance(user, User)
        record_audit(user, "create_token", token, area_path="", after={"prefix": token.prefix})
    return Status(201, TokenOut(token=raw, expires_at=token.expires_at))


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> MeOut:
    user = request.user
    assert isinstance(user, User)
    rows = user.assignments.select_related("area", "organization")
    return MeOut(
        username=user.username,
        full_name=user.full_name,
        assignments=[
            AssignmentOut(
                role=a.role,
                role_label=str(a.get_role_display()),
                area_code=a.area.code if a.area else None,
                organization_code=a.organization.code if a.organization else None,
                place=str(a.area or a.organization),
            )
            for a in rows
        ],
    )
