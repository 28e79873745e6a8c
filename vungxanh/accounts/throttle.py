"""Log-in throttling: too many failures for a user name or from an address lock it for a while."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from .models import LoginFailure


def _window_start() -> datetime:
    return timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def is_locked(username: str, ip_address: str | None) -> bool:
    recent = LoginFailure.objects.filter(at__gte=_window_start())
    if recent.filter(username=username.lower()).count() >= settings.LOGIN_FAILURES_PER_USERNAME:
        return True
    return bool(ip_address) and (
        recent.filter(ip_address=ip_address).count() >= settings.LOGIN_FAILURES_PER_ADDRESS
    )


def record_failure(username: str, ip_address: str | None) -> None:
    LoginFailure.objects.filter(at__lt=_window_start()).delete()
    LoginFailure.objects.create(username=username.lower(), ip_address=ip_address)


def clear_failures(username: str) -> None:
    LoginFailure.objects.filter(username=username.lower()).delete()


def client_ip(meta: dict[str, str]) -> str | None:
    # Behind a proxy, set the proxy to overwrite REMOTE_ADDR (e.g. gunicorn --forwarded-allow-ips).
    return meta.get("REMOTE_ADDR") or None
