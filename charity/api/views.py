"""Viewsets of the charity API: scoped reads, writes through charity.services."""
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from charity import services
from charity.api.serializers import (
    BeneficiarySerializer,
    DecisionSerializer,
    DisbursementSerializer,
    DonationSerializer,
    FundSerializer,
    HonorSerializer,
)
from charity.filters import BeneficiaryFilter, DisbursementFilter, DonationFilter, FundFilter, HonorFilter
from charity.models import Beneficiary, Disbursement, Donation, Fund, Honor
from charity.receipts import receipt_pdf
from core.api import RevealMixin, ScopedViewSet, changed_only


class FundViewSet(ScopedViewSet):
    """Funds with their balances."""

    serializer_class = FundSerializer
    filterset_class = FundFilter

    def scoped_queryset(self, user):
        """Visible funds."""
        return Fund.objects.visible_to(user).select_related("org").order_by("name")

    def create_object(self, data):
        """Create a fund (charity.services.create_fund)."""
        return services.create_fund(by=self.request.user, **data)

    def update_object(self, instance, data):
        """Change name, kind, rules or state."""
        data = changed_only(instance, data, {"org", "code"})
        if {"org", "code"} & set(data):
            raise ValidationError(_("基金的组织和代码不能修改。"))
        return services.update_fund(by=self.request.user, fund=instance, **data)


class DonationViewSet(ScopedViewSet):
    """Donations; POST records one with the next receipt number, `receipt` returns its PDF."""

    serializer_class = DonationSerializer
    filterset_class = DonationFilter

    def scoped_queryset(self, user):
        """Visible donations."""
        return Donation.objects.visible_to(user).select_related("fund").order_by("-received_on", "-pk")

    def create_object(self, data):
        """Receive a donation (charity.services.receive_donation)."""
        return services.receive_donation(by=self.request.user, **data)

    def update_object(self, instance, data):
        """A receipted donation is not rewritten."""
        raise ValidationError(_("已开具收据的捐赠不能修改。"))

    @extend_schema(request=None, responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get", "post"])
    def receipt(self, request, pk=None):
        """The printable receipt (PDF); POST answers the same, for clients that only post to actions."""
        donation = self.get_object()
        response = HttpResponse(receipt_pdf(donation), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{donation.receipt_number}.pdf"'
        return response


class BeneficiaryViewSet(RevealMixin, ScopedViewSet):
    """Beneficiaries, masked; `reveal` shows personal fields with a logged purpose."""

    serializer_class = BeneficiarySerializer
    filterset_class = BeneficiaryFilter

    def scoped_queryset(self, user):
        """Visible beneficiaries."""
        return Beneficiary.objects.visible_to(user).select_related("org").order_by("-pk")

    def create_object(self, data):
        """Register (charity.services.create_beneficiary)."""
        return services.create_beneficiary(by=self.request.user, **data)

    def update_object(self, instance, data):
        """Change (charity.services.update_beneficiary)."""
        return services.update_beneficiary(by=self.request.user, beneficiary=instance, **data)


class DisbursementViewSet(ScopedViewSet):
    """Disbursements; `approve` (an administrator) takes the money from the fund, refusing an overspend."""

    serializer_class = DisbursementSerializer
    filterset_class = DisbursementFilter

    def scoped_queryset(self, user):
        """Visible disbursements."""
        return Disbursement.objects.visible_to(user).order_by("-pk")

    def create_object(self, data):
        """Request (charity.services.request_disbursement)."""
        return services.request_disbursement(by=self.request.user, **data)

    def update_object(self, instance, data):
        """A request is decided, not rewritten."""
        raise ValidationError(_("拨付申请不能修改；请审批或另行申请。"))

    @extend_schema(request=DecisionSerializer, responses={200: DisbursementSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve and pay out."""
        d = self.get_object()
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.approve_disbursement(by=request.user, disbursement=d, paid_on=body.validated_data.get("paid_on"),
                                      note=body.validated_data["note"])
        return Response(self.get_serializer(d).data)

    @extend_schema(request=DecisionSerializer, responses={200: DisbursementSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Refuse, with a reason."""
        d = self.get_object()
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.reject_disbursement(by=request.user, disbursement=d, note=body.validated_data["note"])
        return Response(self.get_serializer(d).data)


class HonorViewSet(ScopedViewSet):
    """Honours awarded."""

    serializer_class = HonorSerializer
    filterset_class = HonorFilter

    def scoped_queryset(self, user):
        """Visible honours."""
        return Honor.objects.visible_to(user).select_related("org").order_by("-year", "pk")

    def create_object(self, data):
        """Award (charity.services.award_honor)."""
        return services.award_honor(by=self.request.user, **data)

    def update_object(self, instance, data):
        """Change title, year or citation; the recipient is fixed."""
        data = changed_only(instance, data, {"org", "person", "enterprise", "recipient_org"})
        if {"org", "person", "enterprise", "recipient_org"} & set(data):
            raise ValidationError(_("荣誉的授予组织和获奖者不能修改。"))
        return services.update_honor(by=self.request.user, honor=instance, **data)
