"""The portal's business API under /api/my/: my products (CRUD), demands, inquiries (+ reply), matches, pairs, donations.

Every queryset starts from the member (`request.member`, set by `IsMember`); another member's record
answers 404. Writes go through the member-side functions of `directory.services`.
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from charity.models import Donation
from core.api import drf_validation_error
from directory import matching, services
from directory.models import Demand, DemandStatus, Inquiry, Product, Status
from pairing.models import Pair
from portal.access import member_of, my_enterprises
from portal.api import serializers_business as s
from portal.forms_business import demand_language
from portal.views_business import MATCHES_SHOWN, my_demands, my_inquiries, my_products
from portal.views_giving import my_donations, my_pairs, my_participants


class IsMember(permissions.BasePermission):
    """A member account (staff without one get 403); puts the account on `request.member`."""

    message = "只有会员账号可以使用此接口。"

    def has_permission(self, request, view):
        """Authenticated and tied to a member record."""
        member = member_of(request.user)
        if member is None:
            return False
        request.member = member
        return True


class MemberAPIMixin:
    """Member-only access; Django's ValidationError and PermissionDenied become DRF's 400 and 403."""

    permission_classes = [permissions.IsAuthenticated, IsMember]
    schema_model = None  # the model the schema generator is shown (it has no member)

    def get_queryset(self):
        """The member's records (`member_queryset`); an empty queryset for the schema generator."""
        if getattr(self, "swagger_fake_view", False):
            return self.schema_model.objects.none()
        return self.member_queryset(self.request.member)

    def member_queryset(self, member):
        """The member's records of this endpoint."""
        raise NotImplementedError

    def handle_exception(self, exc):
        """Service errors keep their field names."""
        if isinstance(exc, DjangoValidationError):
            exc = drf_validation_error(exc)
        elif isinstance(exc, DjangoPermissionDenied):
            exc = PermissionDenied(str(exc))
        return super().handle_exception(exc)


class MyProductViewSet(MemberAPIMixin, viewsets.ModelViewSet):
    """The products of my enterprises: list, read, create, change (publish or hide by `status`), delete."""

    serializer_class = s.MyProductSerializer
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    schema_model = Product

    def member_queryset(self, member):
        """My enterprises' products, newest first."""
        return my_products(member).prefetch_related("photos").defer("vector").order_by("-pk")

    def perform_create(self, serializer):
        """List it (directory.services.member_create_product)."""
        data = dict(serializer.validated_data)
        enterprise = data.pop("enterprise")
        product = services.member_create_product(by=self.request.user, enterprise=enterprise, **data)
        serializer.instance = self.get_queryset().get(pk=product.pk)

    def perform_update(self, serializer):
        """Change it (directory.services.member_update_product); the enterprise stays."""
        data = dict(serializer.validated_data)
        enterprise = data.pop("enterprise", None)
        if enterprise is not None and enterprise.pk != serializer.instance.enterprise_id:
            raise DjangoValidationError({"enterprise": "产品不能转到另一家企业。"})
        product = services.member_update_product(by=self.request.user,
                                                 product=Product.objects.get(pk=serializer.instance.pk), **data)
        serializer.instance = self.get_queryset().get(pk=product.pk)

    def perform_destroy(self, instance):
        """Withdraw it for good (directory.services.member_delete_product)."""
        services.member_delete_product(by=self.request.user, product=instance)

    @extend_schema(request={"multipart/form-data": s.PhotoUploadSerializer}, responses={201: s.MyProductSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def photos(self, request, pk=None):
        """Add a photo (multipart field `photo`; JPEG, PNG, WebP or GIF up to 8 MB, checked by content)."""
        product = self.get_object()
        upload = s.PhotoUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        f = upload.validated_data["photo"]
        services.member_add_photo(by=request.user, product=product, data=f.read(), name=f.name)
        return Response(self.get_serializer(self.get_queryset().get(pk=product.pk)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"photos/(?P<photo_pk>[0-9]+)", url_name="photo")
    def delete_photo(self, request, pk=None, photo_pk=None):
        """Remove one photo of the product."""
        product = self.get_object()
        photo = get_object_or_404(product.photos.all(), pk=photo_pk)
        services.member_remove_photo(by=request.user, photo=photo)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=s.FoundDemandSerializer(many=True))
    @action(detail=True, methods=["get"])
    def demands(self, request, pk=None):
        """The open demands this product could answer (none while it is hidden)."""
        product = Product.objects.get(pk=self.get_object().pk)
        found = matching.match_product(product, MATCHES_SHOWN) if product.status == Status.PUBLISHED else []
        mine = set(my_demands(request.member).values_list("pk", flat=True))
        return Response(s.FoundDemandSerializer([f for f in found if f.obj.pk not in mine], many=True).data)


class MyDemandViewSet(MemberAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                      viewsets.GenericViewSet):
    """The demands I posted for my enterprises: list, read, post, close, their matching products."""

    serializer_class = s.MyDemandSerializer

    schema_model = Demand

    def member_queryset(self, member):
        """My demands, newest first."""
        return my_demands(member).order_by("-pk")

    def perform_create(self, serializer):
        """Post it (directory.services.member_post_demand): translated, matched, suppliers told."""
        data = dict(serializer.validated_data)
        enterprise = data.pop("enterprise")
        data.setdefault("language", demand_language(self.request.member))
        demand = services.member_post_demand(by=self.request.user, enterprise=enterprise, **data)
        serializer.instance = self.get_queryset().get(pk=demand.pk)

    @extend_schema(request=None, responses=s.MyDemandSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the demand."""
        demand = services.member_close_demand(by=request.user, demand=self.get_object())
        return Response(self.get_serializer(self.get_queryset().get(pk=demand.pk)).data)

    @extend_schema(responses=s.FoundProductSerializer(many=True))
    @action(detail=True, methods=["get"])
    def matches(self, request, pk=None):
        """The published products that fit the demand, best first (none once it is closed)."""
        demand = Demand.objects.get(pk=self.get_object().pk)
        own = set(my_enterprises(request.member).values_list("pk", flat=True))
        found = matching.match_demand(demand, MATCHES_SHOWN * 2) if demand.status == DemandStatus.OPEN else []
        return Response(s.FoundProductSerializer([f for f in found if f.obj.enterprise_id not in own], many=True).data)


class MyInquiryViewSet(MemberAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Inquiries to my enterprises and those I sent; the thread on the detail; reply; send a new one."""

    serializer_class = s.MyInquirySerializer

    schema_model = Inquiry

    def member_queryset(self, member):
        """My inquiries, newest first."""
        return my_inquiries(member)

    def get_serializer_context(self):
        """Which inquiries are received, and whether to include the thread (detail only)."""
        context = super().get_serializer_context()
        if getattr(self.request, "member", None) is not None:
            context["received"] = set(services.member_received_inquiries(self.request.user)
                                      .values_list("pk", flat=True))
        context["with_thread"] = self.action in ("retrieve", "reply", "send")
        return context

    @extend_schema(request=s.InquiryReplySerializer, responses=s.MyInquirySerializer)
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        """Write in the thread, as the supplier or the buyer (whichever side I am)."""
        inquiry = self.get_object()
        data = s.InquiryReplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.member_reply(by=request.user, inquiry=inquiry, body=data.validated_data["body"])
        return Response(self.get_serializer(self.get_queryset().get(pk=inquiry.pk)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=s.SendInquirySerializer, responses={201: s.MyInquirySerializer})
    @action(detail=False, methods=["post"])
    def send(self, request):
        """Write to the supplier of a published product, for one of my enterprises (about my demand, if given)."""
        data = s.SendInquirySerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        v = data.validated_data
        product = get_object_or_404(Product.objects.filter(status=Status.PUBLISHED).defer("vector"), pk=v["product"])
        demand = get_object_or_404(my_demands(request.member), pk=v["demand"]) if v.get("demand") else None
        inquiry = services.member_open_inquiry(by=request.user, enterprise=v["enterprise"], product=product,
                                               demand=demand, message=v["message"],
                                               language=demand_language(request.member))
        return Response(self.get_serializer(self.get_queryset().get(pk=inquiry.pk)).data,
                        status=status.HTTP_201_CREATED)


class MyMatchesView(MemberAPIMixin, APIView):
    """Suggested matches: products for my open demands, open demands my published products could answer."""

    @extend_schema(responses=s.MatchesSerializer)
    def get(self, request):
        """Up to ten of each, best matches first."""
        member = request.member
        own = set(my_enterprises(member).values_list("pk", flat=True))
        mine = set(my_demands(member).values_list("pk", flat=True))
        for_demands = [
            {"record": d, "found": [f for f in matching.match_demand(Demand.objects.get(pk=d.pk), MATCHES_SHOWN)
                                    if f.obj.enterprise_id not in own]}
            for d in my_demands(member).filter(status=DemandStatus.OPEN).order_by("-pk")[:10]]
        for_products = [
            {"record": p, "found": [f for f in matching.match_product(p, MATCHES_SHOWN) if f.obj.pk not in mine]}
            for p in my_products(member).filter(status=Status.PUBLISHED).order_by("-pk")[:10]]
        return Response(s.MatchesSerializer({"for_demands": for_demands, "for_products": for_products}).data)


class MyPairViewSet(MemberAPIMixin, viewsets.ReadOnlyModelViewSet):
    """The pairs I am a side of, with their follow-ups (recorded by staff; read-only here)."""

    serializer_class = s.MyPairSerializer

    schema_model = Pair

    def member_queryset(self, member):
        """My pairs, newest first."""
        return my_pairs(member)

    def get_serializer_context(self):
        """My participant records, to tell my side."""
        context = super().get_serializer_context()
        if getattr(self.request, "member", None) is not None:
            context["mine"] = set(my_participants(self.request.member).values_list("pk", flat=True))
        return context


class MyDonationViewSet(MemberAPIMixin, viewsets.ReadOnlyModelViewSet):
    """My donations (in my name or my enterprises') and their PDF receipts."""

    serializer_class = s.MyDonationSerializer

    schema_model = Donation

    def member_queryset(self, member):
        """My donations, newest first."""
        return my_donations(member)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def receipt(self, request, pk=None):
        """The receipt as PDF."""
        from charity.receipts import receipt_pdf

        donation = self.get_object()
        response = HttpResponse(receipt_pdf(donation), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{donation.receipt_number}.pdf"'
        return response
