"""The live dashboard's figures for other systems: the counts DESIGN.md names, as of one
moment, and, documented as extras, the challenges by stage and the open work per user."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.api import holds
from agencies.policy import Capability
from core.db import lag_tolerant_reads
from reporting.live import live_figures


class StageCountSerializer(serializers.Serializer):
    stage = serializers.IntegerField(source="order", help_text="The stage's number, from 1.")
    name = serializers.CharField()
    open = serializers.IntegerField(help_text="Open challenges at this stage.")
    past_timescale = serializers.IntegerField(
        help_text="Of those, how many are past the stage's timescale (response due at or "
        "before `as_of`)."
    )


class CaseloadSerializer(serializers.Serializer):
    user = serializers.IntegerField(source="user_id", help_text="The user's id.")
    role = serializers.CharField(help_text="`screener` or `manager`.")
    open = serializers.IntegerField(help_text="Referrals allocated to them and undecided.")
    overdue = serializers.IntegerField(help_text="Of those, how many are overdue.")


class DashboardSerializer(serializers.Serializer):
    overdue = serializers.IntegerField(
        help_text="Undecided referrals whose decision was due at or before `as_of`."
    )
    due_soon = serializers.IntegerField(
        help_text="Undecided referrals due after `as_of` and within FRONTDOOR_DUE_SOON_HOURS of it."
    )
    unallocated = serializers.IntegerField(
        help_text="Referrals not yet allocated, received more than "
        "FRONTDOOR_UNALLOCATED_FLAG_MINUTES before `as_of`."
    )
    awaiting_decision = serializers.IntegerField(
        help_text="Referrals with a screener's recommendation, awaiting a manager's decision."
    )
    information_requests_overdue = serializers.IntegerField(
        help_text="Information requests unanswered at their due time."
    )
    minutes_overdue = serializers.IntegerField(
        help_text="Strategy discussions whose minutes were not circulated to professionals "
        "by their due time."
    )
    actions_overdue = serializers.IntegerField(
        help_text="Strategy-discussion actions not done by their due time."
    )
    challenges_open = serializers.IntegerField(help_text="Open challenges, at every stage.")
    as_of = serializers.DateTimeField(help_text="The moment every figure was counted at.")
    challenges_by_stage = StageCountSerializer(
        many=True, source="challenges", help_text="Extra: open challenges at each stage."
    )
    caseloads = CaseloadSerializer(
        many=True,
        help_text="Extra: open work per screener or manager (users with none are left out).",
    )


class Dashboard(APIView):
    """What is late now, for managers and auditors."""

    permission_classes = [
        IsAuthenticated,
        holds(Capability.VIEW_DASHBOARD, "Only managers and auditors see the dashboard."),
    ]

    @extend_schema(
        summary="The live dashboard figures",
        description="Managers and auditors: 403 for anyone else. Every count is taken at "
        "one moment, `as_of`; the edges are those of the clock alerts (a thing due exactly "
        "at `as_of` is overdue).",
        responses={
            200: DashboardSerializer,
            403: OpenApiResponse(description="Only managers and auditors see the dashboard."),
        },
    )
    def get(self, request):
        with lag_tolerant_reads():  # the read replica's, when one is configured
            figures = live_figures(now=timezone.now())
        return Response(DashboardSerializer(figures).data)
