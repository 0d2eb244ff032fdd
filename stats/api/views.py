"""API of the indicators: the list, and one indicator for a subtree and period."""
import datetime as dt

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.scoping import get_visible_or_404
from orgs.models import Organization
from stats.indicators import REGISTRY, evaluate


class IndicatorSerializer(serializers.Serializer):
    """An indicator's value for a subtree and period."""

    key = serializers.CharField()
    title = serializers.CharField()
    unit = serializers.CharField()
    value = serializers.JSONField()
    previous = serializers.JSONField()
    change = serializers.FloatField(allow_null=True)
    to = serializers.DateField()
    description = serializers.CharField()
    url = serializers.CharField(allow_null=True, help_text="the web list of the rows behind the figure")
    computed_at = serializers.DateTimeField(allow_null=True)


def _date(request, name):
    value = request.query_params.get(name)
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise serializers.ValidationError({name: "YYYY-MM-DD"}) from None


class IndicatorListView(APIView):
    """Every indicator's key, title, unit and definition."""

    @extend_schema(operation_id="indicators_list", responses={200: inline_serializer("IndicatorInfo", many=True, fields={
        "key": serializers.CharField(), "title": serializers.CharField(), "unit": serializers.CharField(),
        "description": serializers.CharField()})})
    def get(self, request):
        """The registry of indicators."""
        return Response([
            {"key": k, "title": str(i.title), "unit": str(i.unit), "description": str(i.description)}
            for k, i in sorted(REGISTRY.items())
        ])


class IndicatorView(APIView):
    """One indicator for the caller's view of an organization's subtree over a period."""

    @extend_schema(
        parameters=[OpenApiParameter("org", str, description="organization code"),
                    OpenApiParameter("from", OpenApiTypes.DATE), OpenApiParameter("to", OpenApiTypes.DATE)],
        responses={200: IndicatorSerializer},
    )
    def get(self, request, key):
        """Compute the indicator; an organization outside the caller's scope answers 404."""
        if key not in REGISTRY:
            raise Http404
        org = None
        if request.query_params.get("org"):
            org = get_visible_or_404(Organization, request.user, code=request.query_params["org"])
        result = evaluate(key, user=request.user, org=org, start=_date(request, "from"), end=_date(request, "to"))
        return Response(result.as_dict())
