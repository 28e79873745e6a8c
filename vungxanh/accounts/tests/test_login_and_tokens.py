import pytest
from django.test import Client, override_settings

from conftest import PASSWORD


@pytest.mark.django_db
def test_login_page_logs_in_with_the_right_password(personas):
    client = Client()
    response = client.post("/dang-nhap/", {"username": "xa_a", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").context["user"].username == "xa_a"


@pytest.mark.django_db
@override_settings(LOGIN_FAILURES_PER_USERNAME=3)
def test_login_is_throttled_after_repeated_failures_even_for_the_right_password(personas):
    client = Client()
    for _ in range(3):
        assert (
            client.post("/dang-nhap/", {"username": "xa_a", "password": "wrong"}).status_code == 200
        )
    response = client.post("/dang-nhap/", {"username": "xa_a", "password": PASSWORD})
    assert response.status_code == 200  # the form again, locked
    assert "_auth_user_id" not in client.session
    # Another user from another address is not affected.
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.post("/dang-nhap/", {"username": "xa_b", "password": PASSWORD}).status_code == 302


@pytest.mark.django_db
def test_a_bearer_token_authenticates_the_api(personas):
    client = Client()
    response = client.post(
        "/api/v1/auth/token",
        {"username": "xa_a", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 201
    token = response.json()["token"]
    me = client.get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert me.status_code == 200
    assert me.json()["assignments"][0]["area_code"] == "22327"
    bad = client.get("/api/v1/auth/me", HTTP_AUTHORIZATION="Bearer nope", HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 401
    assert bad.json() == {
        "error": {
            "status": 401,
            "code": "unauthenticated",
            "message": "Log in or send a valid token.",
            "details": [],
        }
    }


@pytest.mark.django_db
@override_settings(LOGIN_FAILURES_PER_USERNAME=2)
def test_the_token_endpoint_is_throttled_like_the_login_page(personas):
    client = Client()
    for _ in range(2):
        response = client.post(
            "/api/v1/auth/token",
            {"username": "xa_a", "password": "x"},
            content_type="application/json",
        )
        assert response.status_code == 400
    response = client.post(
        "/api/v1/auth/token",
        {"username": "xa_a", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"


@pytest.mark.django_db
def test_validation_errors_use_the_uniform_body(personas):
    from conftest import client_for

    response = client_for(personas.commune_a).post(
        "/api/v1/areas/22327/children", {"name": ""}, content_type="application/json"
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid" and error["details"][0]["field"] == "body.name"


@pytest.mark.django_db
def test_the_openapi_document_lists_the_endpoints():
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for path in ["/api/v1/areas/{code}", "/api/v1/areas/{code}/children", "/api/v1/auth/token"]:
        assert path in paths
