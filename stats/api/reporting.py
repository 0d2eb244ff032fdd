"""API of reporting up the tree and of annual-review templates, scoped like the web pages."""
import django_filters as df
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import OrgField, ScopedViewSet
from registry.filters import OrgSubtreeFilter
from stats import services
from stats.models import ReviewTemplate, Submission


class SubmissionSerializer(serializers.ModelSerializer):
    """A report of an organization's figures for a period to its parent; `returned_at` when sent back."""

    org = OrgField()
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Submission
        fields = ["id", "org", "parent", "period", "figures", "note", "submitted_at", "returned_at",
                  "return_reason"]
        read_only_fields = ["figures", "submitted_at", "returned_at", "return_reason"]


class SubmissionFilter(df.FilterSet):
    """Reports by period, by the reporting organization's code (`org`), subtree (`under`) or parent."""

    org = df.CharFilter(field_name="org__code")
    under = OrgSubtreeFilter()
    parent = df.CharFilter(field_name="parent__code")

    class Meta:
        model = Submission
        fields = ["period", "org", "under", "parent"]


class ReviewTemplateFilter(df.FilterSet):
    """Templates by organization code (`org`) or subtree (`under`)."""

    org = df.CharFilter(field_name="org__code")
    under = OrgSubtreeFilter()

    class Meta:
        model = ReviewTemplate
        fields = ["org", "under"]


class SubmissionViewSet(ScopedViewSet):
    """Reports in the caller's subtrees. POST submits (or resubmits) an organization's figures;
    `send_back/` returns a child's report with a reason."""

    serializer_class = SubmissionSerializer
    filterset_class = SubmissionFilter
    def scoped_queryset(self, user):
        """Reports the caller may see."""
        return Submission.objects.visible_to(user).select_related("org", "parent")

    def create_object(self, data):
        """Roll up and submit through stats.services.submit."""
        return services.submit(by=self.request.user, org=data["org"], period=data["period"],
                               note=data.get("note", ""))

    def update_object(self, instance, data):
        """Changing a report is submitting it again (figures rolled up anew, a new note)."""
        return services.submit(by=self.request.user, org=instance.org, period=instance.period,
                               note=data.get("note", instance.note))

    @extend_schema(request=inline_serializer("SendBack", {"reason": serializers.CharField()}),
                   responses={200: SubmissionSerializer})
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, pk=None):
        """Return the report to the organization that sent it."""
        sub = get_object_or_404(self.get_queryset(), pk=pk)
        sub = services.send_back(by=request.user, submission=sub, reason=request.data.get("reason", ""))
        return Response(self.get_serializer(sub).data)


class ReviewTemplateSerializer(serializers.ModelSerializer):
    """An organization's annual-review template (see stats.review for the syntax)."""

    org = OrgField()

    class Meta:
        model = ReviewTemplate
        fields = ["id", "org", "title", "body", "updated_at"]
        read_only_fields = ["updated_at"]


class ReviewTemplateViewSet(ScopedViewSet):
    """Review templates in the caller's subtrees; create or replace one per organization."""

    serializer_class = ReviewTemplateSerializer
    filterset_class = ReviewTemplateFilter
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def scoped_queryset(self, user):
        """Templates the caller may see."""
        return ReviewTemplate.objects.visible_to(user).select_related("org").order_by("org__path")

    def create_object(self, data):
        """Create or replace through stats.services.save_template."""
        return services.save_template(by=self.request.user, org=data["org"], title=data["title"], body=data["body"])

    def update_object(self, instance, data):
        """Replace the title or body; the organization is fixed."""
        if "org" in data and data["org"].pk != instance.org_id:
            raise ValidationError({"org": _("不能更改模板所属组织。")})
        return services.save_template(by=self.request.user, org=instance.org, title=data.get("title", instance.title),
                                      body=data.get("body", instance.body))

