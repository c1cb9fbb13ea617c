"""Clients signed in as a user, and times relative to now: the few lines every page and
API test module would otherwise write again."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient


def client_for(user) -> Client:
    """A website client signed in as ``user`` (no two-step check: force_login)."""
    client = Client()
    client.force_login(user)
    return client


def api_as(user) -> APIClient:
    """An API client authenticated as ``user``."""
    client = APIClient()
    client.force_authenticate(user)
    return client


def ago(days: float) -> datetime:
    return timezone.now() - timedelta(days=days)


def confirmed(client: Client) -> Client:
    """``client`` having just confirmed it is its user ("Confirm it is you",
    agencies.reauth), as an administrator does before changing someone's account."""
    from agencies import reauth

    session = client.session
    session[reauth.SESSION_KEY] = timezone.now().timestamp()
    session.save()
    return client
