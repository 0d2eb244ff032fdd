"""The token endpoint: username and password in, token out; failures count towards the axes lockout."""
from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView


class TokenRequestSerializer(serializers.Serializer):
    """A username and its password."""

    username = serializers.CharField(label=gettext_lazy("用户名"))
    password = serializers.CharField(label=gettext_lazy("密码"), style={"input_type": "password"},
                                     trim_whitespace=False, write_only=True)


class TokenResponseSerializer(serializers.Serializer):
    """The API token to send as `Authorization: Token …`."""

    token = serializers.CharField()


_detail = inline_serializer("TokenError", {"detail": serializers.CharField()})


class ObtainTokenView(APIView):
    """`POST /api/auth/token/` → `{"token"}`; throttled, and locked after AXES_FAILURE_LIMIT failures."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"
    serializer_class = TokenRequestSerializer

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenResponseSerializer, 400: _detail, settings.AXES_HTTP_RESPONSE_CODE: _detail},
        auth=[],
    )
    def post(self, request):
        """Check the credentials through authenticate() with the request, so that axes counts failures."""
        body = TokenRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        http_request = request._request
        user = authenticate(http_request, username=body.validated_data["username"],
                            password=body.validated_data["password"])
        if getattr(http_request, "axes_locked_out", False):
            # Answer in JSON here: the axes middleware would otherwise replace it with the web page.
            http_request.axes_locked_out = False
            return Response({"detail": _("登录失败次数过多，账户已被暂时锁定，请稍后再试。")},
                            status=settings.AXES_HTTP_RESPONSE_CODE)
        if user is None or not user.is_active:
            return Response({"detail": _("用户名或密码错误。")}, status=status.HTTP_400_BAD_REQUEST)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
