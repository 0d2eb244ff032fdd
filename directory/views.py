"""Web pages of the directory: staff (products, demands and matches, inquiry counts, glossary) and the public catalogue."""
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from accounts.access import can, paths_for
from cases import intake
from core.audit import history
from core.forms import add_service_errors
from core.htmx import render_page
from core.pagination import paginate
from core.scoping import CHANGE, get_visible_or_404
from directory import matching, public, services
from directory.filters import DemandFilter, InquiryFilter, ProductFilter, facets
from directory.forms import (
    DemandForm,
    GlossaryTermForm,
    InquiryForm,
    PhotoForm,
    PhotoZipForm,
    ProductForm,
    ReplyForm,
)
from directory.models import Demand, GlossaryTerm, Inquiry, Photo, Product, Status


def _style(filterset):
    for field in filterset.form.fields.values():
        field.widget.attrs.setdefault("class", "form-select" if hasattr(field, "choices") else "form-control")
    return filterset


def _fail(form, e):
    add_service_errors(form, e if isinstance(e, ValidationError) else ValidationError(str(e)))


@login_required
def product_list(request):
    """Products in the user's scope: search (Chinese, pinyin, traditional, English), filters, facets, pages."""
    qs = (Product.objects.visible_to(request.user).select_related("enterprise", "category")
          .defer("vector", "description").order_by("-id"))
    filterset = _style(ProductFilter(request.GET, queryset=qs, request=request))
    page = paginate(filterset.qs, request.GET.get("page"))
    context = {"section": "directory", "filter": filterset, "page": page,
               "facets": facets(filterset.qs, request.LANGUAGE_CODE[:2]) if request.GET.get("q") else None,
               "may_add": paths_for(request.user, CHANGE) != []}
    return render_page(request, "directory/product_list.html", context, partial="results")


@login_required
def product_detail(request, pk):
    """One product: texts in every language, photos, the open demands it could answer, history."""
    product = get_visible_or_404(Product.objects.select_related("enterprise", "category", "org"), request.user, pk=pk)
    return render(request, "directory/product_detail.html", {
        "section": "directory", "product": product, "photos": product.photos.all(),
        "demands": matching.match_product(product, 10), "history": history(product),
        "may_change": can(request.user, CHANGE, product.org), "photo_form": PhotoForm(),
        "inquiries": product.inquiries.count(),
    })


def _product_form(request, product=None):
    form = ProductForm(request.POST or None, instance=product, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            if product is None:
                product = services.create_product(by=request.user, **form.service_fields())
            else:
                product = services.update_product(by=request.user, product=Product.objects.get(pk=product.pk),
                                                  **form.service_fields())
        except (ValidationError, PermissionDenied) as e:
            _fail(form, e)
        else:
            messages.success(request, _("已保存。"))
            return redirect("directory:product-detail", product.pk)
    return render(request, "directory/product_form.html", {"section": "directory", "form": form, "product": product})


@login_required
def product_create(request):
    """List a new product."""
    return _product_form(request)


@login_required
def product_edit(request, pk):
    """Edit a product."""
    return _product_form(request, get_visible_or_404(Product, request.user, CHANGE, pk=pk))


@login_required
@require_POST
def product_status(request, pk):
    """Publish or hide a product."""
    product = get_visible_or_404(Product, request.user, CHANGE, pk=pk)
    services.set_status(by=request.user, product=product, status=request.POST.get("status", ""))
    messages.success(request, _("已更新状态。"))
    return redirect("directory:product-detail", pk)


@login_required
@require_POST
def photo_add(request, pk):
    """Upload a photo of a product."""
    product = get_visible_or_404(Product, request.user, CHANGE, pk=pk)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["photo"]
        try:
            services.add_photo(by=request.user, product=product, data=upload.read(), name=upload.name)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("已添加图片。"))
    return redirect("directory:product-detail", pk)


@login_required
def photo_zip(request):
    """Attach the photos of many products at once: the products sheet and a zip of the files it names."""
    import tempfile
    from pathlib import Path

    from accounts.access import paths_for

    if paths_for(request.user, CHANGE) == []:
        raise PermissionDenied
    form = PhotoZipForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        sheet, archive = form.cleaned_data["sheet"], form.cleaned_data["archive"]
        with tempfile.TemporaryDirectory() as tmp:
            paths = []
            for upload, name in ((sheet, "sheet" + Path(sheet.name).suffix.lower()), (archive, "photos.zip")):
                path = Path(tmp) / name
                with open(path, "wb") as out:
                    for chunk in upload.chunks():
                        out.write(chunk)
                paths.append(path)
            try:
                report = services.attach_photos_from_zip(by=request.user, sheet_path=paths[0], zip_path=paths[1],
                                                         filename=sheet.name)
            except ValidationError as e:
                form.add_error("sheet", e)
    return render(request, "directory/photo_zip.html", {"section": "directory", "form": form, "report": report})


@login_required
@require_POST
def photo_delete(request, pk):
    """Remove a photo."""
    photo = get_visible_or_404(Photo.objects.select_related("product__org"), request.user, CHANGE, pk=pk)
    services.remove_photo(by=request.user, photo=photo)
    return redirect("directory:product-detail", photo.product_id)


@login_required
def demand_list(request):
    """Demands posted in the user's scope."""
    qs = Demand.objects.visible_to(request.user).select_related("org").defer("vector").annotate(
        n_matches=Count("matches")).order_by("-id")
    filterset = _style(DemandFilter(request.GET, queryset=qs, request=request))
    return render_page(request, "directory/demand_list.html",
                       {"section": "directory", "filter": filterset, "page": paginate(filterset.qs, request.GET.get("page")),
                        "may_add": paths_for(request.user, CHANGE) != []}, partial="results")


@login_required
def demand_create(request):
    """Post a demand in any language; its matches show at once."""
    form = DemandForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            demand = services.post_demand(by=request.user, **form.service_fields())
        except (ValidationError, PermissionDenied) as e:
            _fail(form, e)
        else:
            messages.success(request, _("需求已发布。"))
            return redirect("directory:demand-detail", demand.pk)
    return render(request, "directory/demand_form.html", {"section": "directory", "form": form})


@login_required
def demand_detail(request, pk):
    """A demand, its glossary reading and its matching products (the public catalogue's, any organization)."""
    demand = get_visible_or_404(Demand.objects.select_related("org", "category"), request.user, pk=pk)
    found = matching.match_demand(demand, 30)
    return render(request, "directory/demand_detail.html", {
        "section": "directory", "demand": demand, "found": found,
        "may_change": can(request.user, CHANGE, demand.org)})


@login_required
@require_POST
def demand_close(request, pk):
    """Close a demand."""
    services.close_demand(by=request.user, demand=get_visible_or_404(Demand, request.user, CHANGE, pk=pk))
    return redirect("directory:demand-detail", pk)


@login_required
def inquiry_list(request):
    """Inquiries to the suppliers in the user's scope: parties, status and counts, never the content."""
    qs = (Inquiry.objects.visible_to(request.user).filter(is_spam=False).select_related("enterprise", "product")
          .annotate(n_messages=Count("messages")).order_by("-id"))
    filterset = _style(InquiryFilter(request.GET, queryset=qs, request=request))
    return render_page(request, "directory/inquiry_list.html",
                       {"section": "directory", "filter": filterset,
                        "page": paginate(filterset.qs, request.GET.get("page"))}, partial="results")


@login_required
def glossary_page(request):
    """The staff's glossary words, and a form to add one."""
    form = GlossaryTermForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_glossary_term(by=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as e:
            _fail(form, e)
        else:
            messages.success(request, _("已保存。重新建立索引（manage.py reindex）后，英文搜索也能用上新词。"))
            return redirect("directory:glossary")
    return render(request, "directory/glossary.html",
                  {"section": "directory", "form": form, "terms": GlossaryTerm.objects.all()[:500]})


# ---- public catalogue (no login) -------------------------------------------------------------

def _lang(request) -> str:
    lang = request.GET.get("lang") or request.LANGUAGE_CODE or "zh"
    return "en" if lang.startswith("en") else "zh"


@cache_control(public=True, max_age=60)
def catalogue(request):
    """Published products, searchable, in Chinese or English, 24 a page; no phone numbers anywhere."""
    lang = _lang(request)
    page = paginate(public.public_products(request.GET), request.GET.get("page"), per_page=24)
    from django.db.models import prefetch_related_objects

    from directory.models import Category

    prefetch_related_objects(page.rows, "photos")

    return render(request, "directory/catalogue.html", {
        "lang": lang, "L": public.labels(lang), "page": page, "q": request.GET.get("q", ""),
        "categories": Category.objects.filter(parent__isnull=True), "category": request.GET.get("category", ""),
        "rows": [(p, p.text(lang), p.photos.all()[:1]) for p in page.rows],
    })


def catalogue_product(request, pk):
    """A published product, and the inquiry form (challenge, honeypot, rate limit per address)."""
    lang = _lang(request)
    product = public.published().filter(pk=pk).first()
    if product is None:
        raise Http404
    labels = public.labels(lang)
    form = InquiryForm(request.POST or None, labels=labels)
    sent = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        verdict = intake.check_challenge(data["token"], data["answer"])
        if verdict in ("wrong", "expired"):
            form.add_error("answer", _("验证答案不正确或已过期，请重新作答。"))
        elif not intake.allowed(request, public.InquiryThrottle):
            form.add_error(None, _("提交过于频繁，请稍后再试。"))
        else:
            try:
                inquiry = services.open_inquiry(
                    by=None, product=product, buyer_name=data["name"], buyer_email=data["email"],
                    buyer_country=data["country"], language=lang, message=data["message"],
                    is_spam=verdict == "spam" or bool(data["website"]))
            except ValidationError as e:
                _fail(form, e)
            else:
                sent = services.inquiry_url(inquiry, buyer=True)
    question, token = intake.make_challenge()
    if request.method != "POST" or sent or form.errors:
        form.data = form.data.copy() if form.is_bound else form.data
        if form.is_bound:
            form.data["token"] = token
            form.data["answer"] = ""
        else:
            form.initial["token"] = token
    return render(request, "directory/catalogue_product.html", {
        "lang": lang, "L": labels, "product": product, "text": product.text(lang), "photos": product.photos.all(),
        "form": form, "question": question, "sent": sent,
    })


@cache_control(public=True, max_age=86400)
def catalogue_supplier(request, pk):
    """A supplier's public page: its name, trade, place, certifications and published products.

    Only an enterprise with at least one published product has a page; its phone and address
    never appear (buyers write through an inquiry).
    """
    from awards.services import certifications_of
    from registry.models import Enterprise

    lang = _lang(request)
    products = public.published().filter(enterprise_id=pk).order_by("-pk")
    if not products.exists():
        raise Http404
    enterprise = Enterprise.objects.only("pk", "name", "industry", "country", "region", "main_products",
                                         "kind").get(pk=pk)
    page = paginate(products, request.GET.get("page"), per_page=24)
    from django.db.models import prefetch_related_objects

    prefetch_related_objects(page.rows, "photos")
    return render(request, "directory/catalogue_supplier.html", {
        "lang": lang, "L": public.labels(lang), "enterprise": enterprise, "page": page,
        "certifications": [c for c in certifications_of(enterprise)
                           if c.expires_on is None or c.expires_on >= dt.date.today()],
        "rows": [(p, p.text(lang), p.photos.all()[:1]) for p in page.rows],
    })


def catalogue_photo(request, pk, size):
    """A photo of a published product (full or thumbnail), served from storage."""
    photo = Photo.objects.filter(pk=pk, product__status=Status.PUBLISHED).first()
    if photo is None or size not in ("full", "thumb"):
        raise Http404
    f = photo.image if size == "full" else photo.thumbnail
    return FileResponse(f.open("rb"), content_type="image/jpeg")


def inquiry_thread(request, key):
    """The thread of an inquiry for whichever party holds this key; either may reply."""
    inquiry = services.inquiry_by_key(key)
    is_buyer = key == inquiry.buyer_key
    lang = inquiry.language if is_buyer else "zh"
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reply(key=key, body=form.cleaned_data["body"])
        except ValidationError as e:
            _fail(form, e)
        else:
            return redirect("catalogue:inquiry", key)
    response = render(request, "directory/inquiry_thread.html", {
        "inquiry": inquiry, "thread": inquiry.messages.all(), "is_buyer": is_buyer, "form": form,
        "L": public.labels(lang), "lang": lang})
    response["Referrer-Policy"] = "no-referrer"  # the key is in the address
    return response
