"""Uploads are checked by their content, not their name, with limits (core/uploads.py), wherever a file comes in:
case attachments, activity files, awards evidence, directory photos and import sheets."""
import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core import uploads
from core.models import Job
from tests import cases_factories as cf
from tests.test_isolation import BUILDERS

FIXTURES = Path(__file__).parent / "fixtures"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" + b"\x00" * 200
HTML = "<html><body><script>alert(1)</script>测试</body></html>".encode()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploaded files go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    """An uploaded file; the browser's content type is deliberately meaningless."""
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def png(size=(16, 16), fmt="PNG") -> bytes:
    """A real image."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, "blue").save(out, fmt)
    return out.getvalue()


def xlsx(extra: dict | None = None, rows: int = 3) -> bytes:
    """A real workbook, optionally with extra members added to its zip."""
    import openpyxl

    wb = openpyxl.Workbook()
    for i in range(rows):
        wb.active.append(["姓名", f"王小明{i}"])
    out = io.BytesIO()
    wb.save(out)
    if extra:
        with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as z:
            for name, data in extra.items():
                z.writestr(name, data)
    return out.getvalue()


def docx() -> bytes:
    """A real Word document."""
    import docx as python_docx

    out = io.BytesIO()
    d = python_docx.Document()
    d.add_paragraph("证明材料")
    d.save(out)
    return out.getvalue()


def refused(kind: str, f, *words: str) -> str:
    """The message of a refusal; it names the file and contains `words`."""
    with pytest.raises(ValidationError) as e:
        uploads.check(f, kind)
    message = " ".join(e.value.messages)
    assert Path(f.name).name in message
    for w in words:
        assert w in message, message
    return message


# ---- the checker ------------------------------------------------------------------------------


@pytest.mark.parametrize("name,data,kind,ext", [
    ("报告.pdf", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n", "document", "pdf"),
    ("合影.PNG", png(), "document", "png"),
    ("合影.jpeg", png(fmt="JPEG"), "image", "jpg"),
    ("截图.jpg", png(), "image", "png"),  # named .jpg, proved PNG by its content: stored as what it is
    ("动图.gif", png(fmt="GIF"), "image", "gif"),
    ("证明.docx", docx(), "document", "docx"),
    ("名单.xlsx", xlsx(), "document", "xlsx"),
    ("名单.xlsx", xlsx(), "sheet", "xlsx"),
    ("名单.xls", (FIXTURES / "people_messy.xls").read_bytes(), "sheet", "xls"),
    ("名单.csv", "姓名,国家\n王小明,意大利\n".encode(), "sheet", "csv"),
    ("名单.csv", "姓名,国家\n王小明,意大利\n".encode("gb18030"), "sheet", "csv"),
    ("名单.csv", "\ufeff姓名,国家\n😀,IT\n".encode(), "sheet", "csv"),
])
def test_genuine_files_pass_and_report_what_they_are(name, data, kind, ext):
    f = upload(name, data)
    checked = uploads.check(f, kind)
    assert checked.ext == ext and checked.content_type == uploads.TYPES[ext][0]
    assert f.tell() == 0  # left at its start for whoever stores it


def test_an_exe_renamed_pdf_is_refused_by_content():
    message = refused("document", upload("发票.pdf", EXE), "exe", ".pdf")
    assert "发票.pdf" in message


@pytest.mark.parametrize("kind", ["document", "image"])
def test_html_renamed_jpg_is_refused(kind):
    refused(kind, upload("头像.jpg", HTML), ".jpg")


def test_a_truncated_image_with_a_good_header_is_refused():
    refused("image", upload("半张.png", png((200, 200))[:60]), "图片")


def test_unknown_extensions_are_refused_whatever_the_content():
    refused("document", upload("脚本.html", HTML), ".pdf")
    refused("document", upload("合影.svg", b"<svg onload='alert(1)'/>"), "不支持")
    refused("image", upload("无扩展名", png()), "不支持")


def test_oversize_file_is_refused_by_setting(settings):
    settings.UPLOAD_MAX_BYTES = {"document": 1024}
    refused("document", upload("大文件.pdf", b"%PDF-1.4\n" + b"0" * 2048), "文件过大", "MB")
    assert uploads.check(upload("小文件.pdf", b"%PDF-1.4\n" + b"0" * 512), "document").ext == "pdf"


def test_empty_file_is_refused():
    refused("document", upload("空.pdf", b""), "空")


def test_a_zip_bomb_xlsx_is_refused_by_its_compression_ratio():
    bomb = xlsx({"xl/media/bomb.xml": b" " * (20 * 1024 * 1024)})
    assert len(bomb) < 100_000
    refused("sheet", upload("炸弹.xlsx", bomb), "压缩比", "xl/media/bomb.xml")


def test_an_xlsx_too_large_once_unpacked_is_refused(settings):
    settings.UPLOAD_MAX_UNZIPPED_BYTES = {"sheet": 20_000}
    refused("sheet", upload("很大.xlsx", xlsx(rows=2000)), "解压后过大")


def test_a_zip_that_is_not_a_workbook_or_document_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("payload.exe", EXE)
    refused("sheet", upload("伪装.xlsx", out.getvalue()), "不是有效的 .xlsx")
    refused("document", upload("伪装.docx", out.getvalue()), "不是有效的 .docx")
    refused("document", upload("坏的.docx", b"PK\x03\x04" + b"\x00" * 100), "损坏")


def test_a_binary_file_renamed_csv_is_refused():
    refused("sheet", upload("名单.csv", png()), ".csv")
    refused("sheet", upload("名单.csv", b"a,b\n\x00\x01\x02"), ".csv")
    refused("sheet", upload("名单.csv", b"\xff\xfe\x80\x80\x80\x80 abc"), "UTF-8")


# ---- every place a file comes in ----------------------------------------------------------------


def test_case_attachment(users, tree):
    from cases import services

    case = cf.case(tree["hz"], users["hz_staff"])
    with pytest.raises(ValidationError) as e:
        services.add_attachment(by=users["hz_staff"], case=case, upload=upload("发票.pdf", EXE))
    assert "attachments" in e.value.message_dict
    att = services.add_attachment(by=users["hz_staff"], case=case, upload=upload("现场.jpg", png()))
    assert att.content_type == "image/png" and att.file.name.endswith(".png")


def test_activity_file(users, tree):
    from activities import services

    activity = BUILDERS[__import__("activities.models", fromlist=["Activity"]).Activity](
        tree["sc"], users["zj_admin"], "杭州")
    with pytest.raises(ValidationError):
        services.add_file(by=users["hz_staff"], activity=activity, upload=upload("合影.jpg", HTML))
    assert not activity.files.exists()
    assert services.add_file(by=users["hz_staff"], activity=activity, upload=upload("合影.jpg", png())).is_photo


def test_awards_evidence_is_checked(users, tree):
    from awards import services
    from awards.models import Evidence, Nomination

    n = BUILDERS[Nomination](tree["sc"], users["zj_admin"], "杭州")
    for bad in (upload("事迹.pdf", EXE), upload("照片.jpg", HTML), upload("事迹.exe", EXE)):
        with pytest.raises(ValidationError) as e:
            services.add_evidence(by=users["zj_admin"], nomination=n, upload=bad)
        assert bad.name in " ".join(e.value.messages)
    assert not Evidence.objects.exists()
    services.add_evidence(by=users["zj_admin"], nomination=n, upload=upload("事迹.docx", docx()), title="事迹")
    assert Evidence.objects.count() == 1


def test_awards_evidence_page_shows_the_refusal(client, users, tree):
    from awards.models import Evidence, Nomination

    n = BUILDERS[Nomination](tree["sc"], users["zj_admin"], "杭州")
    client.force_login(users["zj_admin"])
    r = client.post(f"/awards/nominations/{n.pk}/evidence/", {"title": "事迹", "file": upload("事迹.pdf", EXE)},
                    follow=True)
    assert r.status_code == 200 and "事迹.pdf" in r.content.decode()
    assert not Evidence.objects.exists()


def test_directory_photo(users, tree):
    from directory import services
    from directory.models import Product

    product = BUILDERS[Product](tree["sc"], users["zj_admin"], "杭州")
    with pytest.raises(ValidationError) as e:
        services.add_photo(by=users["hz_staff"], product=product, data=EXE, name="产品.jpg")
    assert "photo" in e.value.message_dict and "产品.jpg" in e.value.message_dict["photo"][0]
    assert services.add_photo(by=users["hz_staff"], product=product, data=png(), name="产品.jpg")


def test_import_page_checks_the_content(client, users, settings):
    client.force_login(users["hz_staff"])
    for f in (upload("名单.xlsx", EXE), upload("名单.csv", png()),
              upload("炸弹.xlsx", xlsx({"xl/media/bomb.xml": b"0" * (20 * 1024 * 1024)}))):
        r = client.post(reverse("import"), {"kind": "people", "mode": "dry_run", "file": f})
        assert r.status_code == 200 and f.name in r.content.decode()
    settings.UPLOAD_MAX_BYTES = {"sheet": 100}
    r = client.post(reverse("import"), {"kind": "people", "mode": "dry_run", "file": upload("名单.xlsx", xlsx())})
    assert "文件过大" in r.content.decode()
    assert not Job.objects.exists()


def test_start_import_checks_the_content(users, tree):
    from core.importing.tasks import start_import

    with pytest.raises(ValidationError):
        start_import(by=users["hz_staff"], kind="people", upload=upload("名单.xlsx", EXE), org=tree["hz"])
    assert not Job.objects.exists()
