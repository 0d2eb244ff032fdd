"""Writes of the directory: products, photos, demands and their matches, inquiries, glossary terms.

Every function is atomic, takes the acting user as keyword `by` (None for the public side of an
inquiry, which proves itself with its secret key), checks the grant and writes a named audit entry.
"""
from __future__ import annotations

import io
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.access import paths_for
from core import uploads
from core.audit import acting, log_action
from core.notifications import notify
from core.scoping import CHANGE
from core.services import apply_fields, require
from directory import glossary, matching
from directory.encoder import get_encoder, to_bytes
from directory.models import (
    Demand,
    DemandStatus,
    GlossaryTerm,
    Inquiry,
    InquiryMessage,
    InquiryStatus,
    Match,
    Photo,
    Product,
    Status,
)
from directory.translation import get_translator

PRODUCT_FIELDS = {
    "enterprise", "code", "name", "description", "translations", "category", "specifications", "min_order", "unit",
    "price_min", "price_max", "currency", "hs_code", "certifications", "status",
}
DEMAND_FIELDS = {
    "org", "buyer", "title", "description", "language", "category", "quantity", "unit", "target_price", "currency",
    "destination", "deadline",
}
PHOTO_TYPES = {"JPEG", "PNG", "WEBP", "GIF"}
MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_PHOTOS = 12
MATCHES_KEPT = 50


def product_text(product: Product) -> str:
    """The text a product's vector is computed from: Chinese name and description, and an English name
    written by a person (a glossary's word-by-word English only blurs the vector)."""
    en = (product.translations or {}).get("en", {})
    name_en = "" if en.get("machine") else en.get("name", "")
    return " ".join(x for x in (product.name, product.description[:300], name_en) if x)


def fill_translations(product: Product) -> None:
    """Add an English text by the configured translator where none was given, marked as machine-made."""
    translations = dict(product.translations or {})
    if "en" not in translations or translations["en"].get("machine"):
        translator = get_translator()
        name = translator.translate(product.name, "zh", "en")
        description = translator.translate(product.description, "zh", "en")
        translations["en"] = {"name": name.text, "description": description.text, "machine": True,
                              "engine": name.engine, "missing": list(dict.fromkeys(name.missing + description.missing))}
    product.translations = translations


def vectorize(products: list[Product]) -> None:
    """Set the vectors of these products (one batch through the encoder); nothing without an encoder."""
    encoder = get_encoder()
    if not encoder.available or not products:
        return
    for p, v in zip(products, encoder.encode([product_text(p) for p in products]), strict=True):
        p.vector = to_bytes(v)


def _clean_product(product: Product) -> None:
    errors = {}
    if product.price_min is not None and product.price_max is not None and product.price_max < product.price_min:
        errors["price_max"] = [_("最高价不能低于最低价。")]
    if product.hs_code and not (product.hs_code.isdigit() and len(product.hs_code) in (4, 6, 8, 10)):
        errors["hs_code"] = [_("HS编码为4、6、8或10位数字。")]
    for lang, t in (product.translations or {}).items():
        if not isinstance(t, dict) or not isinstance(t.get("name", ""), str):
            errors["translations"] = [_("外文格式应为 {\"en\": {\"name\": …, \"description\": …}}。")]
        elif lang == "zh":
            errors["translations"] = [_("中文写在品名和描述里。")]
    if errors:
        raise ValidationError(errors)
    product.currency = (product.currency or "CNY").upper()


def create_product(*, by, **fields) -> Product:
    """List a product of an enterprise; it belongs to the enterprise's organization."""
    product = Product()
    apply_fields(product, fields, PRODUCT_FIELDS)
    if product.enterprise_id is None:
        raise ValidationError({"enterprise": _("请选择供应企业。")})
    product.org_id = product.enterprise.org_id
    product.country = product.enterprise.country or "CN"
    require(by, CHANGE, product.enterprise.org)
    _clean_product(product)
    fill_translations(product)
    product.full_clean(exclude=["vector"])
    vectorize([product])
    with transaction.atomic(), acting(by):
        product.save()
        log_action(product, "directory.product.created", by)
    return product


def update_product(*, by, product: Product, **fields) -> Product:
    """Change a product; the text's vector and machine translation follow the Chinese."""
    require(by, CHANGE, product.org)
    changed = apply_fields(product, fields, PRODUCT_FIELDS)
    if "enterprise" in changed:
        require(by, CHANGE, product.enterprise.org)
        product.org_id = product.enterprise.org_id
        product.country = product.enterprise.country or "CN"
    return _save_changes(by, product, changed)


def _save_changes(by, product: Product, changed, data: dict | None = None) -> Product:
    """Clean, retranslate and re-vectorize what changed, save, and log it (staff and member edits alike)."""
    _clean_product(product)
    if {"name", "description", "translations"} & set(changed):
        fill_translations(product)
        vectorize([product])
    product.full_clean(exclude=["vector"])
    with transaction.atomic(), acting(by):
        product.save()
        if "status" in changed:
            log_action(product, f"directory.product.{product.status}", by)
        log_action(product, "directory.product.changed", by, {"fields": sorted(changed), **(data or {})})
    return product


def set_status(*, by, product: Product, status: str) -> Product:
    """Publish a product in the public catalogue or hide it."""
    if status not in Status.values:
        raise ValidationError({"status": _("未知状态。")})
    require(by, CHANGE, product.org)
    with transaction.atomic(), acting(by):
        product.status = status
        product.save(update_fields=["status", "updated_at"])
        log_action(product, f"directory.product.{status}", by)
    return product


def _read_image(data: bytes):
    from PIL import Image, UnidentifiedImageError

    if len(data) > MAX_PHOTO_BYTES:
        raise ValidationError({"photo": _("图片不能超过 8 MB。")})
    try:
        # verify() checks the file's structure; the image must then be opened again to be read.
        Image.open(io.BytesIO(data)).verify()
        image = Image.open(io.BytesIO(data))
        if image.format not in PHOTO_TYPES:
            raise ValidationError({"photo": _("只接受 JPEG、PNG、WebP 或 GIF 图片。")})
        if image.width * image.height > 40_000_000:
            raise ValidationError({"photo": _("图片尺寸过大。")})
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as e:
        raise ValidationError({"photo": _("不是有效的图片文件。")}) from e
    return image


def _jpeg(image, size: int) -> bytes:
    from PIL import ImageOps

    image = ImageOps.exif_transpose(image).convert("RGB")
    image.thumbnail((size, size))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=82, optimize=True)
    return out.getvalue()


def add_photo(*, by, product: Product, data: bytes, name: str = "") -> Photo:
    """Add a photo, checked by its content (not its name) and re-encoded: 1200 px, thumbnail 400 px."""
    require(by, CHANGE, product.org)
    uploads.check(ContentFile(data, name=name or "photo.jpg"), "image", field="photo")
    image = _read_image(data)
    if product.photos.count() >= MAX_PHOTOS:
        raise ValidationError({"photo": _("每个产品最多 %(n)s 张图片。") % {"n": MAX_PHOTOS}})
    photo = Photo(product=product, position=product.photos.count(), original_name=name[:200])
    with transaction.atomic(), acting(by):
        photo.image.save("p.jpg", ContentFile(_jpeg(image, 1200)), save=False)
        photo.thumbnail.save("t.jpg", ContentFile(_jpeg(image, 400)), save=False)
        photo.save()
        log_action(product, "directory.photo.added", by, {"photo": photo.pk, "name": name[:200]})
    return photo


def remove_photo(*, by, photo: Photo) -> None:
    """Delete a photo and its files."""
    require(by, CHANGE, photo.product.org)
    with transaction.atomic(), acting(by):
        log_action(photo.product, "directory.photo.removed", by, {"photo": photo.pk})
        files = [photo.image, photo.thumbnail]
        photo.delete()
        transaction.on_commit(lambda: [f.storage.delete(f.name) for f in files if f])


def translate_demand(demand: Demand) -> None:
    """The demand's Chinese glossary words, its Chinese text and what could not be translated."""
    words, missing = matching.demand_words(demand)
    translated = get_translator().translate(f"{demand.title}", demand.language, "zh") if demand.language != "zh" else None
    demand.translation = {"words": words, "missing": missing,
                          "text": translated.text if translated else demand.title,
                          "engine": translated.engine if translated else ""}


def post_demand(*, by, **fields) -> Demand:
    """Post what a buyer seeks, in its own language; matched at once and the suppliers notified."""
    demand = Demand()
    apply_fields(demand, fields, DEMAND_FIELDS)
    require(by, CHANGE, demand.org)
    demand.destination = (demand.destination or "").upper()
    demand.currency = (demand.currency or "USD").upper()
    demand.full_clean(exclude=["vector"])
    translate_demand(demand)
    vector = matching.demand_vector(demand)
    if vector is not None:
        demand.vector = to_bytes(vector)
    with transaction.atomic(), acting(by):
        demand.save()
        log_action(demand, "directory.demand.posted", by)
        refresh_matches(demand, by=by)
    return demand


def close_demand(*, by, demand: Demand) -> Demand:
    """Close a demand: it no longer matches new products."""
    require(by, CHANGE, demand.org)
    with transaction.atomic(), acting(by):
        demand.status = DemandStatus.CLOSED
        demand.save(update_fields=["status"])
        log_action(demand, "directory.demand.closed", by)
    return demand


def refresh_matches(demand: Demand, *, by, notify_suppliers: bool = True) -> list[Match]:
    """Store the demand's best matches and tell each new supplier once (SMS to the enterprise's phone)."""
    found = matching.match_demand(demand, MATCHES_KEPT)
    with transaction.atomic():
        known = set(demand.matches.values_list("product_id", flat=True))
        demand.matches.exclude(product_id__in=[f.obj.pk for f in found]).delete()
        rows = []
        for f in found:
            rows.append(Match(org_id=f.obj.org_id, demand=demand, product=f.obj, score=f.score, reasons=f.reasons))
        Match.objects.bulk_create(rows, update_conflicts=True, unique_fields=["demand", "product"],
                                  update_fields=["score", "reasons"])
        log_action(demand, "directory.demand.matched", by, {"matches": len(rows)})
        if notify_suppliers:
            new = [f.obj for f in found if f.obj.pk not in known]
            phones = {p.enterprise.phone for p in new if p.enterprise.phone}
            if phones:
                notify(phones=sorted(phones), subject=_("新的采购需求"),
                       body=_("有采购需求与您的产品相符：%(t)s。请登录商会平台查看。") % {"t": demand.title})
    return list(demand.matches.select_related("product"))


def open_inquiry(*, by, product: Product | None = None, demand: Demand | None = None, enterprise=None,
                 buyer_name: str, buyer_email: str = "", buyer_country: str = "", language: str = "en",
                 message: str, is_spam: bool = False) -> Inquiry:
    """A buyer writes to a supplier about a product (public catalogue) or a demand; both get a private link."""
    if product is not None:
        if product.status != Status.PUBLISHED:
            raise ValidationError({"product": _("该产品未发布。")})
        enterprise = product.enterprise
    if enterprise is None:
        raise ValidationError({"enterprise": _("请选择供应企业。")})
    if not (message or "").strip() or not (buyer_name or "").strip():
        raise ValidationError({"message": _("请填写称呼和询盘内容。")})
    inquiry = Inquiry(org_id=enterprise.org_id, enterprise=enterprise, product=product, demand=demand,
                      buyer_name=buyer_name.strip()[:200], buyer_email=buyer_email.strip(),
                      buyer_country=(buyer_country or "").upper(), language=language,
                      buyer_key=secrets.token_urlsafe(24), supplier_key=secrets.token_urlsafe(24), is_spam=is_spam)
    inquiry.full_clean(exclude=["buyer_key", "supplier_key"])
    with transaction.atomic(), acting(by):
        inquiry.save()
        _add_message(inquiry, from_buyer=True, body=message)
        log_action(inquiry, "directory.inquiry.opened", by, {"product": getattr(product, "pk", None),
                                                               "demand": getattr(demand, "pk", None)})
        if not is_spam:
            link = _("询盘链接：%(u)s") % {"u": inquiry_url(inquiry, buyer=False)}
            notify(phones=[enterprise.phone], subject=_("新的询盘"),
                   body=_("%(b)s 向您发来询盘。") % {"b": inquiry.buyer_name} + link)
            notify(emails=[inquiry.buyer_email], subject="Shanghui inquiry",
                   body=f"{inquiry_url(inquiry, buyer=True)}")
    return inquiry


def inquiry_url(inquiry: Inquiry, *, buyer: bool) -> str:
    """The private link of one party (the site address from SITE_URL)."""
    key = inquiry.buyer_key if buyer else inquiry.supplier_key
    return getattr(settings, "SITE_URL", "").rstrip("/") + reverse("catalogue:inquiry", args=[key])


def _add_message(inquiry: Inquiry, *, from_buyer: bool, body: str) -> InquiryMessage:
    source = inquiry.language if from_buyer else "zh"
    target = "zh" if from_buyer else inquiry.language
    translated = get_translator().translate(body, source, target)
    note = translated.text + (f" [{_('未译')}: {'、'.join(translated.missing)}]" if translated.missing else "")
    return InquiryMessage.objects.create(inquiry=inquiry, from_buyer=from_buyer, body=body.strip(),
                                         translation=note if source != target else "")


def reply(*, key: str, body: str) -> InquiryMessage:
    """A party of an inquiry writes in its thread; the key says which party (404 for an unknown key)."""
    inquiry = inquiry_by_key(key)
    if inquiry.status != InquiryStatus.OPEN:
        raise ValidationError({"body": _("询盘已结束。")})
    if not (body or "").strip():
        raise ValidationError({"body": _("请填写内容。")})
    from_buyer = secrets.compare_digest(key, inquiry.buyer_key)
    with transaction.atomic():
        message = _add_message(inquiry, from_buyer=from_buyer, body=body)
        log_action(inquiry, "directory.inquiry.replied", None, {"from_buyer": from_buyer})
    return message


def inquiry_by_key(key: str) -> Inquiry:
    """The inquiry one of whose keys this is (Http404 otherwise)."""
    from django.db.models import Q
    from django.http import Http404

    inquiry = Inquiry.objects.filter(Q(buyer_key=key) | Q(supplier_key=key)).select_related(
        "enterprise", "product").first() if key else None
    if inquiry is None:
        raise Http404
    return inquiry


def add_glossary_term(*, by, zh: str, en: str, es: str = "", ru: str = "", ar: str = "", category=None) -> GlossaryTerm:
    """Add or change a staff glossary word; needs a grant to change records somewhere."""
    if not by.is_superuser and paths_for(by, CHANGE) == []:
        raise PermissionDenied(_("您无权修改外贸词汇。"))
    zh, en = (zh or "").strip(), (en or "").strip()
    if not zh or not en:
        raise ValidationError({"zh": _("中文和英文都必填。")})
    with transaction.atomic(), acting(by):
        term, created = GlossaryTerm.objects.update_or_create(
            zh=zh, defaults={"en": en, "es": es.strip(), "ru": ru.strip(), "ar": ar.strip(), "category": category})
        log_action(term, "directory.glossary.added" if created else "directory.glossary.changed", by)
        transaction.on_commit(glossary.invalidate)
        # Products saved before the word existed are translated and indexed again in the background.
        from directory import retranslate

        retranslate.start(by=by, zh=zh)
    glossary.invalidate()
    return term


def attach_photos_from_zip(*, by, sheet_path, zip_path, filename: str | None = None) -> dict:
    """Attach the photos a products sheet names (图片 column) from the zip beside it.

    Products are found by credit code and 货号 inside the user's scope; a name missing from the
    zip, or a file that is not an image, is reported, not fatal.
    """
    import zipfile
    from pathlib import PurePosixPath

    from core.importing.pipeline import find_header
    from core.importing.reader import Sheet
    from directory.sheets import ProductsSheet
    from registry.models import Enterprise

    kind = ProductsSheet()
    _row, mapping, _cells, rows = find_header(Sheet(sheet_path, filename).rows(), kind)
    index = {col.field: i for i, col in mapping.items()}
    report = {"attached": 0, "problems": []}
    if "photos" not in index:
        return report
    with zipfile.ZipFile(zip_path) as archive:
        members = {PurePosixPath(i.filename).name: i for i in archive.infolist() if not i.is_dir()}
        for number, cells in rows:
            row = {f: str(cells[i] or "").strip() for f, i in index.items() if i < len(cells)}
            names = [x.strip() for x in row.get("photos", "").replace("；", ";").split(";") if x.strip()]
            if not names:
                continue
            enterprise = Enterprise.objects.visible_to(by, CHANGE).filter(credit_code=row.get("credit_code", "").upper()).first()
            product = Product.objects.filter(enterprise=enterprise, code=row.get("code", "")).first() if enterprise else None
            if product is None:
                report["problems"].append({"row": number, "message": _("找不到该行的产品。")})
                continue
            have = set(product.photos.values_list("original_name", flat=True))
            for name in names:
                info = members.get(name)
                if name in have:
                    continue
                if info is None:
                    report["problems"].append({"row": number, "message": _("压缩包中没有 %(n)s。") % {"n": name}})
                    continue
                if info.file_size > MAX_PHOTO_BYTES:
                    report["problems"].append({"row": number, "message": _("%(n)s 超过 8 MB。") % {"n": name}})
                    continue
                try:
                    add_photo(by=by, product=product, data=archive.read(info), name=name)
                    report["attached"] += 1
                except ValidationError as e:
                    report["problems"].append({"row": number, "message": f"{name}: {' '.join(e.messages)}"})
    return report


# ---- member side (the portal): a member acts for the enterprises whose legal person it is ----------

def _member_enterprise_ids(by) -> set[int]:
    from portal.access import member_of, my_enterprises

    member = member_of(by)
    if member is None:
        raise PermissionDenied(_("只有会员账号可以进行此操作。"))
    return set(my_enterprises(member).values_list("pk", flat=True))


def require_own_enterprise(by, enterprise) -> None:
    """Raise PermissionDenied unless `by` is a member account and the enterprise is one of its own."""
    if enterprise is None or enterprise.pk not in _member_enterprise_ids(by):
        raise PermissionDenied(_("这不是您的企业。"))


def member_create_product(*, by, enterprise, **fields) -> Product:
    """A member lists a product of its own enterprise (validated and translated as staff listings are)."""
    require_own_enterprise(by, enterprise)
    product = Product(enterprise=enterprise, org_id=enterprise.org_id, country=enterprise.country or "CN")
    apply_fields(product, fields, PRODUCT_FIELDS - {"enterprise"})
    _clean_product(product)
    fill_translations(product)
    product.full_clean(exclude=["vector"])
    vectorize([product])
    with transaction.atomic(), acting(by):
        product.save()
        log_action(product, "directory.product.created", by, {"portal": True})
    return product


def member_update_product(*, by, product: Product, **fields) -> Product:
    """A member changes a product of its own enterprise (it cannot move it to another enterprise)."""
    require_own_enterprise(by, product.enterprise)
    changed = apply_fields(product, fields, PRODUCT_FIELDS - {"enterprise"})
    return _save_changes(by, product, changed, {"portal": True})


def member_set_status(*, by, product: Product, status: str) -> Product:
    """A member publishes or hides a product of its own enterprise."""
    require_own_enterprise(by, product.enterprise)
    if status not in Status.values:
        raise ValidationError({"status": _("未知状态。")})
    with transaction.atomic(), acting(by):
        product.status = status
        product.save(update_fields=["status", "updated_at"])
        log_action(product, f"directory.product.{status}", by, {"portal": True})
    return product


def member_delete_product(*, by, product: Product) -> None:
    """A member withdraws a product of its own enterprise for good (photos deleted; inquiries keep their thread)."""
    require_own_enterprise(by, product.enterprise)
    with transaction.atomic(), acting(by):
        log_action(product.enterprise, "directory.product.deleted", by,
                   {"product": product.pk, "name": product.name, "portal": True})
        files = [f for photo in product.photos.all() for f in (photo.image, photo.thumbnail)]
        product.delete()
        transaction.on_commit(lambda: [f.storage.delete(f.name) for f in files if f])


def member_add_photo(*, by, product: Product, data: bytes, name: str = "") -> Photo:
    """A member adds a photo to its own product (same checks and re-encoding as staff uploads)."""
    require_own_enterprise(by, product.enterprise)
    uploads.check(ContentFile(data, name=name or "photo.jpg"), "image", field="photo")
    image = _read_image(data)
    if product.photos.count() >= MAX_PHOTOS:
        raise ValidationError({"photo": _("每个产品最多 %(n)s 张图片。") % {"n": MAX_PHOTOS}})
    photo = Photo(product=product, position=product.photos.count(), original_name=name[:200])
    with transaction.atomic(), acting(by):
        photo.image.save("p.jpg", ContentFile(_jpeg(image, 1200)), save=False)
        photo.thumbnail.save("t.jpg", ContentFile(_jpeg(image, 400)), save=False)
        photo.save()
        log_action(product, "directory.photo.added", by, {"photo": photo.pk, "name": name[:200], "portal": True})
    return photo


def member_remove_photo(*, by, photo: Photo) -> None:
    """A member deletes a photo of its own product."""
    require_own_enterprise(by, photo.product.enterprise)
    with transaction.atomic(), acting(by):
        log_action(photo.product, "directory.photo.removed", by, {"photo": photo.pk, "portal": True})
        files = [photo.image, photo.thumbnail]
        photo.delete()
        transaction.on_commit(lambda: [f.storage.delete(f.name) for f in files if f])


def member_demands(user):
    """The demands the member's enterprises posted through the portal."""
    from portal.access import member_of, my_enterprises

    member = member_of(user)
    if member is None:
        return Demand.objects.none()
    return Demand.objects.filter(buyer_enterprise__in=my_enterprises(member))


def member_post_demand(*, by, enterprise, **fields) -> Demand:
    """A member posts what its own enterprise seeks, in its own language; matched at once, suppliers told."""
    require_own_enterprise(by, enterprise)
    demand = Demand(org_id=enterprise.org_id, buyer=enterprise.name, buyer_enterprise=enterprise)
    apply_fields(demand, fields, DEMAND_FIELDS - {"org", "buyer"})
    demand.destination = (demand.destination or "").upper()
    demand.currency = (demand.currency or "USD").upper()
    demand.full_clean(exclude=["vector"])
    translate_demand(demand)
    vector = matching.demand_vector(demand)
    if vector is not None:
        demand.vector = to_bytes(vector)
    with transaction.atomic(), acting(by):
        demand.save()
        log_action(demand, "directory.demand.posted", by, {"portal": True, "enterprise": enterprise.pk})
        refresh_matches(demand, by=by)
    return demand


def member_close_demand(*, by, demand: Demand) -> Demand:
    """A member closes one of its own demands."""
    if not member_demands(by).filter(pk=demand.pk).exists():
        raise PermissionDenied(_("这不是您发布的需求。"))
    with transaction.atomic(), acting(by):
        demand.status = DemandStatus.CLOSED
        demand.save(update_fields=["status"])
        log_action(demand, "directory.demand.closed", by, {"portal": True})
    return demand


def member_sent_inquiries(user):
    """The inquiries the member's enterprises sent through the portal (as buyers)."""
    from portal.access import member_of, my_enterprises

    member = member_of(user)
    if member is None:
        return Inquiry.objects.none()
    return Inquiry.objects.filter(buyer_enterprise__in=my_enterprises(member))


def member_received_inquiries(user):
    """The inquiries to this member's enterprises (spam left out)."""
    from portal.access import member_of, my_enterprises

    member = member_of(user)
    if member is None:
        return Inquiry.objects.none()
    return Inquiry.objects.filter(enterprise__in=my_enterprises(member), is_spam=False)


def member_open_inquiry(*, by, enterprise, product: Product, message: str, demand: Demand | None = None,
                        language: str = "zh") -> Inquiry:
    """A member writes, for its own enterprise, to the supplier of a published product (about its demand)."""
    require_own_enterprise(by, enterprise)
    if demand is not None and not member_demands(by).filter(pk=demand.pk).exists():
        raise PermissionDenied(_("这不是您发布的需求。"))
    if product.enterprise_id == enterprise.pk:
        raise ValidationError({"product": _("不能向自己的企业询盘。")})
    person = by.member_account.person
    with transaction.atomic():
        inquiry = open_inquiry(by=by, product=product, demand=demand, buyer_name=enterprise.name,
                               buyer_email=getattr(person, "email", "") or "", buyer_country=enterprise.country or "",
                               language=language, message=message)
        inquiry.buyer_enterprise = enterprise
        inquiry.save(update_fields=["buyer_enterprise"])
        log_action(inquiry, "directory.inquiry.sent", by, {"portal": True, "enterprise": enterprise.pk})
    return inquiry


def member_side(user, inquiry: Inquiry) -> str | None:
    """"supplier" or "buyer" when the member is a party of this inquiry, else None."""
    if member_received_inquiries(user).filter(pk=inquiry.pk).exists():
        return "supplier"
    if member_sent_inquiries(user).filter(pk=inquiry.pk).exists():
        return "buyer"
    return None


def member_reply(*, by, inquiry: Inquiry, body: str) -> InquiryMessage:
    """A member writes in the thread of an inquiry it is a party of (supplier or buyer)."""
    side = member_side(by, inquiry)
    if side is None:
        raise PermissionDenied(_("您不是此询盘的一方。"))
    if inquiry.status != InquiryStatus.OPEN:
        raise ValidationError({"body": _("询盘已结束。")})
    if not (body or "").strip():
        raise ValidationError({"body": _("请填写内容。")})
    with transaction.atomic(), acting(by):
        message = _add_message(inquiry, from_buyer=side == "buyer", body=body)
        log_action(inquiry, "directory.inquiry.replied", by, {"from_buyer": side == "buyer", "portal": True})
    return message
