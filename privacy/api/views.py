"""Viewsets of the privacy API: requests and their handling, consents, a person's copy."""
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ScopedViewSet, drf_validation_error
from core.scoping import get_visible_or_404
from privacy import services
from privacy.api.serializers import (
    ConsentSerializer,
    CorrectionSerializer,
    PurposeSerializer,
    RefuseSerializer,
    SubjectRequestSerializer,
    WithdrawSerializer,
)
from privacy.export import filename, zip_response
from privacy.filters import ConsentFilter, RequestFilter
from privacy.models import Consent, SubjectRequest

ZIP = {(200, "application/zip"): OpenApiTypes.BINARY}


class SubjectRequestViewSet(ScopedViewSet):
    """Data-subject requests; POST records one, the actions carry it out (`?overdue=true` lists the late)."""

    serializer_class = SubjectRequestSerializer
    filterset_class = RequestFilter

    def scoped_queryset(self, user):
        """Visible requests, soonest due first."""
        return SubjectRequest.objects.visible_to(user).select_related("org", "handled_by").order_by("due_on", "pk")

    def create_object(self, data):
        """Record (privacy.services.receive)."""
        return services.receive(by=self.request.user, **data)

    def update_object(self, instance, data):
        """A request is handled through its actions, not rewritten."""
        raise ValidationError(_("请求不能修改；请通过办理操作答复。"))

    def _answer(self, obj):
        return Response(self.get_serializer(self.get_queryset().get(pk=obj.pk)).data)

    @extend_schema(request=None, responses=ZIP)
    @action(detail=True, methods=["post"])
    def fulfil(self, request, pk=None):
        """Answer an access request: the person's copy (zip), and the request closes."""
        content, obj = services.fulfil_access(by=request.user, request=self.get_object())
        return zip_response(content, filename(obj.person))

    @extend_schema(request=CorrectionSerializer, responses={200: SubjectRequestSerializer})
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        """Answer a correction request with the corrected fields."""
        obj = self.get_object()
        body = CorrectionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(services.correct(by=request.user, request=obj, **body.validated_data["fields"]))

    @extend_schema(request=None, responses={200: SubjectRequestSerializer})
    @action(detail=True, methods=["post"])
    def erase(self, request, pk=None):
        """Answer a deletion request: the person is anonymised."""
        return self._answer(services.erase(by=request.user, request=self.get_object()))

    @extend_schema(request=WithdrawSerializer, responses={200: SubjectRequestSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Answer a withdrawal request."""
        obj = self.get_object()
        body = WithdrawSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(services.withdraw(by=request.user, request=obj, purposes=body.validated_data["purposes"]))

    @extend_schema(request=RefuseSerializer, responses={200: SubjectRequestSerializer})
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        """Refuse with a reason."""
        obj = self.get_object()
        body = RefuseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(services.refuse(by=request.user, request=obj, reason=body.validated_data["reason"]))


class ConsentViewSet(ScopedViewSet):
    """Consents; POST records one, `withdraw` ends it; `export-person` is on the person's id."""

    serializer_class = ConsentSerializer
    filterset_class = ConsentFilter

    def scoped_queryset(self, user):
        """Visible consents."""
        return Consent.objects.visible_to(user).select_related("org").order_by("-given_at", "-pk")

    def create_object(self, data):
        """Record (privacy.services.give_consent)."""
        return services.give_consent(by=self.request.user, **data)

    def update_object(self, instance, data):
        """A consent is withdrawn, not rewritten."""
        raise ValidationError(_("同意记录不能修改；请记录撤回或重新记录。"))

    @extend_schema(request=None, responses={200: ConsentSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Record the withdrawal now."""
        obj = services.withdraw_consent(by=request.user, consent=self.get_object())
        return Response(self.get_serializer(obj).data)


class PersonExportView(APIView):
    """`POST /api/privacy/people/{id}/export/` with a purpose: everything held about a person (zip)."""

    @extend_schema(request=PurposeSerializer, responses=ZIP)
    def post(self, request, pk):
        """The person's copy (needs the personal-data grant and a purpose; logged); 404 outside the scope."""
        from registry.models import Person

        person = get_visible_or_404(Person, request.user, pk=pk)
        body = PurposeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            content, _data = services.export_person(by=request.user, person=person,
                                                    purpose=body.validated_data["purpose"])
        except ValidationError as e:
            raise drf_validation_error(e) from None
        return zip_response(content, filename(person))
