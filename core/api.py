"""What every app's API shares: scoped viewsets that write through the services, masked fields, reveal.

A viewset names its queryset through `scoped_queryset(user)` (always `visible_to`),
and its writes through `create_object` / `update_object`, which call the app's
services. Django's ValidationError from a service becomes a 400 with field names,
PermissionDenied a 403, and anything outside the caller's scope a 404.
"""
from __future__ import annotations

import copy

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.fields import Field, SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.response import Response
from rest_framework.settings import api_settings

from core.personal import mask_value, reveal
from orgs.models import Organization


def drf_validation_error(error: DjangoValidationError) -> serializers.ValidationError:
    """Django's ValidationError as DRF's, keeping field names (`__all__` becomes `non_field_errors`)."""
    if hasattr(error, "error_dict"):
        detail = {
            (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): messages
            for field, messages in error.message_dict.items()
        }
    else:
        detail = {api_settings.NON_FIELD_ERRORS_KEY: error.messages}
    return serializers.ValidationError(detail)


class MayChangeRecord(permissions.BasePermission):
    """Writes to a record need a grant that allows changing it (reads are scoped by the queryset)."""

    message = gettext_lazy("您无权修改此记录。")

    def has_object_permission(self, request, view, obj):
        """Safe methods pass; writes need `core.change_record` on the record."""
        if request.method in permissions.SAFE_METHODS or getattr(view, "action", None) == "reveal":
            return True
        return request.user.has_perm("core.change_record", obj)


class ScopedViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """List, detail, create and update of a scoped model; writes go through the app's services."""

    permission_classes = [permissions.IsAuthenticated, MayChangeRecord]

    def scoped_queryset(self, user):
        """The records `user` may see, with what the serializer reads joined in (no N+1)."""
        raise NotImplementedError

    def get_queryset(self):
        """Every queryset of the API is the scoped one: out-of-scope records answer 404."""
        return self.scoped_queryset(self.request.user)

    def create_object(self, data: dict):
        """Call the service that creates the record from validated data; return the record."""
        raise NotImplementedError

    def update_object(self, instance, data: dict):
        """Call the service that changes the record with validated data; return the record."""
        raise NotImplementedError

    def perform_create(self, serializer):
        """Create through the service, then answer with the record as a list row would show it."""
        obj = self.create_object(dict(serializer.validated_data))
        serializer.instance = self.get_queryset().get(pk=obj.pk)

    def perform_update(self, serializer):
        """Update through the service, then answer with the record re-read from the scoped queryset."""
        obj = self.update_object(serializer.instance, dict(serializer.validated_data))
        serializer.instance = self.get_queryset().get(pk=obj.pk)

    def handle_exception(self, exc):
        """Service errors: ValidationError → 400 with field names (PermissionDenied → 403 is DRF's own)."""
        if isinstance(exc, DjangoValidationError):
            exc = drf_validation_error(exc)
        return super().handle_exception(exc)


def changed_only(instance, data: dict, fixed: set[str]) -> dict:
    """Drop fields a service cannot change when the request repeats their current value (PUT)."""
    out = dict(data)
    for name in fixed & set(out):
        value = out[name]
        current = getattr(instance, instance._meta.get_field(name).attname)
        if current == (value.pk if hasattr(value, "pk") else value):
            del out[name]
    return out


@extend_schema_field(OpenApiTypes.STR)
class OrgField(serializers.RelatedField):
    """An organization given by its code (or its id) and shown by its code; only visible ones resolve."""

    default_error_messages = {
        "does_not_exist": gettext_lazy("组织“%(value)s”不存在。"),
        "invalid": gettext_lazy("请填写组织代码或编号。"),
    }

    def get_queryset(self):
        """Organizations the requesting user may see."""
        request = self.context.get("request")
        return Organization.objects.visible_to(getattr(request, "user", None))

    def to_internal_value(self, data):
        """A JSON number is an id; a string is a code, or an id when no code matches."""
        qs = self.get_queryset()
        if isinstance(data, bool) or not isinstance(data, int | str) or (isinstance(data, str) and "\x00" in data):
            self.fail("invalid")  # a NUL would reach PostgreSQL, which refuses it (schemathesis)
        org = None
        if isinstance(data, str):
            org = qs.filter(code=data.strip()).first()
        text = str(data).strip()
        if org is None and text.isascii() and text.isdigit() and len(text) < 19:  # "²".isdigit() is true too
            org = qs.filter(pk=int(text)).first()
        if org is None:
            self.fail("does_not_exist", value=data)
        return org

    def to_representation(self, value):
        """The organization's code."""
        return value.code



class ListedRecordSerializerMixin:
    """For the serializers of records listed 50 to a page: a field that reads one attribute of the record
    reads it directly.

    DRF reads every field of every row through `Field.get_attribute`, which walks the field's source path and
    asks whether each step is a callable to call: 1,250 times a page of 50 people. A field with a source of
    one step and DRF's own `get_attribute` gets `getattr(record, source)` instead; any other field (a dotted
    source, a relation, a field of ours that reads differently, a callable attribute, a missing one) is read
    by DRF as before, so the output is the same.
    """

    def get_fields(self):
        """The serializer class's fields, built from its Meta once and copied for each serializer.

        DRF builds a ModelSerializer's fields again for every serializer (0.65 ms for a person's 25); a copy
        is how DRF itself gives each serializer its declared fields (0.2 ms). For serializers whose fields
        depend on their class alone, as these do.
        """
        cls = type(self)
        kept = cls.__dict__.get("_shanghui_fields")
        if kept is None:
            kept = super().get_fields()
            cls._shanghui_fields = kept
        return copy.deepcopy(kept)

    def _field_plan(self) -> list[tuple]:
        plan = getattr(self, "_shanghui_field_plan", None)
        if plan is None:
            plan = self._shanghui_field_plan = [
                (field, field.source_attrs[0] if type(field).get_attribute is Field.get_attribute
                 and len(field.source_attrs) == 1 else None)
                for field in self._readable_fields
            ]
        return plan

    def to_representation(self, instance):
        """The record as a dict of its readable fields, as DRF's Serializer.to_representation gives it."""
        ret = {}
        for field, attr in self._field_plan():
            attribute = getattr(instance, attr, _MISSING) if attr is not None else _MISSING
            if attribute is _MISSING or callable(attribute):
                try:
                    attribute = field.get_attribute(instance)
                except SkipField:
                    continue
            check = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            ret[field.field_name] = None if check is None else field.to_representation(attribute)
        return ret


_MISSING = object()


class MaskedMixin:
    """A personal field: written in clear, always read masked (`core.personal.mask_value`).

    A PUT that sends back the masked value it read leaves the stored value unchanged.
    """

    def to_representation(self, value):
        """The masked form of the value."""
        return mask_value(self.field_name, value)

    def to_internal_value(self, data):
        """Skip the field when the client repeats the masked value; parse anything else."""
        instance = getattr(self.parent, "instance", None)
        if instance is not None and data not in (None, "") and not isinstance(instance, list):
            if data == mask_value(self.field_name, getattr(instance, self.source, None)):
                raise SkipField
        return super().to_internal_value(data)


@extend_schema_field({"type": "string", "description": "masked on read"})
class MaskedCharField(MaskedMixin, serializers.CharField):
    """A personal text field (ID number, phone, address …)."""


@extend_schema_field({"type": "string", "description": "masked on read"})
class MaskedEmailField(MaskedMixin, serializers.EmailField):
    """A personal e-mail address."""


@extend_schema_field({"type": "string", "description": "YYYY-MM-DD on write; masked (YYYY-**-**) on read"})
class MaskedDateField(MaskedMixin, serializers.DateField):
    """A personal date (birth date)."""


class TagListField(serializers.ListField):
    """Tag names: those a page put on its records (`TagNamesMixin`), else the `tags` relation's."""

    child = serializers.CharField(max_length=40)

    def get_attribute(self, instance):
        """Names of the record's tags, in the tags' order (by name)."""
        names = getattr(instance, "tag_names", None)
        return names if names is not None else [t.name for t in instance.tags.all()]


def attach_tag_names(records) -> None:
    """Give each record of a page its tag names (`tag_names`), read in one query of (record, name) pairs.

    Django's prefetch of `tags` builds a queryset and tag objects for every record: 2–3 ms of a 50-row API
    page, most of whose records have no tag (docs/benchmarks.md).
    """
    if not records:
        return
    through = type(records[0]).tags.through
    owner = next(f.attname for f in through._meta.concrete_fields
                 if f.is_relation and f.related_model is type(records[0]))
    names: dict[int, list[str]] = {r.pk: [] for r in records}
    pairs = through.objects.filter(**{f"{owner}__in": list(names)}).values_list(owner, "tag__name")
    for pk, name in pairs.order_by("tag__name"):
        names[pk].append(name)
    for record in records:
        record.tag_names = names[record.pk]


class TagNamesMixin:
    """For viewsets of tagged records: a list page reads its records' tag names in one query."""

    def get_queryset(self):
        """A paginated list drops the `tags` prefetch (its page gets the names instead)."""
        queryset = super().get_queryset()
        if self.action == "list" and self.paginator is not None:
            return queryset.prefetch_related(None)
        return queryset

    def paginate_queryset(self, queryset):
        """The page, with its records' tag names attached."""
        page = super().paginate_queryset(queryset)
        if page is not None:
            attach_tag_names(page)
        return page


class RevealRequestSerializer(serializers.Serializer):
    """Why the personal data is needed, and which fields (all of them when omitted)."""

    purpose = serializers.CharField(required=False, allow_blank=True, default="", help_text=gettext_lazy("查看用途"))
    fields = serializers.ListField(child=serializers.CharField(), required=False, default=list)


class RevealResponseSerializer(serializers.Serializer):
    """The clear values of the requested personal fields."""

    id = serializers.IntegerField()
    values = serializers.DictField(child=serializers.CharField())


class RevealMixin:
    """`POST …/{id}/reveal/`: the clear personal data, checked against the grant and logged."""

    @extend_schema(
        request=RevealRequestSerializer,
        responses={200: RevealResponseSerializer},
        description=gettext_lazy("显示个人信息明文：需要个人信息权限并说明用途，每次查看都记入审计日志。"),
    )
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        """Reveal personal fields of one record (403 without the grant or a purpose)."""
        obj = self.get_object()
        body = RevealRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        personal = list(obj.personal_fields)
        fields = body.validated_data["fields"] or personal
        unknown = sorted(set(fields) - set(personal))
        if unknown:
            raise serializers.ValidationError({"fields": [_("不是个人信息字段：%(f)s") % {"f": "、".join(unknown)}]})
        values = reveal(request.user, obj, fields, body.validated_data["purpose"])
        return Response({"id": obj.pk, "values": values})

