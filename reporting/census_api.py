"""GET /api/v1/census/cin/: the CIN census return as XML or CSV (managers, auditors)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.api import holds
from agencies.policy import Capability
from reporting.census import FIRST_COLLECTION_YEAR, InvalidCollectionYear, parse_collection_year
from reporting.census_views import FORMATS, census_file


class ErrorsInJson(BaseContentNegotiation):
    """``format`` here chooses the file (xml or csv), which the view sends itself; DRF's
    own reading of ``?format=`` as a renderer override (URL_FORMAT_OVERRIDE) would answer
    404 to ``format=csv``. Refusals and field errors are JSON whatever is asked for."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class CensusQuery(serializers.Serializer):
    collection_year = serializers.CharField(
        help_text="The collection year: 2026 is 1 April 2025 to 31 March 2026 (London dates)."
    )
    format = serializers.ChoiceField(
        choices=list(FORMATS), default="xml", help_text="xml (the census XML) or csv"
    )

    def validate_collection_year(self, value):
        try:
            return parse_collection_year(value)
        except InvalidCollectionYear as exc:
            raise serializers.ValidationError(str(exc)) from None


class CensusCIN(APIView):
    permission_classes = [
        IsAuthenticated,
        holds(Capability.EXPORT_CENSUS, "Only managers and auditors export the census."),
    ]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = ErrorsInJson

    @extend_schema(
        operation_id="census_cin",
        summary="The DfE children-in-need census items the front door holds",
        description=(
            "The referrals received in the collection year as the CIN census XML (a "
            "Message with its Header and Children) or as CSV, one row per CIN episode. "
            "Decided referrals only; 'already an open case' is left out. Every download "
            "is written to the access log."
        ),
        parameters=[
            OpenApiParameter(
                "collection_year",
                {"type": "string", "format": "collection-year"},
                OpenApiParameter.QUERY,
                required=True,
                description="4 digits: 2026 is 1 April 2025 to 31 March 2026 (London "
                f"dates). Rule: from {FIRST_COLLECTION_YEAR} up to the current collection "
                "year (from 1 April, next year's); any other is a 400 naming "
                "`collection_year`.",
            ),
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                enum=list(FORMATS),
                default="xml",
                description="xml (the census XML) or csv",
            ),
        ],
        responses={
            (200, "application/xml"): OpenApiResponse(
                OpenApiTypes.STR, description="CIN census XML"
            ),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="One row per episode"),
            (400, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description="Field-level messages, e.g. collection_year"
            ),
            (403, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description="Not a manager or auditor"
            ),
        },
    )
    def get(self, request):
        query = CensusQuery(data=request.query_params)
        if not query.is_valid():
            return Response(query.errors, status=400)
        return census_file(
            request=request,
            collection_year=query.validated_data["collection_year"],
            fmt=query.validated_data["format"],
        )
