"""Serializers of the organization API: the node's fields, its parent by code."""
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.fields import SkipField

from core.api import OrgField
from orgs.models import Organization


class ParentField(OrgField):
    """The supervising organization: written as a code or id, read as the code annotated on the row."""

    def get_attribute(self, instance):
        """The parent's code, annotated by the viewset's queryset (no query per row)."""
        return getattr(instance, "parent_code", None)

    def to_representation(self, value):
        """The code as annotated."""
        return value

    def to_internal_value(self, data):
        """The current parent, repeated by a PUT, is left alone even when it lies above the caller's scope."""
        instance = getattr(self.parent, "instance", None)
        if instance is not None and data is not None and str(data) in {
            str(getattr(instance, "parent_code", None)), str(getattr(instance, "parent_pk", None))
        }:
            raise SkipField
        return super().to_internal_value(data)


class OrganizationSerializer(serializers.ModelSerializer):
    """An organization; `parent` is required on create (a new root needs a superuser and null)."""

    parent = ParentField(required=False, allow_null=True, help_text=_("上级单位的代码或编号"))
    parent_id = serializers.IntegerField(source="parent_pk", read_only=True, allow_null=True)

    class Meta:
        model = Organization
        fields = [
            "id", "code", "name", "short_name", "kind", "status", "parent", "parent_id", "depth",
            "credit_code", "region", "home_region", "country", "founded_on", "contact_person",
            "contact_phone", "email", "address", "created_at", "updated_at",
        ]
        read_only_fields = ["depth", "created_at", "updated_at"]
        # Uniqueness is the service's call (full_clean), in one place for web, API and import.
        extra_kwargs = {"code": {"validators": []}}

    def validate(self, attrs):
        """A new organization must name its parent."""
        if self.instance is None and "parent" not in attrs:
            raise serializers.ValidationError({"parent": [_("请选择上级单位。")]})
        return attrs
