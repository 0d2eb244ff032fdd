"""Serializers of the directory API: products, demands and their matches, inquiries (no content), the public catalogue."""
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api import OrgField
from directory.models import Category, Demand, Inquiry, Match, Product
from registry.api.serializers import ScopedPrimaryKeyField
from registry.models import Enterprise


class CategoryField(serializers.SlugRelatedField):
    """A category by its code."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=Category.objects.all(), **kwargs)


class ProductSerializer(serializers.ModelSerializer):
    """A product; `translations` is {"en": {"name", "description", "machine"}}; machine texts say so."""

    enterprise = ScopedPrimaryKeyField(Enterprise, help_text=_("供应企业编号"))
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    org = serializers.CharField(source="org.code", read_only=True)
    category = CategoryField(required=False, allow_null=True)
    photos = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = ["id", "org", "enterprise", "enterprise_name", "code", "name", "description", "translations",
                  "category", "specifications", "min_order", "unit", "price_min", "price_max", "currency", "hs_code",
                  "certifications", "status", "country", "photos", "created_at", "updated_at"]
        read_only_fields = ["country", "created_at", "updated_at"]

    def get_photos(self, obj) -> list[str]:
        """Addresses of the photos (thumbnails in the catalogue)."""
        from django.urls import reverse

        return [reverse("catalogue:photo", args=[p.pk, "full"]) for p in obj.photos.all()]


class DemandSerializer(serializers.ModelSerializer):
    """A demand in its own language, with the glossary's Chinese reading (`translation`)."""

    org = OrgField(help_text=_("发布组织的代码或编号"))
    category = CategoryField(required=False, allow_null=True)

    class Meta:
        model = Demand
        fields = ["id", "org", "buyer", "title", "description", "language", "category", "quantity", "unit",
                  "target_price", "currency", "destination", "deadline", "status", "translation", "created_at"]
        read_only_fields = ["status", "translation", "created_at"]


class MatchSerializer(serializers.ModelSerializer):
    """A product found for a demand."""

    product_name = serializers.CharField(source="product.name", read_only=True)
    enterprise_name = serializers.CharField(source="product.enterprise.name", read_only=True)

    class Meta:
        model = Match
        fields = ["product", "product_name", "enterprise_name", "score", "reasons"]


class FoundSerializer(serializers.Serializer):
    """A live match: the record's id and title, the score and why."""

    id = serializers.IntegerField(source="obj.pk")
    title = serializers.CharField(source="obj.__str__")
    score = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())


class InquirySerializer(serializers.ModelSerializer):
    """An inquiry as the association sees it: parties, status and message count, never the messages."""

    name = serializers.CharField(source="buyer_name", read_only=True)
    messages = serializers.IntegerField(source="message_count", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)

    class Meta:
        model = Inquiry
        fields = ["id", "name", "enterprise", "enterprise_name", "product", "demand", "buyer_country", "language",
                  "status", "messages", "is_spam", "created_at"]
        read_only_fields = [f for f in fields if f != "status"]


class PublicProductSerializer(serializers.ModelSerializer):
    """A published product in the public catalogue, in the asked language; no phone, no address."""

    name = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()
    machine_translated = serializers.SerializerMethodField()
    enterprise = serializers.CharField(source="enterprise.name")
    category = serializers.CharField(source="category.code", default="")

    class Meta:
        model = Product
        fields = ["id", "name", "description", "machine_translated", "enterprise", "category", "country", "min_order",
                  "unit", "price_min", "price_max", "currency", "certifications"]

    def _text(self, obj):
        return obj.text(self.context.get("lang", "zh"))

    def get_name(self, obj) -> str:
        """The name in the asked language (Chinese when there is none)."""
        return self._text(obj)["name"]

    def get_description(self, obj) -> str:
        """The description in the asked language."""
        return self._text(obj)["description"]

    def get_machine_translated(self, obj) -> bool:
        """Whether the text shown was translated by machine (the glossary)."""
        return self._text(obj)["machine"]


class PublicInquirySerializer(serializers.Serializer):
    """A buyer's first message about a published product."""

    product = serializers.IntegerField()
    name = serializers.CharField(max_length=200)
    email = serializers.EmailField(required=False, allow_blank=True)
    country = serializers.CharField(max_length=2, required=False, allow_blank=True)
    language = serializers.CharField(max_length=5, required=False, default="en")
    message = serializers.CharField(max_length=4000)
    challenge = serializers.CharField()
    answer = serializers.CharField()
    website = serializers.CharField(required=False, allow_blank=True, help_text=_("留空"))
