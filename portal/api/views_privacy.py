"""The member's personal-data requests under /api/my/privacy/: file, follow, download the copy.

Every queryset starts from the member's own person record (privacy.services.member_requests);
another member's request answers 404. Writes go through privacy.services.member_receive.
"""
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api import serializers_privacy as s
from portal.api.views_association import MemberMixin
from privacy import services
from privacy.export import filename, zip_response
from privacy.models import SubjectRequest


class MyPrivacyRequestList(MemberMixin, generics.ListCreateAPIView):
    """My requests about my personal data, newest first; POST files one (due in PRIVACY_RESPONSE_DAYS)."""

    serializer_class = s.MyPrivacyRequestSerializer
    filter_backends = []

    def get_queryset(self):
        """My own requests only."""
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no member
            return SubjectRequest.objects.none()
        return services.member_requests(self.request.member)

    @extend_schema(request=s.MyPrivacyRequestCreateSerializer, responses={201: s.MyPrivacyRequestSerializer})
    def post(self, request):
        """Ask for a copy, a correction, a deletion or the withdrawal of my consents."""
        body = s.MyPrivacyRequestCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        obj = services.member_receive(by=request.user, **body.validated_data)
        return Response(s.MyPrivacyRequestSerializer(obj).data, status=status.HTTP_201_CREATED)


class MyPrivacyRequestDetail(MemberMixin, generics.RetrieveAPIView):
    """One of my requests."""

    serializer_class = s.MyPrivacyRequestSerializer

    def get_queryset(self):
        """My own requests only."""
        if getattr(self, "swagger_fake_view", False):
            return SubjectRequest.objects.none()
        return services.member_requests(self.request.member)


class MyPrivacyRequestDownload(MemberMixin, APIView):
    """My copy (zip of data.json and data.xlsx) once staff answered my access request; each download is logged."""

    @extend_schema(responses={(200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY),
                              400: OpenApiResponse(description="no copy to download")})
    def get(self, request, pk):
        """The zip, built now from the data held about me."""
        obj = get_object_or_404(services.member_requests(request.member), pk=pk)
        content, _data = services.member_export(by=request.user, request=obj)
        return zip_response(content, filename(obj.person))
