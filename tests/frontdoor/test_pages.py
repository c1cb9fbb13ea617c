from pathlib import Path

import pytest
from django.test import Client, RequestFactory

from frontdoor.errors import server_error

pytestmark = pytest.mark.django_db


def test_pages_send_the_security_headers(referrer_client):
    response = referrer_client.get("/")

    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cache-Control"] == "no-store"


def test_every_json_answer_of_the_api_is_an_attachment_and_pages_are_not(referrer_client, client):
    answered = referrer_client.get("/api/v1/referrals/")
    refused = client.get("/api/v1/referrals/")
    missing = referrer_client.get("/api/v1/no-such-thing/")
    page = referrer_client.get("/")

    for response in (answered, refused, missing):
        assert "json" in response["Content-Type"]
        assert response["Content-Disposition"] == 'attachment; filename="api.json"'
    assert (answered.status_code, refused.status_code, missing.status_code) == (200, 401, 404)
    assert "Content-Disposition" not in page


def test_the_sign_in_page_is_not_cached_either(client):
    assert client.get("/accounts/login/")["Cache-Control"] == "no-store"


def test_the_layout_has_a_skip_link_the_service_name_and_no_crown(referrer_client):
    page = referrer_client.get("/").content.decode()

    assert 'href="#main-content"' in page
    assert ">Front Door<" in page
    assert "govuk-header__logo" not in page
    assert "crown" not in page.lower()


def test_the_stylesheet_has_no_gds_transport_font(client):
    from django.contrib.staticfiles import finders

    css = Path(finders.find("css/app.css")).read_text()

    assert "GDS Transport" not in css
    assert "govuk-button" in css
    assert "moj-timeline" in css


def test_an_unknown_page_is_a_styled_404(referrer_client):
    response = referrer_client.get("/no-such-page/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page
    assert "Skip to main content" in page


def test_an_unknown_api_address_is_a_json_404(referrer_client):
    response = referrer_client.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_forbidden_page_is_a_styled_403(referrer_client):
    response = referrer_client.get("/admin/")

    assert response.status_code == 403
    assert "You cannot see this page" in response.content.decode()


def test_the_500_page_renders_without_a_request_context():
    response = server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()


def test_a_crashing_view_shows_the_500_page(referrer, settings):
    from django.urls import path

    def boom(request):
        raise RuntimeError("boom")

    import frontdoor.urls

    settings.ROOT_URLCONF = type(
        "urls", (), {"urlpatterns": [path("boom/", boom)], "handler500": frontdoor.urls.handler500}
    )
    client = Client(raise_request_exception=False)
    client.force_login(referrer)

    response = client.get("/boom/")

    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()


def test_api_docs_and_schema_are_served_to_signed_in_users(referrer_client, client):
    assert referrer_client.get("/api/schema/").status_code == 200
    assert referrer_client.get("/api/docs/").status_code == 200
    assert client.get("/api/docs/").status_code == 302


def test_the_api_docs_answer_get_only_never_a_server_error(referrer_client):
    # Its HTML renderer had no page for DRF's OPTIONS answer: a 500.
    assert referrer_client.options("/api/docs/").status_code == 405


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
def test_pages_that_only_read_refuse_other_methods(
    method, referrer, referrer_client, screener_client, manager_client
):
    from tests.factories import ChildFactory, ReferralFactory

    referral = ReferralFactory(referrer=referrer)
    child = ChildFactory()
    pages = [
        (referrer_client, "/"),
        (referrer_client, "/inbox/"),
        (referrer_client, "/referrals/mine/"),
        (referrer_client, f"/referrals/submitted/{referral.submission_id}/"),
        (screener_client, "/triage/"),
        (screener_client, f"/triage/referrals/{referral.pk}/"),
        (screener_client, f"/children/{child.pk}/"),
    ]
    for client, url in pages:
        assert getattr(client, method)(url).status_code == 405, url
    if method != "post":  # the decision screen takes GET and POST
        url = f"/triage/referrals/{referral.pk}/decide/"
        assert getattr(manager_client, method)(url).status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "promised"),
    [
        ("referrer", ["/referrals/new/", "/referrals/mine/"]),
        ("agency_lead", ["/referrals/new/", "/referrals/mine/", "/dashboard/agency/"]),
        ("screener", ["/triage/", "/referrals/new/"]),
        (
            "manager",
            [
                "/triage/",
                "/referrals/new/",
                "/challenges/",
                "/dashboard/",
                "/dashboard/performance/",
            ],
        ),
        (
            "auditor",
            [
                "/triage/",
                "/challenges/",
                "/dashboard/",
                "/dashboard/performance/",
                "/audit/access-log/",
            ],
        ),
    ],
)
def test_each_home_page_links_what_the_role_uses_and_promises_nothing_unbuilt(
    make_user, role, promised
):
    from django.test import Client

    client = Client()
    client.force_login(make_user(role))
    page = client.get("/").content.decode()

    for path in promised:
        assert f'href="{path}"' in page
    for unbuilt in ("strategy discussion", "history"):
        assert unbuilt not in page.lower()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["referrer", "agency_lead"])
def test_referrers_home_page_says_how_to_challenge_a_decision(make_user, role):
    from django.test import Client

    client = Client()
    client.force_login(make_user(role))
    page = client.get("/").content.decode()

    assert "raise a challenge" in page
    assert 'href="/referrals/mine/"' in page


@pytest.mark.django_db
def test_only_the_deepest_navigation_item_is_marked_current(make_user):
    from frontdoor.navigation import navigation_for

    manager = make_user("manager")

    def current(path):
        return [i["label"] for i in navigation_for(manager, path) if i["active"]]

    assert current("/dashboard/performance/") == ["Performance"]
    assert current("/dashboard/") == ["Dashboard"]
    assert current("/") == ["Home"]
    assert current("/triage/referrals/1/") == ["Queue"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "label"),
    [("referrer", "Your referrals"), ("agency_lead", "Your agency's referrals")],
)
def test_the_referrals_list_is_named_in_the_navigation_for_what_the_role_sees(
    make_user, role, label
):
    # An agency lead's list is the whole agency's, not their own.
    from html import unescape

    from django.test import Client

    client = Client()
    client.force_login(make_user(role))
    page = unescape(client.get("/").content.decode())
    nav = page[page.index("govuk-service-navigation__list") :]
    nav = nav[: nav.index("</ul>")]

    assert label in nav
    assert ("Your agency's referrals" in nav) == (role == "agency_lead")


@pytest.mark.django_db
def test_the_navigation_follows_the_prefix_the_app_is_served_under(make_user):
    # Its addresses are reversed once and kept: for each script prefix of their own.
    from django.urls import get_script_prefix, set_script_prefix

    from frontdoor.navigation import navigation_for

    screener = make_user("screener")
    before = get_script_prefix()
    try:
        plain = {i["label"]: i["url"] for i in navigation_for(screener, "/")}
        set_script_prefix("/front-door/")
        prefixed = {i["label"]: i["url"] for i in navigation_for(screener, "/front-door/")}
    finally:
        set_script_prefix(before)

    assert plain["Queue"] == "/triage/"
    assert prefixed["Queue"] == "/front-door/triage/"
    assert "Dashboard" not in prefixed


PRIVACY = "https://www.example.gov.uk/privacy/front-door"


def test_every_page_links_to_the_councils_privacy_notice_when_it_is_set(
    settings, referrer_client, client
):
    settings.PRIVACY_NOTICE_URL = PRIVACY

    for page in (referrer_client.get("/"), client.get("/accounts/login/")):
        html = page.content.decode()
        assert (
            f'<a class="govuk-footer__link" href="{PRIVACY}" rel="noopener">Privacy notice</a>'
            in html
        )


def test_no_privacy_link_when_none_is_set(settings, referrer_client):
    settings.PRIVACY_NOTICE_URL = ""

    html = referrer_client.get("/").content.decode()

    assert "Privacy notice" not in html
    assert "govuk-footer__inline-list" not in html
