"""My business: the member's enterprises' products and demands in the directory, inquiries and matches.

Every record is reached from the member's own enterprises (`portal.access.my_enterprises`) or from
what it posted through the portal (`directory.services.member_demands` / `member_sent_inquiries`);
anything else answers 404. Writes go through the member-side functions of `directory.services`.
"""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import add_service_errors
from directory import matching, services
from directory.forms import PhotoForm
from directory.models import Demand, DemandStatus, Inquiry, Photo, Product, Status
from portal.access import member_required, my_enterprises
from portal.forms_business import (
    MemberDemandForm,
    MemberInquiryForm,
    MemberProductForm,
    MessageForm,
    demand_language,
)

MATCHES_SHOWN = 10


def my_products(member):
    """The products of the member's enterprises."""
    return Product.objects.filter(enterprise__in=my_enterprises(member)).select_related("enterprise", "category")


def my_demands(member):
    """The demands the member posted through the portal."""
    return services.member_demands(member.user).select_related("category").defer("vector")


def my_inquiries(member):
    """The inquiries to the member's enterprises and those it sent, newest first."""
    received = services.member_received_inquiries(member.user).values("pk")
    sent = services.member_sent_inquiries(member.user).values("pk")
    return (Inquiry.objects.filter(Q(pk__in=received) | Q(pk__in=sent))
            .select_related("enterprise", "product", "demand").annotate(n_messages=Count("messages"))
            .order_by("-pk"))


def _render(request, template, context):
    return render(request, template, {"section": "business", "member": request.member, **context})


def _fail(form, e):
    add_service_errors(form, e if isinstance(e, ValidationError) else ValidationError(str(e)))


@member_required
def business(request):
    """Each of my enterprises with its products, my demands and inquiry counts; an explanation without one."""
    member = request.member
    enterprises = list(my_enterprises(member).order_by("name").prefetch_related(
        Prefetch("products", queryset=Product.objects.defer("vector").order_by("-pk"))))
    demands = list(my_demands(member).annotate(n_matches=Count("matches")).order_by("-pk"))
    received = services.member_received_inquiries(member.user)
    return _render(request, "portal/business/home.html", {
        "enterprises": enterprises, "demands": demands,
        "n_received": received.count(), "n_sent": services.member_sent_inquiries(member.user).count(),
        "n_open": my_inquiries(member).filter(status="open").count(),
    })


def _own_product(request, pk):
    return get_object_or_404(my_products(request.member).defer("vector"), pk=pk)


def _product_form(request, product=None):
    enterprises = my_enterprises(request.member)
    if product is None and not enterprises.exists():
        raise Http404
    initial = {"enterprise": request.GET.get("enterprise")} if product is None and request.GET.get("enterprise") else None
    form = MemberProductForm(request.POST or None, instance=product, enterprises=enterprises, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if product is None:
                data = form.service_fields()
                product = services.member_create_product(by=request.user, enterprise=form.cleaned_data["enterprise"],
                                                         **data)
            else:
                product = services.member_update_product(by=request.user, product=Product.objects.get(pk=product.pk),
                                                         **form.service_fields())
        except (ValidationError, PermissionDenied) as e:
            _fail(form, e)
        else:
            messages.success(request, _("已保存。"))
            return redirect("portal:business-product", product.pk)
    return _render(request, "portal/business/product_form.html", {"form": form, "product": product})


@member_required
def product_create(request):
    """List a new product of one of my enterprises."""
    return _product_form(request)


@member_required
def product_detail(request, pk):
    """One of my products: edit it, its photos, publish or hide it, the open demands it could answer."""
    product = _own_product(request, pk)
    if request.method == "POST":
        return _product_form(request, product)
    return _render(request, "portal/business/product_detail.html", {
        "product": product, "form": MemberProductForm(instance=product, enterprises=my_enterprises(request.member)),
        "photos": product.photos.all(), "photo_form": PhotoForm(),
        "demands": matching.match_product(Product.objects.get(pk=product.pk), MATCHES_SHOWN)
        if product.status == Status.PUBLISHED else [],
        "n_inquiries": product.inquiries.filter(is_spam=False).count(),
    })


@member_required
@require_POST
def product_status(request, pk):
    """Publish or hide one of my products."""
    product = _own_product(request, pk)
    try:
        services.member_set_status(by=request.user, product=product, status=request.POST.get("status", ""))
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("已发布。") if product.status == Status.PUBLISHED else _("已隐藏。"))
    return redirect("portal:business-product", pk)


@member_required
@require_POST
def photo_add(request, pk):
    """Upload a photo of one of my products (checked by content, resized)."""
    product = _own_product(request, pk)
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("图片：请选择一个文件。"))
    else:
        upload = form.cleaned_data["photo"]
        try:
            services.member_add_photo(by=request.user, product=product, data=upload.read(), name=upload.name)
        except ValidationError as e:
            messages.error(request, _("图片：%(e)s") % {"e": " ".join(e.messages)})
        else:
            messages.success(request, _("已添加图片。"))
    return redirect("portal:business-product", pk)


def _own_photo(request, pk):
    return get_object_or_404(Photo.objects.select_related("product__enterprise"),
                             pk=pk, product__enterprise__in=my_enterprises(request.member))


@member_required
@require_POST
def photo_delete(request, pk):
    """Remove a photo of one of my products."""
    photo = _own_photo(request, pk)
    services.member_remove_photo(by=request.user, photo=photo)
    messages.success(request, _("已删除图片。"))
    return redirect("portal:business-product", photo.product_id)


@member_required
def photo_file(request, pk, size):
    """A photo of one of my products (published or hidden), full or thumbnail."""
    if size not in ("full", "thumb"):
        raise Http404
    photo = _own_photo(request, pk)
    f = photo.image if size == "full" else photo.thumbnail
    response = FileResponse(f.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@member_required
def demand_create(request):
    """Post what one of my enterprises seeks, in my own language; its matches show at once."""
    enterprises = my_enterprises(request.member)
    if not enterprises.exists():
        raise Http404
    form = MemberDemandForm(request.POST or None, enterprises=enterprises, language=demand_language(request.member))
    if request.method == "POST" and form.is_valid():
        try:
            demand = services.member_post_demand(by=request.user, enterprise=form.cleaned_data["enterprise"],
                                                 **form.service_fields())
        except (ValidationError, PermissionDenied) as e:
            _fail(form, e)
        else:
            messages.success(request, _("需求已发布。"))
            return redirect("portal:business-demand", demand.pk)
    return _render(request, "portal/business/demand_form.html", {"form": form})


def _own_demand(request, pk):
    return get_object_or_404(my_demands(request.member), pk=pk)


@member_required
def demand_detail(request, pk):
    """One of my demands, how it was read, and the published products that fit it."""
    demand = _own_demand(request, pk)
    found = matching.match_demand(Demand.objects.get(pk=demand.pk), MATCHES_SHOWN * 2) \
        if demand.status == DemandStatus.OPEN else []
    own = set(my_enterprises(request.member).values_list("pk", flat=True))
    return _render(request, "portal/business/demand_detail.html", {
        "demand": demand, "found": [f for f in found if f.obj.enterprise_id not in own]})


@member_required
@require_POST
def demand_close(request, pk):
    """Close one of my demands."""
    services.member_close_demand(by=request.user, demand=_own_demand(request, pk))
    messages.success(request, _("需求已关闭。"))
    return redirect("portal:business-demand", pk)


@member_required
def matches(request):
    """Suggested matches: products for my open demands, open demands my published products could answer."""
    member = request.member
    own = set(my_enterprises(member).values_list("pk", flat=True))
    for_demands = []
    for demand in my_demands(member).filter(status=DemandStatus.OPEN).order_by("-pk")[:10]:
        found = [f for f in matching.match_demand(Demand.objects.get(pk=demand.pk), MATCHES_SHOWN)
                 if f.obj.enterprise_id not in own]
        for_demands.append((demand, found))
    mine = set(my_demands(member).values_list("pk", flat=True))
    for_products = []
    for product in my_products(member).filter(status=Status.PUBLISHED).order_by("-pk")[:10]:
        found = [f for f in matching.match_product(product, MATCHES_SHOWN) if f.obj.pk not in mine]
        for_products.append((product, found))
    return _render(request, "portal/business/matches.html", {
        "for_demands": for_demands, "for_products": for_products, "has_enterprise": bool(own)})


@member_required
def inquiries(request):
    """Inquiries to my enterprises and those I sent, with their message counts."""
    received = set(services.member_received_inquiries(request.user).values_list("pk", flat=True))
    rows = [(i, "supplier" if i.pk in received else "buyer") for i in my_inquiries(request.member)[:200]]
    return _render(request, "portal/business/inquiries.html", {"rows": rows})


@member_required
def inquiry_detail(request, pk):
    """The thread of one of my inquiries, received or sent; I reply in it."""
    inquiry = get_object_or_404(my_inquiries(request.member), pk=pk)
    side = services.member_side(request.user, inquiry)
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_reply(by=request.user, inquiry=inquiry, body=form.cleaned_data["body"])
        except (ValidationError, PermissionDenied) as e:
            _fail(form, e)
        else:
            messages.success(request, _("已发送。"))
            return redirect("portal:business-inquiry", pk)
    return _render(request, "portal/business/inquiry_detail.html", {
        "inquiry": inquiry, "side": side, "thread": inquiry.messages.all(), "form": form})


@member_required
def inquire(request, pk):
    """Write to the supplier of a published product for one of my enterprises (about my demand, if given)."""
    product = get_object_or_404(Product.objects.filter(status=Status.PUBLISHED).select_related("enterprise")
                                .defer("vector"), pk=pk)
    enterprises = my_enterprises(request.member).exclude(pk=product.enterprise_id)
    if not enterprises.exists():
        raise Http404
    raw = request.POST.get("demand") or request.GET.get("demand") or ""
    demand = my_demands(request.member).filter(pk=raw).first() if raw.isdigit() else None
    form = MemberInquiryForm(request.POST or None, enterprises=enterprises)
    if request.method == "POST" and form.is_valid():
        try:
            inquiry = services.member_open_inquiry(
                by=request.user, enterprise=form.cleaned_data["enterprise"], product=product, demand=demand,
                message=form.cleaned_data["message"], language=demand_language(request.member))
        except (ValidationError, PermissionDenied) as e:
            _fail(form, e)
        else:
            messages.success(request, _("询盘已发送。"))
            return redirect("portal:business-inquiry", inquiry.pk)
    return _render(request, "portal/business/inquire.html", {
        "product": product, "text": product.text(demand_language(request.member)), "demand": demand, "form": form})
