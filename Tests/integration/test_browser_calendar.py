"""The calendar's pages in a real browser (Debian's headless Chromium): the public
meeting-request form in the investor's language and zone, and the lobby — the investor
waits on their page until the officer admits them from the console."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from selenium.webdriver.support.ui import Select

from browser import console_errors, element, new_browser, screenshot, wait_until
from harness import officer, run


def test_an_investor_requests_a_meeting_from_the_public_page(server):
    b = new_browser(1280, 900, "ko")
    try:
        b.get(server.url + "request")
        wait_until(lambda: b.find_element("css selector", "html").get_attribute("lang") == "ko", what="the Korean page")
        assert element(b, "#form-title").text == "상담 신청"
        wait_until(lambda: len(Select(element(b, "#topic")).options) > 3, what="the desks as topics")
        groups = [g.get_attribute("label") for g in b.find_elements("css selector", "#topic optgroup")]
        assert groups == ["기관 담당 창구", "경제구역 및 산업단지"], groups
        assert "번돈 경제구역" in [o.text for o in Select(element(b, "#topic")).options]
        Select(element(b, "#topic")).select_by_value("industrial-zones")
        Select(element(b, "#zone")).select_by_value("Asia/Seoul")
        element(b, "#name").send_keys("Kim Ji-woo")
        element(b, "#organisation").send_keys("Hanbit Logistics")
        element(b, "#email").send_keys("kim@hanbit.example")
        day = datetime.now(timezone.utc) + timedelta(days=10)
        # datetime-local takes the wall time typed the browser's way: set it as the page would read it.
        b.execute_script("arguments[0].value = arguments[1]", element(b, "#slot-0"), day.strftime("%Y-%m-%dT10:30"))
        element(b, "#message").send_keys("물류 창고 부지를 찾고 있습니다.")
        element(b, "#submit").click()
        wait_until(lambda: element(b, "#view-done").is_displayed(), what="the thank-you view")
        assert element(b, "#done-title").text == "감사합니다"
        screenshot(b, "request-sent")
        assert console_errors(b) == []
    finally:
        b.quit()
    st, listed, _ = server.http("GET", "/v1/requests", server.officer_token)
    [request] = [r for r in listed["requests"] if r["email"] == "kim@hanbit.example"]
    assert request["language"] == "ko" and request["timeZone"] == "Asia/Seoul" and request["topic"] == "industrial-zones"
    # 10:30 in Seoul (UTC+9) is 01:30 UTC.
    assert request["slots"] == [day.strftime("%Y-%m-%dT01:30:00Z")]


def test_the_investor_waits_in_the_lobby_until_the_officer_admits_them(server):
    s = server.create_session("Lobby in the browser", lobby=True)
    inv = server.create_invite(s["id"], name="Nakamura Aoi", language="ja", organisation="Nakamura Shoji")
    investor = new_browser(1280, 860, "ja")
    staff = new_browser(1400, 900, "vi")
    try:
        investor.get(server.url + "join#" + inv["code"])
        element(investor, "#join-button").click()
        wait_until(lambda: element(investor, "#stop-title").text == "待機室でお待ちください", what="the waiting room")
        assert not element(investor, "#view-stop").get_attribute("class").count("error")
        screenshot(investor, "lobby-waiting")

        staff.get(server.url + "console")
        element(staff, "#token-input").send_keys(server.officer_token)
        element(staff, "#sign-in").click()
        element(staff, f'#session-list [data-session="{s["id"]}"]').click()
        element(staff, '#conn-status[data-state="live"]')
        wait_until(lambda: staff.find_element("css selector", "#lobby-box").is_displayed()
                   and "Nakamura Aoi" in staff.find_element("css selector", "#lobby-box").text,
                   what="the investor in the lobby list")
        box = staff.find_element("css selector", "#lobby-box")
        assert "Nakamura Shoji" in box.text
        screenshot(staff, "lobby-console")
        admit = next(b for b in box.find_elements("css selector", "button") if b.text == "Cho vào")
        admit.click()
        wait_until(lambda: element(investor, "#composer-text").is_displayed(), what="the meeting opened to the investor")
        wait_until(lambda: not staff.find_element("css selector", "#lobby-box").is_displayed(), what="the lobby emptied")
        assert console_errors(investor) == [] and console_errors(staff) == []
    finally:
        investor.quit()
        staff.quit()


def test_an_officer_schedules_a_meeting_and_answers_a_request_from_the_console(server):
    day = (datetime.now(timezone.utc) + timedelta(days=2))
    st, js, _ = server.http("POST", "/v1/requests", None, {
        "name": "Dubois Claire", "organisation": "Dubois Industrie", "email": "claire@dubois.example", "language": "fr",
        "timeZone": "Europe/Paris", "topic": "industrial-zones",
        "slots": [(day + timedelta(days=1)).strftime("%Y-%m-%dT08:00:00Z")], "message": "Un entrepôt de 5 000 m².",
    })
    assert st == 201, js
    request_id = js["id"]
    b = new_browser(1400, 1000, "en")
    try:
        b.get(server.url + "console")
        element(b, "#token-input").send_keys(server.officer_token)
        element(b, "#sign-in").click()
        # A meeting planned from the form appears in the week.
        element(b, "#session-title").send_keys("Planned from the console")
        element(b, "#session-scheduled").click()
        b.execute_script("arguments[0].value = arguments[1]", element(b, "#session-start"), day.strftime("%Y-%m-%dT10:00"))
        Select(element(b, "#session-zone")).select_by_value("Asia/Ho_Chi_Minh")
        element(b, "#session-lobby").click()
        element(b, "#create-session").click()
        wait_until(lambda: "Planned from the console" in b.find_element("css selector", "#week").text
                   or "Planned from the console" in b.find_element("css selector", "#week-range").text
                   or False, what="the planned meeting in the week", timeout=15)
        # The request waits in the queue; accepting it plans the meeting and mails the invitation.
        wait_until(lambda: "Dubois Claire" in b.find_element("css selector", "#requests").text, what="the request")
        item = b.find_element("css selector", f'#requests [data-request="{request_id}"]')
        accept = next(x for x in item.find_elements("css selector", "button") if x.text.startswith("Accept"))
        accept.click()
        wait_until(lambda: not b.find_elements("css selector", f'#requests [data-request="{request_id}"]'),
                   what="the request answered")
        wait_until(lambda: "claire@dubois.example" in b.find_element("css selector", "#outbox-list").text,
                   what="the invitation in the outbox")
        screenshot(b, "console-calendar")
        assert console_errors(b) == []
    finally:
        b.quit()
    st, listed, _ = server.http("GET", "/v1/sessions?status=scheduled", server.officer_token)
    planned = [s for s in listed["sessions"] if s["title"] == "Planned from the console"]
    assert planned and planned[0]["lobby"] is True and planned[0]["timeZone"] == "Asia/Ho_Chi_Minh"
    # 10:00 in Hạ Long (UTC+7) is 03:00 UTC.
    assert planned[0]["startsAt"] == day.strftime("%Y-%m-%dT03:00:00Z")
    st, request, _ = server.http("GET", "/v1/requests?status=accepted", server.officer_token)
    assert [r["id"] for r in request["requests"]] == [request_id]


def test_the_investor_answers_their_invitation_from_their_page(server):
    """A Japanese investor, on the page their link opens, says they cannot attend and asks
    for the transcript by mail at an address of their own; the invitation says so after."""
    start = (datetime.now(timezone.utc) + timedelta(days=3)).replace(hour=1, minute=0, second=0, microsecond=0)
    s = server.create_session("Vân Đồn: đất công nghiệp", startsAt=start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                              endsAt=(start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                              timeZone="Asia/Ho_Chi_Minh")
    inv = server.create_invite(s["id"], name="Sato Kenji", language="ja")  # no address: given by hand
    b = new_browser(1280, 900, "ja")
    try:
        b.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "Asia/Tokyo"})
        b.get(server.url + "join#" + inv["code"])
        wait_until(lambda: element(b, "#invitation").is_displayed(), what="the invitation under the join button")
        assert element(b, "#invitation-title").text == "ご招待について"
        # The time in the reader's zone: 01:00 UTC is 10:00 in Tokyo.
        when = element(b, "#invitation-when").text
        assert when.startswith("日時：") and ("10:00" in when or "10時00分" in when) and "(JST)" in when, when
        element(b, "#invitation-decline").click()
        wait_until(lambda: element(b, "#invitation-attendance").is_displayed(), what="the decline said")
        assert "リマインダーはお送りいたしません" in element(b, "#invitation-attendance").text
        assert element(b, "#invitation-attend").is_displayed()
        assert not b.find_element("css selector", "#invitation-decline").is_displayed()
        assert element(b, "#invitation-status").text == "保存しました。"

        element(b, "#invitation-transcript").click()
        wait_until(lambda: element(b, "#invitation-email").is_displayed(), what="the address field")
        element(b, "#invitation-form button[type=submit]").click()
        wait_until(lambda: element(b, "#invitation-status").text == "面談記録の送付先メールアドレスを入力してください。",
                   what="the address asked for")
        element(b, "#invitation-email").send_keys("kenji@sato.example")
        element(b, "#invitation-form button[type=submit]").click()
        wait_until(lambda: not b.find_element("css selector", "#invitation-email-field").is_displayed(),
                   what="the address kept")
        screenshot(b, "invitation-answers")
        # Joined: the answers sit beside the conversation.
        element(b, "#join-button").click()
        wait_until(lambda: element(b, "#composer-text").is_displayed(), what="the meeting")
        wait_until(lambda: element(b, ".side #invitation").is_displayed(), what="the answers beside the conversation")
        assert element(b, "#invitation-transcript").is_selected()
        assert console_errors(b) == []
    finally:
        b.quit()
    st, js, _ = server.http("GET", "/v1/invitation", inv["code"])
    assert st == 200 and js["attending"] is False and js["transcriptByMail"] is True
    assert js["email"] == "kenji@sato.example"
