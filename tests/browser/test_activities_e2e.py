"""On a phone: the check-in page reads a participant's QR code through the camera, and a name is ticked."""
import datetime as dt

import numpy as np
import pytest
import segno
from playwright.sync_api import expect

from activities import services
from activities.models import Attendance
from tests.browser.conftest import CHROMIUM, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _camera_file(path, text: str) -> str:
    """A Y4M clip of the QR code, for Chromium's fake camera (--use-file-for-fake-video-capture)."""
    matrix = np.array(segno.make(text, error="m").matrix, dtype=np.uint8)
    scale = max(1, 400 // (matrix.shape[0] + 8))
    code = np.kron(np.pad(matrix, 4), np.ones((scale, scale), dtype=np.uint8))
    width, height = 640, 480
    y = np.full((height, width), 235, dtype=np.uint8)
    top, left = (height - code.shape[0]) // 2, (width - code.shape[1]) // 2
    y[top:top + code.shape[0], left:left + code.shape[1]] = np.where(code == 1, 16, 235)
    chroma = np.full((height // 2) * (width // 2), 128, dtype=np.uint8).tobytes()
    with open(path, "wb") as f:
        f.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(10):
            f.write(b"FRAME\n" + y.tobytes() + chroma + chroma)
    return str(path)


def test_check_in_by_qr_code_on_a_phone(users, tree, live_server, tmp_path):
    from playwright.sync_api import sync_playwright

    by = users["hz_staff"]
    activity = services.create_activity(by=by, org=tree["hz"], kind="training", title="跨境电商培训班",
                                        start=dt.date.today())
    scanned = services.register(by=by, activity=activity, name="扫码学员")
    ticked = services.register(by=by, activity=activity, name="勾选学员")
    camera = _camera_file(tmp_path / "qr.y4m", services.checkin_token(scanned))
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
                  "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                  f"--use-file-for-fake-video-capture={camera}"])
        context = browser.new_context(base_url=live_server.url.replace("127.0.0.1", "localhost"), locale="zh-CN",
                                      viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                      device_scale_factor=2)
        context.grant_permissions(["camera"])
        page = context.new_page()
        page.set_default_timeout(15_000)
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        log_in(page, "hz_staff", "pw-hz_staff-123")
        page.goto(f"/activities/{activity.pk}/checkin/")
        expect(page.locator("#checkin-count")).to_have_text("0")
        page.click("#camera-start")
        expect(page.locator("#checkin-result")).to_contain_text("扫码学员 签到成功")
        expect(page.locator("#checkin-count")).to_have_text("1")
        page.locator("#checkin-list li", has_text="勾选学员").get_by_role("button").click()
        expect(page.locator("#checkin-count")).to_have_text("2")
        assert not [e for e in errors if "Content Security Policy" in e], errors
        browser.close()
    assert set(Attendance.objects.filter(session__activity=activity).values_list("registration__name", flat=True)) \
        == {scanned.name, ticked.name}
    activity.refresh_from_db()
    assert (activity.participants, activity.person_times) == (2, 2)
