"""Serializers of the portal's business API: the member's products, demands, inquiries, matches, pairs, donations."""
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from charity.models import Donation
from directory.api.serializers import CategoryField
from directory.models import Demand, Inquiry, InquiryMessage, Product
from pairing.models import FollowUp, Pair
from portal.access import my_enterprises


@extend_schema_field(OpenApiTypes.INT)
class MyEnterpriseField(serializers.PrimaryKeyRelatedField):
    """One of the requesting member's enterprises, by id."""

    def get_queryset(self):
        """The enterprises whose legal person is the requesting member."""
        request = self.context.get("request")
        return my_enterprises(request.member) if request is not None and hasattr(request, "member") else None


class MyProductSerializer(serializers.ModelSerializer):
    """A product of one of my enterprises; `translations` is {"en": {"name", "description", "machine"}}."""

    enterprise = MyEnterpriseField(help_text=_("供应企业编号（我的企业）"))
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    category = CategoryField(required=False, allow_null=True)
    photos = serializers.SerializerMethodField()
    photo_ids = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = ["id", "enterprise", "enterprise_name", "code", "name", "description", "translations", "category",
                  "specifications", "min_order", "unit", "price_min", "price_max", "currency", "hs_code",
                  "certifications", "status", "country", "photos", "photo_ids", "created_at", "updated_at"]
        read_only_fields = ["country", "created_at", "updated_at"]

    def get_photos(self, obj) -> list[str]:
        """Addresses of the photos (the member's own view, hidden products included)."""
        from django.urls import reverse

        return [reverse("portal:business-photo", args=[p.pk, "full"]) for p in obj.photos.all()]

    def get_photo_ids(self, obj) -> list[int]:
        """The photos' ids (to delete one)."""
        return [p.pk for p in obj.photos.all()]


class PhotoUploadSerializer(serializers.Serializer):
    """One photo file."""

    photo = serializers.FileField()


class MyDemandSerializer(serializers.ModelSerializer):
    """A demand one of my enterprises posted, in its own language, with the Chinese reading."""

    enterprise = MyEnterpriseField(write_only=True, help_text=_("采购企业编号（我的企业）"))
    category = CategoryField(required=False, allow_null=True)

    class Meta:
        model = Demand
        fields = ["id", "enterprise", "buyer", "title", "description", "language", "category", "quantity", "unit",
                  "target_price", "currency", "destination", "deadline", "status", "translation", "created_at"]
        read_only_fields = ["buyer", "status", "translation", "created_at"]


class MessageSerializer(serializers.ModelSerializer):
    """One message of an inquiry's thread, with its translation."""

    class Meta:
        model = InquiryMessage
        fields = ["id", "from_buyer", "body", "translation", "at"]


class MyInquirySerializer(serializers.ModelSerializer):
    """An inquiry I received (side "supplier") or sent (side "buyer"), with its thread on the detail."""

    side = serializers.SerializerMethodField()
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True, default="")
    thread = serializers.SerializerMethodField()

    class Meta:
        model = Inquiry
        fields = ["id", "side", "buyer_name", "buyer_country", "enterprise", "enterprise_name", "product",
                  "product_name", "demand", "language", "status", "created_at", "thread"]

    def get_side(self, obj) -> str:
        """"supplier" when it was sent to one of my enterprises, else "buyer"."""
        return "supplier" if obj.pk in self.context.get("received", set()) else "buyer"

    def get_thread(self, obj) -> list[dict]:
        """The messages (on the detail only; the list leaves them out)."""
        if not self.context.get("with_thread"):
            return []
        return MessageSerializer(obj.messages.all(), many=True).data


class SendInquirySerializer(serializers.Serializer):
    """A first message to the supplier of a published product, for one of my enterprises."""

    enterprise = MyEnterpriseField(help_text=_("以哪家企业询盘（我的企业）"))
    product = serializers.IntegerField(help_text=_("已发布产品的编号"))
    demand = serializers.IntegerField(required=False, allow_null=True, help_text=_("我的需求编号（可选）"))
    message = serializers.CharField(max_length=4000)


class InquiryReplySerializer(serializers.Serializer):
    """A message in the thread."""

    body = serializers.CharField(max_length=4000)


class FoundProductSerializer(serializers.Serializer):
    """A published product found for one of my demands."""

    id = serializers.IntegerField(source="obj.pk")
    name = serializers.CharField(source="obj.name")
    enterprise_name = serializers.CharField(source="obj.enterprise.name")
    score = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())


class FoundDemandSerializer(serializers.Serializer):
    """An open demand one of my products could answer (what is sought, not who seeks it)."""

    id = serializers.IntegerField(source="obj.pk")
    title = serializers.CharField(source="obj.title")
    quantity = serializers.IntegerField(source="obj.quantity", allow_null=True)
    unit = serializers.CharField(source="obj.unit")
    destination = serializers.CharField(source="obj.destination")
    deadline = serializers.DateField(source="obj.deadline", allow_null=True)
    score = serializers.FloatField()


class DemandMatchesSerializer(serializers.Serializer):
    """One of my demands and the products found for it."""

    demand = serializers.IntegerField(source="record.pk")
    title = serializers.CharField(source="record.title")
    products = FoundProductSerializer(source="found", many=True)


class ProductMatchesSerializer(serializers.Serializer):
    """One of my products and the open demands it could answer."""

    product = serializers.IntegerField(source="record.pk")
    name = serializers.CharField(source="record.name")
    demands = FoundDemandSerializer(source="found", many=True)


class MatchesSerializer(serializers.Serializer):
    """Suggested matches both ways."""

    for_demands = DemandMatchesSerializer(many=True)
    for_products = ProductMatchesSerializer(many=True)


class MyFollowUpSerializer(serializers.ModelSerializer):
    """A follow-up recorded against a pair."""

    class Meta:
        model = FollowUp
        fields = ["id", "date", "kind", "notes", "funds_delivered", "orders_amount", "income_increase",
                  "people_trained"]


class MyPairSerializer(serializers.ModelSerializer):
    """A pair I am a side of, with the other side's name and the follow-ups."""

    program = serializers.CharField(source="program.name")
    helper = serializers.CharField(source="helper.name")
    beneficiary = serializers.CharField(source="beneficiary.name")
    side = serializers.SerializerMethodField()
    follow_ups = MyFollowUpSerializer(many=True)

    class Meta:
        model = Pair
        fields = ["id", "program", "helper", "beneficiary", "side", "status", "started_on", "ended_on",
                  "end_reason", "follow_ups"]

    def get_side(self, obj) -> str:
        """"helper" or "beneficiary"."""
        return "helper" if obj.helper_id in self.context.get("mine", set()) else "beneficiary"


class MyDonationSerializer(serializers.ModelSerializer):
    """A donation I gave, with its receipt number and the address of its PDF receipt."""

    fund = serializers.CharField(source="fund.name")
    org = serializers.CharField(source="org.name")
    receipt = serializers.SerializerMethodField()

    class Meta:
        model = Donation
        fields = ["id", "org", "fund", "donor_name", "kind", "value", "goods", "received_on", "receipt_number",
                  "receipt"]

    def get_receipt(self, obj) -> str:
        """The address of the PDF receipt."""
        from django.urls import reverse

        return reverse("portal-api:my-donation-receipt", args=[obj.pk])
