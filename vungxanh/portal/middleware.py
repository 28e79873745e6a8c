from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

_SUPPORTED = {code for code, _ in settings.LANGUAGES}


class LanguageMiddleware:
    """Vietnamese unless the user chose otherwise with the language switch.

    Pages ignore the browser's Accept-Language (many office computers in Viet Nam run an English
    browser); API clients may ask for a language with Accept-Language.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in _SUPPORTED:
            if request.path.startswith("/api/"):
                language = translation.get_language_from_request(request)
            else:
                language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie", "Accept-Language"))
        return response
