"""Viewsets of the directory API (scoped, writes through directory.services) and the public catalogue endpoints."""
from django.db.models import Count
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import ListAPIView
from rest_framework.response import Response

from cases import intake
from cases.api.views import PublicView
from core.api import ScopedViewSet, drf_validation_error
from directory import matching, services
from directory.api.serializers import (
    DemandSerializer,
    FoundSerializer,
    InquirySerializer,
    MatchSerializer,
    ProductSerializer,
    PublicInquirySerializer,
    PublicProductSerializer,
)
from directory.filters import DemandFilter, InquiryFilter, ProductFilter, facets
from directory.models import Demand, Inquiry, Product, Status
from directory.public import CatalogueThrottle, InquiryThrottle, public_products


class ProductViewSet(ScopedViewSet):
    """Products of the enterprises in the caller's subtrees; search, facets, the demands a product could answer."""

    serializer_class = ProductSerializer
    filterset_class = ProductFilter

    def scoped_queryset(self, user):
        """Visible products with enterprise, organization, category and photos joined."""
        return (Product.objects.visible_to(user).select_related("enterprise", "org", "category")
                .prefetch_related("photos").defer("vector").order_by("-pk"))

    def create_object(self, data):
        """List the product (directory.services.create_product)."""
        return services.create_product(by=self.request.user, **data)

    def update_object(self, instance, data):
        """Change the product (directory.services.update_product)."""
        return services.update_product(by=self.request.user, product=Product.objects.get(pk=instance.pk), **data)

    @extend_schema(responses=inline_serializer("ProductFacets", {
        "category": serializers.ListField(child=serializers.DictField()),
        "country": serializers.ListField(child=serializers.DictField()),
        "certification": serializers.ListField(child=serializers.DictField()),
        "price": serializers.ListField(child=serializers.DictField()),
        "capped": serializers.BooleanField()}))
    @action(detail=False, methods=["get"])
    def facets(self, request):
        """Counts by category, supplier country, certification and price band for the same filters as the list."""
        qs = self.filter_queryset(self.get_queryset())
        return Response(facets(qs, request.LANGUAGE_CODE[:2]))

    @extend_schema(responses=FoundSerializer(many=True))
    @action(detail=True, methods=["get"])
    def demands(self, request, pk=None):
        """The open demands this product could answer, best first."""
        product = self.get_object()
        return Response(FoundSerializer(matching.match_product(Product.objects.get(pk=product.pk)), many=True).data)


class DemandViewSet(ScopedViewSet):
    """Demands posted in the caller's subtrees, and their matches across languages."""

    serializer_class = DemandSerializer
    filterset_class = DemandFilter

    def scoped_queryset(self, user):
        """Visible demands with organization and category joined."""
        return Demand.objects.visible_to(user).select_related("org", "category").defer("vector").order_by("-pk")

    def create_object(self, data):
        """Post the demand (directory.services.post_demand: translated, matched, suppliers told)."""
        return services.post_demand(by=self.request.user, **data)

    def update_object(self, instance, data):
        """Only closing is a change of a demand: PATCH {"status": "closed"} is the close action."""
        raise drf_validation_error(services.ValidationError(_("需求发布后不能修改，请关闭后重新发布。")))

    @extend_schema(responses=MatchSerializer(many=True))
    @action(detail=True, methods=["get"])
    def matches(self, request, pk=None):
        """The demand's products, best first (computed now; the stored ones are what suppliers were told of)."""
        demand = Demand.objects.get(pk=self.get_object().pk)
        found = matching.match_demand(demand, 50)
        return Response(FoundSerializer(found, many=True).data)

    @extend_schema(request=None, responses=DemandSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the demand."""
        demand = services.close_demand(by=request.user, demand=self.get_object())
        return Response(DemandSerializer(self.get_queryset().get(pk=demand.pk), context={"request": request}).data)


class InquiryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin,
                     viewsets.GenericViewSet):
    """Inquiries to the suppliers of the caller's subtrees: who, about what, how many messages; never the content."""

    serializer_class = InquirySerializer
    filterset_class = InquiryFilter
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        """Visible inquiries with their message counts."""
        return (Inquiry.objects.visible_to(self.request.user).select_related("enterprise")
                .annotate(message_count=Count("messages")).order_by("-pk"))

    def perform_update(self, serializer):
        """Only the status changes (closing a thread), and only with a grant to change."""
        from core.services import require

        require(self.request.user, "change", serializer.instance.org)
        serializer.save()


class PublicCatalogueView(PublicView, ListAPIView):
    """The public catalogue: published products, searchable, in Chinese or English (`lang`)."""

    serializer_class = PublicProductSerializer
    throttle_classes = [CatalogueThrottle]

    def get_queryset(self):
        """Published products, filtered like the staff list (text, category, country, certification, price)."""
        return public_products(self.request.GET)

    def get_serializer_context(self):
        """The asked language."""
        return {**super().get_serializer_context(), "lang": self.request.GET.get("lang", "zh")[:2]}

    @extend_schema(parameters=[OpenApiParameter("q", str), OpenApiParameter("category", str),
                               OpenApiParameter("lang", str)])
    def get(self, request, *args, **kwargs):
        """One page of published products."""
        return super().get(request, *args, **kwargs)


class PublicInquiryView(PublicView):
    """Write to the supplier of a published product; answers the buyer's private thread link."""

    throttle_classes = [InquiryThrottle]

    @extend_schema(request=PublicInquirySerializer,
                   responses={201: inline_serializer("InquiryOpened", {"thread": serializers.CharField()})})
    def post(self, request):
        """Check the challenge, then open the inquiry (spam is stored marked, and answers the same)."""
        body = PublicInquirySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        verdict = intake.check_challenge(data["challenge"], data["answer"])
        if verdict in ("wrong", "expired"):
            return Response({"answer": [_("验证答案不正确或已过期，请重新获取。")]}, status=status.HTTP_400_BAD_REQUEST)
        product = Product.objects.filter(pk=data["product"], status=Status.PUBLISHED).select_related("enterprise").first()
        if product is None:
            return Response({"product": [_("产品不存在。")]}, status=status.HTTP_400_BAD_REQUEST)
        try:
            inquiry = services.open_inquiry(by=None, product=product, buyer_name=data["name"],
                                            buyer_email=data.get("email", ""), buyer_country=data.get("country", ""),
                                            language=data.get("language", "en"), message=data["message"],
                                            is_spam=verdict == "spam" or bool(data.get("website")))
        except services.ValidationError as e:
            raise drf_validation_error(e) from None
        return Response({"thread": services.inquiry_url(inquiry, buyer=True)}, status=status.HTTP_201_CREATED)
