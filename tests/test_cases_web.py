"""The cases pages: queues, the case page and its steps, what a liaison sees, set-up, dashboard, public intake."""
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cases import services
from cases.models import Case, Status
from tests import cases_factories as cf

pytestmark = pytest.mark.django_db


@pytest.fixture
def login(users, settings):
    """A logged-in client for one of the users (or any user object)."""
    settings.SECURE_SSL_REDIRECT = False

    def client(who):
        c = Client()
        c.force_login(users[who] if isinstance(who, str) else who)
        return c

    return client


def test_queue_pages_and_steps(login, users, tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    staff = users["hz_staff"]
    liaison, dept = cf.liaison(tree["hz"], users["hz_admin"])
    c = cf.case(tree["sc"], staff)
    web = login("hz_staff")
    page = web.get("/cases/?queue=unassigned")
    assert page.status_code == 200 and c.number in page.content.decode()
    assert login("wz_staff").get(f"/cases/{c.pk}/").status_code == 404
    detail = web.get(f"/cases/{c.pk}/").content.decode()
    assert c.id_number not in detail and 'data-step="accept"' in detail
    assert web.post(f"/cases/{c.pk}/steps/accept/", {"accept-note": ""}).status_code == 302
    web.post(f"/cases/{c.pk}/steps/dispatch/", {"dispatch-departments": [dept.pk], "dispatch-note": "请核查"})
    c.refresh_from_db()
    assert c.status == Status.DISPATCHED
    web.post(f"/cases/{c.pk}/steps/attachment/",
             {"attachment-file": SimpleUploadedFile("证据.pdf", b"%PDF-1.4\n1", content_type="application/pdf")})
    att = c.attachments.get()
    assert web.get(f"/cases/attachments/{att.pk}/").status_code == 200

    # The liaison: the case, not the applicant; acknowledge and answer from the page.
    lw = login(liaison)
    page = lw.get(f"/cases/{c.pk}/").content.decode()
    assert c.subject in page and c.applicant_name not in page and "身份证号" not in page
    assert lw.get(f"/cases/attachments/{att.pk}/").status_code == 404
    assert lw.post(f"/cases/{c.pk}/reveal/", {"purpose": "联系"}).status_code == 403
    assert c.number in lw.get("/cases/?queue=department").content.decode()
    d = c.dispatches.get()
    lw.post(f"/cases/dispatches/{d.pk}/acknowledge/")
    lw.post(f"/cases/dispatches/{d.pk}/answer/", {f"answer{d.pk}-text": "已处理", f"answer{d.pk}-public": "on"})
    d.refresh_from_db()
    assert d.state == "answered" and d.answer_public
    # A liaison's step on the case itself is refused by the service.
    lw.post(f"/cases/{c.pk}/steps/resolve/", {"resolve-agreement": "x"})
    assert Case.objects.get(pk=c.pk).status == Status.DISPATCHED

    web.post(f"/cases/{c.pk}/steps/resolve/", {"resolve-agreement": "退款", "resolve-amount_recovered": "900"})
    web.post(f"/cases/{c.pk}/steps/close/", {"close-note": ""})
    r = web.post(f"/cases/{c.pk}/steps/dispatch/", {"dispatch-departments": [dept.pk]}, follow=True)
    assert "不能吹哨" in r.content.decode()
    assert Case.objects.get(pk=c.pk).status == Status.CLOSED


def test_create_setup_and_dashboard(login, users, tree):
    web = login("hz_admin")
    r = web.post("/cases/new/", {"org": tree["hz"].pk, "kind": "labour_dispute", "channel": "hotline",
                                 "priority": "high", "applicant_name": "赵六", "phone": "13812345678",
                                 "subject": "拖欠工资", "amount_involved": "8000"})
    assert r.status_code == 302, r.content.decode()[:2000]
    case = Case.objects.get(subject="拖欠工资")
    assert case.channel == "hotline" and case.phone == "+8613812345678"
    r = web.post("/cases/setup/", {"form": "department", "department-org": tree["hz"].pk,
                                   "department-name": "市场监管所", "department-kind": "market_supervision",
                                   "department-liaisons": [users["nobody"].pk]})
    assert r.status_code == 302
    assert "市场监管所" in web.get("/cases/setup/").content.decode()
    services.resolve(by=users["hz_admin"], case=services.accept(by=users["hz_admin"], case=case),
                     agreement="补发工资", amount_recovered=8000)
    page = web.get("/cases/dashboard/?org=hz").content.decode()
    assert 'data-key="cases.resolved"' in page and "cases-chart-data" in page
    link = re.search(r'href="([^"]+)" data-key="cases.resolved"', page).group(1).replace("&amp;", "&")
    assert case.number in web.get(link).content.decode()


def _challenge_answer(html):
    token = re.search(r'name="challenge" value="([^"]+)"', html).group(1)
    a, b = re.search(r"(\d+) 加 (\d+) 等于几", html).groups()
    return token, str(int(a) + int(b))


def test_public_intake_page_and_tracking(tree, settings):
    settings.CASES_INTAKE_MIN_SECONDS = 0
    settings.SECURE_SSL_REDIRECT = False
    from django.core.cache import cache

    cache.clear()
    web = Client()
    page = web.get("/intake/hz/")
    assert page.status_code == 200
    token, answer = _challenge_answer(page.content.decode())
    r = web.post("/intake/hz/", {"kind": "consumer_dispute", "subject": "买到假货", "applicant_name": "钱七",
                                 "phone": "13912345678", "challenge": token, "answer": answer, "website": ""})
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"
    html = r.content.decode()
    number = re.search(r'id="tracking-number">([^<]+)<', html).group(1)
    secret = re.search(r'id="tracking-secret">([^<]+)<', html).group(1)
    case = Case.objects.get(number=number)
    assert case.org == tree["hz"] and not case.is_spam
    # A wrong answer keeps the form, with a new question.
    page = web.get("/intake/hz/").content.decode()
    token, answer = _challenge_answer(page)
    r = web.post("/intake/hz/", {"kind": "other", "subject": "x", "applicant_name": "y", "phone": "13912345678",
                                 "challenge": token, "answer": str(int(answer) + 1)})
    assert r.status_code == 400 and "验证答案不正确" in r.content.decode()
    # Tracking: status and public replies only.
    r = web.post("/track/", {"number": number, "secret": secret})
    assert 'data-status="submitted"' in r.content.decode() and "13912345678" not in r.content.decode()
    assert web.post("/track/", {"number": number, "secret": "WRONG"}).status_code == 404
    assert Client().get("/cases/").status_code == 302  # the staff pages need a login


def test_deadlines_are_set_on_the_setup_page(login, users, tree):
    from cases.models import DeadlineRule

    r = login("hz_admin").post("/cases/setup/", {"form": "deadline", "deadline-org": tree["hz"].pk,
                                                 "deadline-kind": "", "deadline-step": "resolve",
                                                 "deadline-working_days": "15"})
    assert r.status_code == 302
    assert DeadlineRule.objects.get(org=tree["hz"], step="resolve", kind="").working_days == 15
    login("hz_staff").post("/cases/setup/", {"form": "deadline", "deadline-org": tree["hz"].pk,
                                             "deadline-step": "resolve", "deadline-working_days": "3"})
    assert DeadlineRule.objects.get(org=tree["hz"], step="resolve", kind="").working_days == 15
    assert "15" in login("hz_admin").get("/cases/setup/").content.decode().split('id="deadlines"')[1]


def test_public_intake_form_kept_in_each_language_with_a_new_question_each_visit(tree, settings):
    """The empty form's fields are kept rendered per language; the question and its token change every
    visit, and a refused form shows what was typed, with its errors."""
    settings.SECURE_SSL_REDIRECT = False
    web = Client()
    first, second = (web.get("/intake/hz/").content.decode() for _ in range(2))
    tokens = [_challenge_answer(html)[0] for html in (first, second)]
    assert tokens[0] != tokens[1]
    for html in (first, second):
        assert '<label class="form-label" for="id_subject">事由 *</label>' in html
        assert html.index('name="kind"') < html.index('name="attachment"') < html.index('name="answer"') \
            < html.index('name="challenge"') < html.index('name="website"')
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/intake/hz/").content.decode()
    assert "事由" not in english and '<label class="form-label" for="id_subject">Subject *</label>' in english
    refused = web.post("/intake/hz/", {"kind": "other", "subject": "门店拖欠货款", "applicant_name": "",
                                       "challenge": tokens[1], "answer": "x"}).content.decode()
    assert 'value="门店拖欠货款"' in refused and refused.count('class="text-danger small"') >= 1
