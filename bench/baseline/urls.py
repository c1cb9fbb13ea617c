"""Production's URLconf plus the baselines, for the benchmark's server only."""

from django.urls import path

from bench.baseline import floor, views
from frontdoor import urls as production

BASELINE_PREFIX = "bench-baseline/"

urlpatterns = [
    *production.urlpatterns,
    path(f"{BASELINE_PREFIX}json/", views.bare_json, name="bench-baseline-json"),
    path(f"{BASELINE_PREFIX}insert/", views.InsertOne.as_view(), name="bench-baseline-insert"),
    path(f"{BASELINE_PREFIX}floor/", floor.Floor.as_view(), name="bench-baseline-floor"),
]

handler403 = production.handler403
handler404 = production.handler404
handler500 = production.handler500
