"""Charity: a fund's balance under concurrent disbursements, receipts without gaps or repeats,
goods and money, beneficiaries' personal data, approvals, honours on the registry pages, API."""
import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, OperationalError, close_old_connections, connection, transaction
from django.db.models import F

from charity import services
from charity.models import Disbursement, Donation, Fund, ReceiptCounter
from registry import services as reg_services

pytestmark = pytest.mark.django_db


def _fund(users, tree, code="zx", org="hz"):
    return services.create_fund(by=users["hz_admin"], org=tree[org], code=code, name="助学基金", kind="student_aid")


def _student(users, tree, **kw):
    return services.create_beneficiary(by=users["hz_admin"], org=tree["hz"], kind="student", name="王小明",
                                       birth_date=kw.pop("birth_date", dt.date(2012, 5, 1)), phone="13812345678",
                                       guardian_name="王大明", **kw)


def test_balance_donations_and_an_overspend_refused(users, tree):
    admin = users["hz_admin"]
    fund = _fund(users, tree)
    services.receive_donation(by=admin, fund=fund, donor_name="李四", value="1000")
    services.receive_donation(by=admin, fund=fund, donor_name="某公司", donor_kind="enterprise", kind="goods",
                              value="5000", goods="课桌椅 50 套")
    fund.refresh_from_db()
    assert fund.balance == Decimal("1000.00")  # goods are recorded at their value, not as money to pay out
    student = _student(users, tree)
    services.disburse(by=admin, fund=fund, beneficiary=student, amount="600", purpose="学费")
    with pytest.raises(ValidationError) as e:
        services.disburse(by=admin, fund=fund, beneficiary=student, amount="500", purpose="生活费")
    assert "余额 400.00 元，不足拨付 500.00 元" in " ".join(e.value.messages)
    fund.refresh_from_db()
    assert fund.balance == Decimal("400.00")
    assert Disbursement.objects.filter(status="approved").count() == 1
    # Staff request, only an administrator approves.
    d = services.request_disbursement(by=users["hz_staff"], fund=fund, beneficiary=student, amount=100,
                                      purpose="书本")
    with pytest.raises(PermissionDenied):
        services.approve_disbursement(by=users["hz_staff"], disbursement=d)
    services.approve_disbursement(by=admin, disbursement=d)
    with pytest.raises(ValidationError):
        services.approve_disbursement(by=admin, disbursement=d)  # not twice
    # The database refuses a negative balance even when someone writes around the services.
    with pytest.raises(IntegrityError), transaction.atomic():
        Fund.objects.filter(pk=fund.pk).update(balance=F("balance") - 10_000)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_disbursements_cannot_overdraw(users, tree):
    """Two approvals of 70 from a fund of 100, at the same moment on two connections: one is refused."""
    admin = users["hz_admin"]
    fund = _fund(users, tree)
    services.receive_donation(by=admin, fund=fund, donor_name="李四", value="100")
    student = _student(users, tree)
    requests = [services.request_disbursement(by=admin, fund=fund, beneficiary=student, amount=70, purpose=p)
                for p in ("学费", "生活费")]
    barrier = threading.Barrier(2)
    results = {}

    def approve(d):
        try:
            barrier.wait()
            for _attempt in range(20):
                try:
                    services.approve_disbursement(by=admin, disbursement=d)
                    results[d.pk] = "approved"
                    break
                except OperationalError:  # SQLite: the other writer holds the database lock; try again
                    time.sleep(0.05)
        except ValidationError as e:
            results[d.pk] = " ".join(e.messages)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(d,)) for d in requests]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    close_old_connections()
    assert sorted(v == "approved" for v in results.values()) == [False, True], results
    assert any("不足拨付" in v for v in results.values())
    fund.refresh_from_db()
    assert fund.balance == Decimal("30.00")
    assert Disbursement.objects.filter(status="approved").count() == 1


def _numbers(fund, year):
    return list(Donation.objects.filter(fund=fund, receipt_year=year).order_by("receipt_seq")
                .values_list("receipt_seq", flat=True))


def test_receipts_are_numbered_per_fund_and_year_without_gaps(users, tree):
    admin = users["hz_admin"]
    a, b = _fund(users, tree, "zx"), _fund(users, tree, "jz")
    for i in range(5):
        services.receive_donation(by=admin, fund=a, donor_name=f"甲{i}", value=10, received_on=dt.date(2024, 12, 1))
        services.receive_donation(by=admin, fund=a, donor_name=f"乙{i}", value=10, received_on=dt.date(2025, 1, 1))
        services.receive_donation(by=admin, fund=b, donor_name=f"丙{i}", value=10, received_on=dt.date(2025, 1, 1))
        # A refused donation takes no number.
        with pytest.raises(ValidationError):
            services.receive_donation(by=admin, fund=a, donor_name="丁", kind="goods", value=10,
                                      received_on=dt.date(2025, 1, 1))
    assert _numbers(a, 2024) == _numbers(a, 2025) == _numbers(b, 2025) == [1, 2, 3, 4, 5]
    d = Donation.objects.get(fund=a, receipt_year=2025, receipt_seq=3)
    assert d.receipt_number == "ZX-2025-00003"
    assert ReceiptCounter.objects.get(fund=a, year=2025).last == 5


@pytest.mark.django_db(transaction=True)
def test_receipts_stay_gapless_under_concurrency(users, tree):
    admin = users["hz_admin"]
    fund = _fund(users, tree)
    barrier = threading.Barrier(4)

    def give(i):
        try:
            barrier.wait()
            for n in range(5):
                for _attempt in range(50):
                    try:
                        services.receive_donation(by=admin, fund=fund, donor_name=f"捐赠人{i}-{n}", value=1,
                                                  received_on=dt.date(2025, 6, 1))
                        break
                    except OperationalError:
                        time.sleep(0.05)
        finally:
            connection.close()

    threads = [threading.Thread(target=give, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    close_old_connections()
    assert _numbers(fund, 2025) == list(range(1, 21))
    fund.refresh_from_db()
    assert fund.balance == Decimal("20.00")


def test_receipt_pdf_and_anonymity(client, users, tree):
    from io import BytesIO

    from pypdf import PdfReader

    fund = _fund(users, tree)
    d = services.receive_donation(by=users["hz_admin"], fund=fund, donor_name="陈先生", value="8888",
                                  anonymous=True)
    client.force_login(users["hz_staff"])
    r = client.get(f"/charity/donations/{d.pk}/receipt/")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    text = PdfReader(BytesIO(r.content)).pages[0].extract_text()
    assert d.receipt_number in text and "爱心人士" in text and "陈先生" not in text
    client.force_login(users["wz_staff"])
    assert client.get(f"/charity/donations/{d.pk}/receipt/").status_code == 404


def test_a_minors_data_is_masked_and_revealed_with_a_purpose(api, client, users, tree):
    from auditlog.models import LogEntry

    student = _student(users, tree, id_number="330102201205010011")
    assert student.is_minor and str(student) == "王*明"
    body = api("hz_staff").get(f"/api/charity/beneficiaries/{student.pk}/").json()
    assert body["name"] == "王*明" and body["phone"] == "138****5678" and body["birth_date"] == "2012-**-**"
    assert body["guardian_name"] == "***" and "王大明" not in str(body)
    # Staff without the personal-data grant cannot reveal; the administrator can, with a purpose, logged.
    assert api("hz_staff").post(f"/api/charity/beneficiaries/{student.pk}/reveal/", {"purpose": "核对"},
                                format="json").status_code == 403
    assert api("hz_admin").post(f"/api/charity/beneficiaries/{student.pk}/reveal/", {},
                                format="json").status_code == 403
    r = api("hz_admin").post(f"/api/charity/beneficiaries/{student.pk}/reveal/", {"purpose": "发放助学金核对身份"},
                             format="json")
    assert r.status_code == 200 and r.json()["values"]["id_number"] == "330102201205010011"
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).latest("timestamp")
    assert entry.additional_data["purpose"] == "发放助学金核对身份"
    # The page shows the masked name and masked fields.
    client.force_login(users["hz_staff"])
    page = client.get(f"/charity/beneficiaries/{student.pk}/").content.decode()
    assert "王*明" in page and "王小明" not in page and "13812345678" not in page


def test_honours_show_on_the_persons_and_enterprises_pages(client, users, tree):
    admin = users["hz_admin"]
    person = reg_services.create_person(by=admin, org=tree["hz"], name="张爱心", category="overseas_chinese")
    enterprise = reg_services.create_enterprise(by=admin, org=tree["hz"], name="爱心贸易有限公司")
    services.award_honor(by=admin, org=tree["hz"], title="爱心侨商奖", year=2024, person=person)
    services.award_honor(by=admin, org=tree["hz"], title="慈善捐赠先进单位", year=2024, enterprise=enterprise)
    with pytest.raises(ValidationError):
        services.award_honor(by=admin, org=tree["hz"], title="两者", year=2024, person=person, enterprise=enterprise)
    client.force_login(users["hz_staff"])
    assert "爱心侨商奖" in client.get(f"/registry/people/{person.pk}/").content.decode()
    assert "慈善捐赠先进单位" in client.get(f"/registry/enterprises/{enterprise.pk}/").content.decode()


def test_indicators_and_pages(client, users, tree):
    from stats.indicators import evaluate

    admin = users["hz_admin"]
    fund = _fund(users, tree)
    services.receive_donation(by=admin, fund=fund, donor_name="甲", value="1000", received_on=dt.date(2025, 2, 1))
    services.receive_donation(by=admin, fund=fund, donor_name="乙", kind="goods", goods="图书", value="300",
                              received_on=dt.date(2025, 2, 1))
    student = _student(users, tree)
    services.disburse(by=admin, fund=fund, beneficiary=student, amount=400, purpose="学费",
                      paid_on=dt.date(2025, 3, 1))
    kw = {"user": users["hz_staff"], "org": tree["hz"], "start": dt.date(2025, 1, 1), "end": dt.date(2025, 12, 31)}
    assert evaluate("charity.donations.total", **kw).value == Decimal("1300")
    assert evaluate("charity.donations.goods", **kw).value == Decimal("300")
    assert evaluate("charity.donations.by_fund", **kw).value == {"zx": Decimal("1300")}
    assert evaluate("charity.disbursed.amount", **kw).value == Decimal("400")
    assert evaluate("charity.beneficiaries.helped", **kw).value == 1
    assert evaluate("charity.donations.total", **{**kw, "user": users["wz_staff"]}).value == 0
    client.force_login(users["hz_admin"])
    for url in ("/charity/", f"/charity/funds/{fund.pk}/", "/charity/donations/", "/charity/disbursements/",
                "/charity/beneficiaries/", "/charity/honors/"):
        assert client.get(url).status_code == 200, url
    client.force_login(users["wz_staff"])
    assert client.get(f"/charity/funds/{fund.pk}/").status_code == 404


def test_cli_balances_and_receipt(users, tree, tmp_path):
    import io
    import json

    from django.core.management import call_command

    fund = _fund(users, tree)
    d = services.receive_donation(by=users["hz_admin"], fund=fund, donor_name="甲", value="250")
    out = io.StringIO()
    call_command("charity", "balances", "--org", "hz", "--user", "hz_staff", "--format", "json", stdout=out)
    assert json.loads(out.getvalue()) == [{"code": "zx", "name": "助学基金", "balance": "250.00", "ledger": "250.00",
                                           "consistent": True}]
    pdf = tmp_path / "r.pdf"
    call_command("charity", "receipt", d.receipt_number, "--out", str(pdf), "--user", "hz_staff",
                 stdout=io.StringIO())
    assert pdf.read_bytes().startswith(b"%PDF")
    out = io.StringIO()
    call_command("charity", "balances", "--user", "wz_staff", "--format", "json", stdout=out)
    assert json.loads(out.getvalue()) == []


def test_pages_do_not_grow_with_rows(client, users, tree, django_assert_max_num_queries):
    admin = users["hz_admin"]
    fund = _fund(users, tree)
    student = _student(users, tree)

    def add(n):
        for _i in range(n):
            services.receive_donation(by=admin, fund=fund, donor_name="甲", value=100)
            services.disburse(by=admin, fund=fund, beneficiary=student, amount=10, purpose="学费")

    pages = (f"/charity/funds/{fund.pk}/", "/charity/donations/", "/charity/disbursements/",
             "/charity/beneficiaries/", "/charity/honors/")
    add(2)
    client.force_login(admin)
    with django_assert_max_num_queries(80) as few:
        for url in pages:
            client.get(url)
    add(15)
    with django_assert_max_num_queries(len(few.captured_queries)):
        for url in pages:
            client.get(url)


def test_editing_a_fund_never_writes_its_balance(users, tree):
    fund = _fund(users, tree)
    stale = Fund.objects.get(pk=fund.pk)
    services.receive_donation(by=users["hz_admin"], fund=fund, donor_name="甲", value=300)
    services.update_fund(by=users["hz_staff"], fund=stale, name="助学基金（新）", rules="每生每年 2000 元")
    stale.refresh_from_db()
    assert (stale.name, stale.balance) == ("助学基金（新）", Decimal("300.00"))
