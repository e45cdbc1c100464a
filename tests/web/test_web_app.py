"""The web app in real headless Chromium against `smarthabit api` on PostgreSQL and on SQLite."""

from __future__ import annotations

import itertools
import re
import uuid

from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Page, expect

from tests.web.conftest import (
    DARK_THEME,
    PASSWORD,
    Stack,
    launch_fragment,
    sign_init_data,
    telegram_fields,
)

_telegram_ids = itertools.count(int(uuid.uuid4().int % 10**9) + 10**9)
AXE = Axe()


def email() -> str:
    return f"web-{uuid.uuid4().hex[:12]}@example.com"


async def sign_in(page: Page, stack: Stack, address: str, path: str = "/app/") -> None:
    """Browser login with email and password."""
    await page.goto(stack.url + path)
    await page.get_by_label("Email").fill(address)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()


async def serious_violations(page: Page) -> list[str]:
    results = await AXE.run(page)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)" for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")]


async def test_mini_app_signs_in_with_signed_init_data(stack: Stack, page: Page) -> None:
    user_id = next(_telegram_ids)
    init_data = sign_init_data(telegram_fields(user_id, "Grace"))
    await page.goto(f"{stack.url}/app/#{launch_fragment(init_data)}")
    await expect(page.get_by_role("heading", level=1, name=re.compile("^Today"))).to_be_visible()
    await expect(page.get_by_text("No habits yet")).to_be_visible()
    assert "tgWebAppData" not in page.url  # the launch data leaves the address bar
    # The same account as the chat: /start would have made it, the API finds it.
    tokens = await page.evaluate("JSON.parse(sessionStorage.getItem('smarthabit.tokens'))")
    me = await stack.call("GET", "/users/me", tokens["access"])
    assert me["telegram_linked"] and me["display_name"] == "Grace"
    assert await page.evaluate("document.cookie") == ""  # tokens never in a cookie


async def test_forged_init_data_is_refused(stack: Stack, page: Page) -> None:
    fields = telegram_fields(next(_telegram_ids))
    forged = sign_init_data(fields, bot_token="777001:someone-elses-token")
    await page.goto(f"{stack.url}/app/#{launch_fragment(forged)}")
    await expect(page.get_by_role("alert")).to_contain_text("Telegram could not confirm who you are")
    await expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert await page.evaluate("sessionStorage.getItem('smarthabit.tokens')") is None
    # A signed string with a changed user is refused by the API as well.
    tampered = sign_init_data(fields).replace("Ada", "Eve")
    async with stack.http.post(stack.url + "/auth/telegram", json={"init_data": tampered}) as response:
        assert response.status == 401


async def test_dark_theme_and_back_button_from_telegram(stack: Stack, page: Page) -> None:
    events: list[str] = []
    await page.expose_function("recordTelegramEvent", lambda name, data: events.append(f"{name} {data}"))
    await page.add_init_script("window.TelegramWebviewProxy = {postEvent: (n, d) => window.recordTelegramEvent(n, d)}")
    init_data = sign_init_data(telegram_fields(next(_telegram_ids)))
    await page.goto(f"{stack.url}/app/#{launch_fragment(init_data, DARK_THEME)}")
    await expect(page.get_by_role("heading", level=1, name=re.compile("^Today"))).to_be_visible()
    assert await page.evaluate("document.documentElement.dataset.theme") == "dark"
    background = await page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(14, 22, 33)"  # the theme's secondary_bg_color
    await page.get_by_role("link", name="Week").click()
    await expect(page.get_by_role("heading", level=1, name=re.compile("^This week"))).to_be_visible()
    assert 'web_app_setup_back_button {"is_visible":true}' in events
    await page.evaluate("window.Telegram.WebView.receiveEvent('back_button_pressed', null)")
    await expect(page.get_by_role("heading", level=1, name=re.compile("^Today"))).to_be_visible()
    assert events[-1] == 'web_app_setup_back_button {"is_visible":false}'
    assert "web_app_ready {}" in events
    assert await serious_violations(page) == []
    # The person switches Telegram to its light theme while the app is open.
    await page.evaluate("""window.Telegram.WebView.receiveEvent('theme_changed',
        {theme_params: {bg_color: '#ffffff', secondary_bg_color: '#f0f0f0', text_color: '#000000'}})""")
    assert await page.evaluate("document.documentElement.dataset.theme") == "light"
    assert await page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(240, 240, 240)"


async def test_check_in_and_undo_update_heatmap_and_streak(stack: Stack, page: Page) -> None:
    address = email()
    token = await stack.account(address)
    habit = await stack.habit(token, "Read")
    await sign_in(page, stack, address)
    card = page.locator(f'li[data-habit="{habit["id"]}"]')
    await expect(page.get_by_text("0 of 1 done")).to_be_visible()
    await card.get_by_label("Note for Read").fill("Two chapters")
    await card.get_by_role("button", name="Check in Read").click()
    await expect(page.get_by_text("1 of 1 done")).to_be_visible()
    await expect(card).to_have_attribute("data-done", "yes")

    await card.get_by_role("link", name="Read").click()
    await expect(page.get_by_role("heading", level=1, name="Read")).to_be_visible()
    await expect(page.locator("#current-streak")).to_have_text("1 day")
    today = habit["today"]
    await expect(page.locator(f'rect[data-day="{today}"]')).to_have_attribute("data-state", "done")
    await expect(page.get_by_role("region", name="Notes")).to_contain_text("Two chapters")

    await page.go_back()
    await page.locator(f'li[data-habit="{habit["id"]}"]').get_by_role("button", name="Undo Read").click()
    await expect(page.get_by_text("0 of 1 done")).to_be_visible()
    await page.get_by_role("link", name="Read").click()
    await expect(page.locator("#current-streak")).to_have_text("0 days")
    await expect(page.locator(f'rect[data-day="{today}"]')).to_have_attribute("data-state", "open")


async def test_measurable_habit_takes_an_amount(stack: Stack, page: Page) -> None:
    address = email()
    token = await stack.account(address)
    habit = await stack.habit(token, "Water", kind="measurable", target=8, unit="glasses")
    await sign_in(page, stack, address)
    card = page.locator(f'li[data-habit="{habit["id"]}"]')
    await card.get_by_label("Amount for Water in glasses").fill("5")
    await card.get_by_role("button", name="Check in Water").click()
    await expect(card).to_contain_text("Partly done (5 glasses)")  # 5 of 8: recorded, short of the target
    await card.get_by_role("link", name="Water").click()
    await expect(page.locator(f'rect[data-day="{habit["today"]}"]')).to_have_attribute("data-state", "partial")


async def test_edit_pause_archive_and_delete_a_habit(stack: Stack, page: Page) -> None:
    address = email()
    token = await stack.account(address)
    habit = await stack.habit(token, "Run")
    await sign_in(page, stack, address, f"/app/habit/{habit['id']}")
    await expect(page.get_by_role("heading", level=1, name="Run")).to_be_visible()

    await page.get_by_label("Name").fill("Morning run")
    await page.get_by_label("Schedule").select_option("weekdays")
    await page.get_by_role("checkbox", name="Sat").check()
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("heading", level=1, name="Morning run")).to_be_visible()
    stored = await stack.call("GET", f"/habits/{habit['id']}", token)
    assert stored["name"] == "Morning run" and stored["schedule"] == {"kind": "weekdays", "weekdays": [5],
                                                                     "times_per_week": None}

    await page.get_by_label("Schedule").select_option("daily")
    await page.get_by_role("button", name="Save").click()
    await expect(page.locator("p.meta")).to_have_text("Every day")
    await page.locator("form.pause").get_by_role("button", name="Pause").click()
    await expect(page.locator(".badge", has_text="Paused")).to_be_visible()
    await expect(page.locator(f'rect[data-day="{habit["today"]}"]')).to_have_attribute("data-state", "paused")
    await page.get_by_role("button", name="Resume").click()
    await expect(page.locator(".badge", has_text="Paused")).to_have_count(0)

    await page.get_by_role("button", name="Archive").click()
    await expect(page.locator(".badge", has_text="Archived")).to_be_visible()
    assert (await stack.call("GET", f"/habits/{habit['id']}", token))["archived_at"] is not None
    await page.get_by_role("link", name="Today").click()
    await expect(page.get_by_text("No habits yet")).to_be_visible()

    await page.go_back()
    page.once("dialog", lambda dialog: dialog.accept())  # "Delete … and all its history?"
    await page.get_by_role("button", name="Delete").click()
    await expect(page.get_by_role("heading", level=1, name=re.compile("^Today"))).to_be_visible()
    async with stack.http.get(f"{stack.url}/habits/{habit['id']}",
                              headers={"Authorization": f"Bearer {token}"}) as response:
        assert response.status == 404


async def test_wrong_password_is_refused(stack: Stack, page: Page) -> None:
    address = email()
    await stack.account(address)
    await page.goto(stack.url + "/app/")
    await page.get_by_label("Email").fill(address)
    await page.get_by_label("Password").fill("not the password")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")


async def test_settings_change_time_zone_quiet_hours_and_nudges(stack: Stack, page: Page) -> None:
    address = email()
    token = await stack.account(address)
    await sign_in(page, stack, address, "/app/settings")
    await expect(page.get_by_role("heading", level=1, name="Settings")).to_be_visible()
    await page.get_by_label("Language of the bot's messages").select_option("de")
    await page.get_by_label("Time zone").select_option("Asia/Tokyo")
    await page.get_by_label("Nudges when a habit is likely to be skipped").uncheck()
    await page.get_by_label("Quiet hours (no messages)").check()
    await page.get_by_label("From").fill("22:30")
    await page.get_by_label("Until").fill("06:45")
    await page.get_by_label("Send reminders due in quiet hours when they end").uncheck()
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("status")).to_have_text("Settings saved")
    me = await stack.call("GET", "/users/me", token)
    assert (me["timezone"], me["nudges_enabled"], me["reminders_enabled"]) == ("Asia/Tokyo", False, True)
    assert (me["quiet_start"], me["quiet_end"]) == ("22:30:00", "06:45:00")
    assert (me["language"], me["quiet_reminders_later"]) == ("de", False)
    await page.reload()  # what is saved is what the page shows next time
    await expect(page.get_by_label("Language of the bot's messages")).to_have_value("de")
    await expect(page.get_by_label("Send reminders due in quiet hours when they end")).not_to_be_checked()


async def test_check_in_and_undo_by_keyboard(stack: Stack, page: Page) -> None:
    address = email()
    token = await stack.account(address)
    await stack.habit(token, "Floss")
    await sign_in(page, stack, address)
    await expect(page.get_by_text("0 of 1 done")).to_be_visible()
    await page.get_by_label("Note for Floss").focus()
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.getAttribute('aria-label')") == "Check in Floss"
    await page.keyboard.press("Enter")
    await expect(page.get_by_text("1 of 1 done")).to_be_visible()
    # The list is redrawn; focus lands on the same habit's button, now "Undo".
    await expect(page.get_by_role("button", name="Undo Floss")).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page.get_by_text("0 of 1 done")).to_be_visible()
    await expect(page.get_by_role("button", name="Check in Floss")).to_be_focused()
