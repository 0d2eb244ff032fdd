"""Serializers of the member's personal-data requests (/api/my/privacy/requests/)."""
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from privacy import services
from privacy.models import SubjectRequest


class MyPrivacyRequestSerializer(serializers.ModelSerializer):
    """One of my requests: what, status, deadline, the answer, and the copy's link when there is one."""

    overdue = serializers.BooleanField(read_only=True)
    download_url = serializers.SerializerMethodField()
    download_until = serializers.SerializerMethodField()

    class Meta:
        model = SubjectRequest
        fields = ["id", "kind", "status", "details", "channel", "received_at", "due_on", "overdue", "handled_at",
                  "outcome", "download_url", "download_until"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_download_url(self, obj) -> str | None:
        """Where to download the copy (answered access requests within the download period), else null."""
        if not services.export_available(obj):
            return None
        return reverse("portal-api:privacy-request-download", kwargs={"pk": obj.pk})

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_download_until(self, obj) -> str | None:
        """Until when the copy can be downloaded (answered access requests), else null."""
        until = services.export_until(obj)
        return serializers.DateTimeField().to_representation(until) if until else None


class MyPrivacyRequestCreateSerializer(serializers.Serializer):
    """What I ask for; a correction says what to correct."""

    kind = serializers.ChoiceField(choices=[(k.value, k.label) for k in services.MEMBER_KINDS],
                                   help_text=_("access 查阅复制、correction 更正补充、deletion 删除、withdrawal 撤回同意"))
    details = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
