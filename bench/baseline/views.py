"""The two baselines. Each is as little as its kind can be, with the project's own
defaults: no decorators beyond what the settings give every view of its kind."""

from django.http import HttpRequest, JsonResponse
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

NOTE_MAX = 100  # BaselineRow.note's max_length


def bare_json(request: HttpRequest) -> JsonResponse:
    """A bare Django view: a small JSON, no database."""
    return JsonResponse({"ok": True, "service": "front door benchmark baseline"})


class InsertOne(APIView):
    """A bare DRF view: the project's DRF defaults (knox token authentication, then the
    session; IsAuthenticated; the per-user throttle; JSON), one INSERT, one commit."""

    def post(self, request, *args, **kwargs):
        # Imported here so that the URLconf can be read where this app is not installed
        # (tests/benchmarks checks it against production's).
        from bench.baseline.models import BaselineRow

        note = request.data.get("note", "") if isinstance(request.data, dict) else ""
        row = BaselineRow.objects.create(created_by=request.user, note=str(note)[:NOTE_MAX])
        return Response({"id": row.pk}, status=status.HTTP_201_CREATED)
