"""Serializers of the privacy API."""
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from privacy.models import Consent, Purpose, SubjectRequest
from registry.api.serializers import ScopedPrimaryKeyField
from registry.models import Person


class SubjectRequestSerializer(serializers.ModelSerializer):
    """A data-subject request; the organization is the person's, the due date follows from receipt."""

    # Null once the person's record is deleted (the request stays, as proof of the answer).
    person = ScopedPrimaryKeyField(Person, allow_null=True)
    org = serializers.SlugRelatedField(slug_field="code", read_only=True)
    overdue = serializers.BooleanField(read_only=True)
    handled_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = SubjectRequest
        fields = ["id", "org", "person", "kind", "status", "details", "channel", "received_at", "due_on", "overdue",
                  "handled_by", "handled_at", "outcome", "result"]
        read_only_fields = ["status", "due_on", "handled_at", "outcome", "result"]
        extra_kwargs = {"received_at": {"required": False}}


class CorrectionSerializer(serializers.Serializer):
    """The corrected values of the person's fields (registry field names)."""

    fields = serializers.DictField(child=serializers.CharField(allow_blank=True), help_text=_("如 {\"phone\": …}"))


class WithdrawSerializer(serializers.Serializer):
    """Which consents to withdraw (all when empty)."""

    purposes = serializers.ListField(child=serializers.ChoiceField(choices=Purpose.choices), required=False,
                                     default=list)


class RefuseSerializer(serializers.Serializer):
    """Why the request is refused."""

    reason = serializers.CharField()


class PurposeSerializer(serializers.Serializer):
    """Why the data is exported (logged)."""

    purpose = serializers.CharField(required=False, allow_blank=True, default="")


class ConsentSerializer(serializers.ModelSerializer):
    """A consent; `withdraw` ends it."""

    person = ScopedPrimaryKeyField(Person)
    org = serializers.SlugRelatedField(slug_field="code", read_only=True)
    active = serializers.BooleanField(read_only=True)

    class Meta:
        model = Consent
        fields = ["id", "org", "person", "purpose", "method", "given_at", "withdrawn_at", "active", "note"]
        read_only_fields = ["withdrawn_at"]
        extra_kwargs = {"given_at": {"required": False}}
