"""Serializers of the registry API: personal fields always masked on read, organization by code."""
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.fields import SkipField

from core.api import (
    ListedRecordSerializerMixin,
    MaskedCharField,
    MaskedDateField,
    MaskedEmailField,
    OrgField,
    TagListField,
)
from registry.models import Enterprise, Membership, Person


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A related record by id, resolved only among the records the requesting user may see."""

    def __init__(self, model, **kwargs):
        self.model = model
        super().__init__(**kwargs)

    def get_queryset(self):
        """Records of `model` visible to the requesting user (people: not merged away)."""
        request = self.context.get("request")
        qs = self.model.objects.visible_to(getattr(request, "user", None))
        return qs.active() if hasattr(qs, "active") else qs

    def to_internal_value(self, data):
        """The current value, repeated by a PUT, is left alone even when it lies outside the caller's scope."""
        instance = getattr(self.parent, "instance", None)
        if instance is not None and data is not None:
            current = getattr(instance, f"{self.source}_id", None)
            if current is not None and str(data) == str(current):
                raise SkipField
        return super().to_internal_value(data)


class PersonSerializer(ListedRecordSerializerMixin, serializers.ModelSerializer):
    """A person; `Person.personal_fields` are written in clear and read masked."""

    org = OrgField(help_text=_("所属组织的代码或编号"))
    org_name = serializers.CharField(source="org.name", read_only=True)
    id_number = MaskedCharField(max_length=18, required=False, allow_blank=True, allow_null=True)
    passport_number = MaskedCharField(max_length=20, required=False, allow_blank=True)
    phone = MaskedCharField(max_length=20, required=False, allow_blank=True)
    email = MaskedEmailField(required=False, allow_blank=True)
    address = MaskedCharField(max_length=300, required=False, allow_blank=True)
    birth_date = MaskedDateField(required=False, allow_null=True)
    tags = TagListField(required=False)

    class Meta:
        model = Person
        fields = [
            "id", "org", "org_name", "name", "former_names", "foreign_name", "gender", "birth_date",
            "category", "is_new_overseas", "country", "home_region", "id_number", "passport_number",
            "phone", "email", "wechat", "address", "languages", "industries", "tags", "notes",
            "merged_into", "created_at", "updated_at",
        ]
        read_only_fields = ["merged_into", "created_at", "updated_at"]


class EnterpriseSerializer(ListedRecordSerializerMixin, serializers.ModelSerializer):
    """An enterprise; its personal fields (`Enterprise.personal_fields`) are read masked."""

    org = OrgField(help_text=_("所属组织的代码或编号"))
    org_name = serializers.CharField(source="org.name", read_only=True)
    legal_person = ScopedPrimaryKeyField(Person, required=False, allow_null=True)
    phone = MaskedCharField(max_length=20, required=False, allow_blank=True)
    address = MaskedCharField(max_length=300, required=False, allow_blank=True)
    tags = TagListField(required=False)

    class Meta:
        model = Enterprise
        fields = [
            "id", "org", "org_name", "name", "credit_code", "kind", "industry", "country", "region", "size",
            "legal_representative", "legal_person", "main_products", "phone", "address", "tags", "notes",
            "created_at", "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        # Uniqueness is the service's call (full_clean), in one place for web, API and import.
        extra_kwargs = {"credit_code": {"validators": []}}


class MembershipSerializer(serializers.ModelSerializer):
    """A person or an enterprise in an organization; only role and dates change after joining."""

    org = OrgField(help_text=_("组织的代码或编号"))
    person = ScopedPrimaryKeyField(Person, required=False, allow_null=True)
    enterprise = ScopedPrimaryKeyField(Enterprise, required=False, allow_null=True)
    member_name = serializers.SerializerMethodField()
    is_current = serializers.BooleanField(read_only=True)

    class Meta:
        model = Membership
        fields = [
            "id", "org", "person", "enterprise", "member_name", "role", "joined_on", "left_on",
            "is_current", "created_at",
        ]
        read_only_fields = ["created_at"]

    def get_member_name(self, obj) -> str:
        """The member's name (person or enterprise)."""
        return str(obj.member)
