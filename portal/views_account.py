"""The member's account pages: login, invitation, password reset, language, my profile, my changes."""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from core.forms import add_service_errors
from portal import services
from portal.access import member_of, member_required, my_enterprises, my_memberships
from portal.forms_account import AcceptInvitationForm, MemberLoginForm, ProfileForm, ResetRequestForm
from portal.models import ChangeStatus, ProfileChange

MEMBER_BACKEND = "portal.backends.MemberBackend"


def apply_language(request, response, member):
    """Make the member's chosen language the page language of its next visits (cookie); the response is
    already rendered, and activating it here would leak into the thread's next request."""
    if member is None:
        return response
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, member.language, max_age=settings.LANGUAGE_COOKIE_AGE,
                        path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
                        secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                        samesite=settings.LANGUAGE_COOKIE_SAMESITE)
    return response


class MemberLoginView(auth_views.LoginView):
    """Log in by phone or e-mail; the member's language applies at once; the lockout shows on this page."""

    template_name = "portal/account/login.html"
    form_class = MemberLoginForm
    redirect_authenticated_user = True
    next_page = "portal:home"
    extra_context = {"section": "login"}

    def post(self, request, *args, **kwargs):
        """Answer a locked account here, in the portal's layout, rather than with the staff lockout page."""
        response = super().post(request, *args, **kwargs)
        if getattr(request, "axes_locked_out", False):
            request.axes_locked_out = False
            form = response.context_data["form"]
            form.errors.clear()
            form.add_error(None, _("登录失败次数过多，账号已暂时锁定，请稍后再试或联系秘书处。"))
            response.status_code = settings.AXES_HTTP_RESPONSE_CODE
        return response

    def get_default_redirect_url(self):
        """Members go to the portal; a staff user who logged in here goes to the staff home page."""
        if member_of(self.request.user) is None:
            return resolve_url("home")
        return super().get_default_redirect_url()

    def form_valid(self, form):
        """Log in, then switch to the member's language."""
        response = super().form_valid(form)
        return apply_language(self.request, response, member_of(form.get_user()))


class MemberLogoutView(auth_views.LogoutView):
    """Log out and come back to the portal's login page."""

    next_page = "portal:login"


def invite_accept(request, token):
    """Open an invitation link: set a password, which creates the login, and go to my profile."""
    try:
        invitation = services.find_invitation(token)
    except ValidationError as e:
        return render(request, "portal/account/invite_invalid.html",
                      {"message": e.messages[0], "code": e.code}, status=410 if e.code != "invalid" else 404)
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.accept_invitation(token=token, password=form.cleaned_data["password1"],
                                                language=translation.get_language(), request=request)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            login(request, member.user, backend=MEMBER_BACKEND)
            messages.success(request, _("密码已设置，欢迎使用会员服务。"))
            return apply_language(request, redirect("portal:profile"), member)
    return render(request, "portal/account/invite_accept.html",
                  {"form": form, "person": invitation.person, "invitation": invitation})


def password_reset(request):
    """Ask for a reset link by phone (SMS) or e-mail; the answer is the same whether the account exists."""
    form = ResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        identifier = form.cleaned_data["identifier"].strip().lower()
        # Each SMS costs money and wakes someone up: a few links per address and per number an hour.
        if _within_limit("ip", request.META.get("REMOTE_ADDR", "")) and _within_limit("id", identifier):
            services.send_password_reset(identifier, base_url=request.build_absolute_uri("/"))
        return render(request, "portal/account/reset_sent.html", {})
    return render(request, "portal/account/reset_request.html", {"form": form})


RESET_LIMITS = {"ip": 10, "id": 3}  # reset requests an hour per address, per phone or e-mail


def _within_limit(kind: str, key: str) -> bool:
    """Count one request against the hourly limit of this address or identifier; False once it is spent."""
    import hashlib

    cache_key = f"portal:reset:{kind}:{hashlib.sha256(key.encode()).hexdigest()}"
    cache.add(cache_key, 0, 3600)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, 3600)
        count = 1
    return count <= RESET_LIMITS[kind]


class MemberResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's reset-link check and new-password form; the reset goes to the security log."""

    template_name = "portal/account/reset_confirm.html"
    success_url = reverse_lazy("portal:login")

    def get_form(self, form_class=None):
        """Django's SetPasswordForm with the portal's input styling."""
        form = super().get_form(form_class)
        for field in form.fields.values():
            field.widget.attrs.setdefault("class", "form-control")
        return form

    def form_valid(self, form):
        """Save the password, log the event, and say so on the login page."""
        from accounts.security import log_event

        response = super().form_valid(form)
        log_event("password_reset", self.request, user=form.user, channel="portal")
        messages.success(self.request, _("密码已重设，请用新密码登录。"))
        return response


@require_POST
def set_language(request):
    """Django's set_language, which also remembers a member's choice in its account."""
    response = django_set_language(request)
    member = member_of(request.user)
    language = request.POST.get("language")
    if member is not None and language in dict(settings.LANGUAGES):
        services.set_language(by=request.user, member=member, language=language)
    return response


@member_required
def profile(request):
    """My record (personal fields in clear: it is my own), my memberships, positions and enterprises."""
    member = request.member
    person = member.person
    changes = list(ProfileChange.objects.filter(person=person).select_related("enterprise")[:50])
    pending = [c for c in changes if c.status == ChangeStatus.PENDING]
    waiting = {f: after for c in pending if not c.enterprise_id for f, (_b, after) in c.changes.items()}
    return render(request, "portal/account/profile.html", {
        "section": "profile",
        "member": member,
        "person": person,
        "facts": _facts(person, waiting),
        "memberships": my_memberships(member).order_by("org__path"),
        "positions": person.positions.select_related("council__term", "org").order_by("-council__term__number"),
        "enterprises": my_enterprises(member).order_by("name"),
        "pending": pending,
        "recent": changes[:5],
    })


def _facts(person, waiting: dict) -> list[tuple]:
    """(field, label, value in clear, value waiting for approval) for my own record."""
    from core.countries import country_name

    rows = []
    for name in services.MEMBER_PERSON_FIELDS:
        value = getattr(person, name) or ""
        if name == "country" and value:
            value = country_name(value) or value
        rows.append((name, person._meta.get_field(name).verbose_name, value, waiting.get(name)))
    return rows


def _edit(request, target, template_context):
    form = ProfileForm(request.POST or None, target=target)
    if request.method == "POST" and form.is_valid():
        try:
            written = services.propose_changes(by=request.user, target=target, fields=form.changes())
        except ValidationError as e:
            if getattr(e, "code", None) == "unchanged":
                messages.info(request, e.messages[0])
                return redirect("portal:profile")
            add_service_errors(form, e)
        except PermissionDenied as e:
            raise PermissionDenied(str(e)) from None
        else:
            for change in written:
                if change.status == ChangeStatus.PENDING:
                    messages.warning(request, _("%(f)s的修改已提交，待秘书处审核。") % {"f": _labels(change)})
                else:
                    messages.success(request, _("%(f)s已更新。") % {"f": _labels(change)})
            return redirect("portal:profile")
    return render(request, "portal/account/profile_form.html",
                  {"section": "profile", "form": form, "target": target, **template_context})


def _labels(change) -> str:
    return "、".join(str(services.change_field_label(change, f)) for f in change.changes)


@member_required
def profile_edit(request):
    """Change my own person record."""
    return _edit(request, request.member.person, {"title": _("修改我的资料")})


@member_required
def enterprise_edit(request, pk):
    """Change an enterprise I represent (others answer 404)."""
    enterprise = get_object_or_404(my_enterprises(request.member), pk=pk)
    return _edit(request, enterprise, {"title": _("修改企业资料：%(n)s") % {"n": enterprise.name}})


@member_required
def changes(request):
    """Every change I proposed: applied at once, waiting for approval, or refused with the reason."""
    rows = ProfileChange.objects.filter(person=request.member.person).select_related("enterprise")[:200]
    return render(request, "portal/account/changes.html", {"section": "profile", "changes": rows})
