"""The token endpoint: username and password (and the TOTP code where required) in, token out.

Failures count towards the axes lockout. A user who may see personal data must send `otp`,
the current code of the device enrolled on the web; a token lives API_TOKEN_HOURS.
"""
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

from accounts import otp, policy
from accounts.authentication import token_expired
from accounts.models import SecurityEventKind
from accounts.security import log_event


class TokenRequestSerializer(serializers.Serializer):
    """A username, its password, and the TOTP code for users who may see personal data."""

    username = serializers.CharField(label=gettext_lazy("用户名"))
    password = serializers.CharField(label=gettext_lazy("密码"), style={"input_type": "password"},
                                     trim_whitespace=False, write_only=True)
    otp = serializers.CharField(label=gettext_lazy("动态口令"), required=False, allow_blank=True, max_length=12,
                                help_text=gettext_lazy("可查看个人信息的用户必填：验证器上的 6 位数字"))


class TokenResponseSerializer(serializers.Serializer):
    """The API token to send as `Authorization: Token …`."""

    token = serializers.CharField()


_detail = inline_serializer("TokenError", {"detail": serializers.CharField(),
                                          "code": serializers.CharField(required=False)})


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
        refused = self._second_step(http_request, user, body.validated_data.get("otp", ""))
        if refused:
            return refused
        token = Token.objects.filter(user=user).first()
        if token is not None and token_expired(token):
            token.delete()
            token = None
        if token is None:
            token = Token.objects.create(user=user)
        log_event(SecurityEventKind.LOGIN, http_request, user=user, via="api_token")
        return Response({"token": token.key})

    @staticmethod
    def _second_step(request, user, code: str):
        """A 400 naming what is missing: an enrolled device, the code, a right code, or a fresh password."""
        if policy.requires_otp(user):
            device = otp.confirmed_device(user)
            if device is None:
                return Response({"detail": _("该账号须使用动态口令：请先在网页上登录并绑定验证器，再获取令牌。"),
                                 "code": "otp_not_enrolled"}, status=status.HTTP_400_BAD_REQUEST)
            if not (code or "").strip():
                return Response({"detail": _("该账号须使用动态口令：请在 otp 字段填写验证器上的 6 位数字。"),
                                 "code": "otp_required"}, status=status.HTTP_400_BAD_REQUEST)
            refused = otp.check_code(user, device, code, request)
            if refused:
                return Response({"detail": refused, "code": "otp_invalid"}, status=status.HTTP_400_BAD_REQUEST)
        if policy.password_expired(user):
            return Response({"detail": _("密码已过期，请先在网页上修改密码。"), "code": "password_expired"},
                            status=status.HTTP_400_BAD_REQUEST)
        return None
