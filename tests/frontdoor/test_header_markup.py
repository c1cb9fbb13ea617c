"""The header written in Python (frontdoor.navigation) writes what base.html's template
loop and url tags wrote, to the character: the queue page's CPU (issue 14) is why."""

import pytest
from django.template import Context, Template
from django.urls import get_script_prefix, reverse, set_script_prefix

from frontdoor import navigation

# base.html's loop over the navigation, as it was before navigation_markup wrote it.
TEMPLATE_LOOP = (
    "{% for item in fd_nav %}\n"
    '            <li class="govuk-service-navigation__item{% if item.active %} '
    'govuk-service-navigation__item--active{% endif %}">\n'
    '              <a class="govuk-service-navigation__link" href="{{ item.url }}"'
    '{% if item.active %} aria-current="page"{% endif %}>\n'
    "                {% if item.active %}"
    '<strong class="govuk-service-navigation__active-fallback">'
    "{{ item.label }}</strong>{% else %}{{ item.label }}{% endif %}\n"
    "              </a>\n"
    "            </li>\n"
    "            {% endfor %}"
)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["screener", "manager", "referrer", "auditor"])
@pytest.mark.parametrize("path", ["/", "/triage/", "/dashboard/performance/"])
def test_the_navigation_is_written_as_the_template_loop_wrote_it(make_user, role, path):
    items = navigation.navigation_for(make_user(role), path)

    expected = Template(TEMPLATE_LOOP).render(Context({"fd_nav": items}))

    assert str(navigation.navigation_markup(items)) == expected


def test_the_navigation_escapes_its_labels_and_addresses_as_autoescaping_does():
    items = [
        {"label": 'Tom & "Jerry" <b>', "url": "/a?b=1&c='2'", "active": True},
        {"label": "Plain", "url": "/plain/", "active": False},
    ]

    expected = Template(TEMPLATE_LOOP).render(Context({"fd_nav": items}))

    assert str(navigation.navigation_markup(items)) == expected
    assert "<b>" not in str(navigation.navigation_markup(items))


def test_the_address_tag_gives_what_the_url_tag_gives_under_each_prefix():
    names = ["login", "home", "inbox", "account", "logout", "triage:queue"]
    tags = Template("{% load frontdoor %}" + "|".join(f"{{% address '{n}' %}}" for n in names))
    urls = Template("|".join(f"{{% url '{n}' %}}" for n in names))
    before = get_script_prefix()
    try:
        plain = tags.render(Context())
        set_script_prefix("/front-door/")
        prefixed = tags.render(Context())
        prefixed_urls = urls.render(Context())
    finally:
        set_script_prefix(before)

    assert plain == urls.render(Context()) == "|".join(reverse(n) for n in names)
    assert prefixed == prefixed_urls
    assert prefixed.startswith("/front-door/")
