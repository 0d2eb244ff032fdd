"""Account pages: the second factor (enrol, verify), password change, users' sessions, the security log."""
from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import otp, policy
from accounts.forms import CodeForm, RecoveryCodeForm, SecurityLogFilterForm, StyledPasswordChangeForm
from accounts.middleware import PASSWORD_EXPIRED
from accounts.security import events_visible_to, may_read_security_log, users_visible_to
from accounts.services import list_grants
from accounts.sessions import end_sessions, may_manage_user, user_session_keys
from core.pagination import paginate


def _next(request) -> str:
    """The page to go on to after a step: `next` when it is ours, else home."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


@login_required
def otp_setup(request):
    """Enrol a TOTP device: a QR code and the secret, then the first code confirms it."""
    if otp.confirmed_device(request.user):
        return redirect(f"{reverse('accounts:otp-verify')}?{urlencode({'next': _next(request)})}")
    device = otp.pending_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        refused = otp.enrol(request, device, form.cleaned_data["code"])
        if refused is None:
            messages.success(request, _("动态口令已绑定。以后登录时请输入验证器上的 6 位数字。"))
            return redirect(_next(request))
        form.add_error("code", refused)
    return render(request, "accounts/otp_setup.html", {
        "form": form, "qr": otp.qr_data_uri(device), "secret": otp.secret(device), "next": _next(request),
        "required": policy.requires_otp(request.user),
    })


@login_required
def otp_verify(request):
    """Ask for the current code of the enrolled device."""
    device = otp.confirmed_device(request.user)
    if device is None:
        return redirect(f"{reverse('accounts:otp-setup')}?{urlencode({'next': _next(request)})}")
    if request.user.is_verified():
        return redirect(_next(request))
    recovering = request.method == "POST" and "recovery" in request.POST
    form = CodeForm(request.POST if request.method == "POST" and not recovering else None)
    recovery_form = RecoveryCodeForm(request.POST if recovering else None)
    if recovering and recovery_form.is_valid():
        refused = otp.verify_recovery(request, recovery_form.cleaned_data["recovery"])
        if refused is None:
            messages.warning(request, _("您已使用一个恢复码登录，还剩 %(n)d 个。手机丢失时请联系管理员重置动态口令。")
                             % {"n": otp.recovery_codes_left(request.user)})
            return redirect(_next(request))
        recovery_form.add_error("recovery", refused)
    elif form.is_bound and form.is_valid():
        refused = otp.verify(request, form.cleaned_data["code"])
        if refused is None:
            return redirect(_next(request))
        form.add_error("code", refused)
    return render(request, "accounts/otp_verify.html", {
        "form": form, "recovery_form": recovery_form, "recovering": recovering, "next": _next(request),
        "has_recovery": otp.recovery_codes_left(request.user) > 0,
    })


@login_required
def otp_recovery(request):
    """Generate one-time recovery codes (TOTP users, verified session): shown once, the old ones void."""
    if otp.confirmed_device(request.user) is None:
        return redirect(f"{reverse('accounts:otp-setup')}?{urlencode({'next': request.path})}")
    codes = None
    if request.method == "POST":
        codes = otp.generate_recovery_codes(request)
    response = render(request, "accounts/otp_recovery.html", {
        "codes": codes, "left": otp.recovery_codes_left(request.user),
    })
    response["Cache-Control"] = "no-store"
    return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password (also where an expired password sends the user)."""

    template_name = "accounts/password_change.html"
    form_class = StyledPasswordChangeForm
    success_url = reverse_lazy("home")

    def get_context_data(self, **kwargs):
        """The expiry, to explain why the user is here."""
        context = super().get_context_data(**kwargs)
        context["expired"] = self.request.session.get(PASSWORD_EXPIRED, False)
        context["max_age_days"] = settings.PASSWORD_MAX_AGE_DAYS
        return context

    def form_valid(self, form):
        """Save (the validator records the date and logs `password_changed`) and lift the expiry."""
        response = super().form_valid(form)
        self.request.session[PASSWORD_EXPIRED] = False
        messages.success(self.request, _("密码已修改。"))
        return response


def _require_security_reader(user) -> None:
    if not may_read_security_log(user):
        raise PermissionDenied(_("只有管理员可以查看账号安全信息。"))


@login_required
def user_list(request):
    """Users an administrator looks after (holders of grants in the subtree), with a search."""
    _require_security_reader(request.user)
    qs = users_visible_to(request.user).order_by("username")
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(username__icontains=q)
    return render(request, "accounts/user_list.html",
                  {"page": paginate(qs, request.GET.get("page")), "q": q})


@login_required
def user_detail(request, pk):
    """One user: grants, second factor, password age, open sessions, latest security events."""
    _require_security_reader(request.user)
    target = get_object_or_404(users_visible_to(request.user), pk=pk)
    return render(request, "accounts/user_detail.html", {
        "target": target,
        "grants": list_grants(target),
        "otp_required": policy.requires_otp(target),
        "otp_device": otp.confirmed_device(target),
        "recovery_left": otp.recovery_codes_left(target),
        "password_changed_at": policy.password_changed_at(target),
        "password_expires_at": policy.password_expires_at(target),
        "sessions": len(user_session_keys(target)),
        "has_token": hasattr(target, "auth_token"),
        "may_end": may_manage_user(request.user, target),
        "events": events_visible_to(request.user).filter(user=target)[:20],
    })


@require_POST
@login_required
def user_end_sessions(request, pk):
    """End every session and the API token of a user (button on the user page)."""
    _require_security_reader(request.user)
    target = get_object_or_404(users_visible_to(request.user), pk=pk)
    result = end_sessions(by=request.user, user=target, request=request)
    messages.success(request, _("已结束 %(u)s 的 %(s)d 个会话，删除 %(t)d 个 API 令牌。") % {
        "u": target.get_username(), "s": result["sessions"], "t": result["tokens"]})
    if target.pk == request.user.pk:
        return redirect(settings.LOGIN_URL)
    return redirect("accounts:user-detail", pk=target.pk)


@require_POST
@login_required
def user_otp_reset(request, pk):
    """Reset another user's second factor (a lost phone): TOTP devices and recovery codes go (otp_reset)."""
    _require_security_reader(request.user)
    target = get_object_or_404(users_visible_to(request.user), pk=pk)
    count = otp.reset(by=request.user, user=target, request=request)
    messages.success(request, _("已重置 %(u)s 的动态口令（删除 %(n)d 个验证器及全部恢复码），该用户下次登录时须重新绑定。")
                     % {"u": target.get_username(), "n": count})
    return redirect("accounts:user-detail", pk=target.pk)


@login_required
def security_log(request):
    """The security log, filtered by user, kind and date; each administrator sees their users' events."""
    _require_security_reader(request.user)
    form = SecurityLogFilterForm(request.GET or None)
    qs = form.filter(events_visible_to(request.user)).order_by("-at", "-id")
    return render(request, "accounts/security_log.html",
                  {"form": form, "page": paginate(qs, request.GET.get("page"))})

