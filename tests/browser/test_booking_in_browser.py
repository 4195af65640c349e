"""A client books in a real browser: end to end, a time taken meanwhile, keyboard only, and on
a 375 px wide phone screen."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.browser.conftest import Server, Shots

WEEKDAYS_9_TO_5 = [{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(1, 6)]


def _ok(r: httpx.Response) -> dict[str, Any]:
    assert r.status_code in (200, 201), r.text
    body: dict[str, Any] = r.json()
    return body


def clinic(owner: httpx.Client) -> dict[str, Any]:
    slug = f"harbour-{uuid.uuid4().hex[:8]}"
    loc = _ok(
        owner.post(
            "/v1/locations",
            json={
                "name": "Harbour Physio",
                "time_zone": "Europe/London",
                "address": "1 Quay Street, Bristol",
                "online_booking": True,
                "booking_slug": slug,
            },
        )
    )
    people = [
        _ok(
            owner.post(
                "/v1/staff",
                json={
                    "first_name": first,
                    "last_name": last,
                    "location_ids": [loc["id"]],
                    "working_hours": WEEKDAYS_9_TO_5,
                },
            )
        )
        for first, last in (("Ann", "Lee"), ("Bob", "Stone"))
    ]
    ids = [p["id"] for p in people]
    svc = _ok(
        owner.post(
            "/v1/services",
            json={
                "name": "Physio session",
                "duration_minutes": 45,
                "price": "45.00",
                "currency": "GBP",
                "staff_ids": ids,
            },
        )
    )
    _ok(
        owner.post(
            "/v1/services",
            json={"name": "Sports massage", "duration_minutes": 60, "staff_ids": ids[:1]},
        )
    )
    return {"slug": slug, "location": loc, "ann": people[0], "bob": people[1], "service": svc}


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1024, "height": 800}, locale="en-GB")
    p = context.new_page()
    p.set_default_timeout(15_000)
    yield p
    context.close()


def _fill_details(page: Any) -> None:
    page.get_by_label("First name").fill("Grace")
    page.get_by_label("Last name").fill("Hopper")
    page.get_by_label("E-mail").fill("grace@example.org")
    page.get_by_label("Phone").fill("+44 7700 900123")


def test_a_client_books_end_to_end_and_sees_the_confirmation(
    server: Server, page: Any, shots: Shots
) -> None:
    with server.owner() as owner:
        c = clinic(owner)
        page.goto(f"{server.base_url}/book/{c['slug']}")
        shots(page, "services")
        page.get_by_role("link", name="Physio session").click()
        page.wait_for_url("**/" + str(c["service"]["id"]))
        shots(page, "staff")
        page.get_by_role("link", name="Ann Lee").click()
        page.wait_for_url("**/times?staff=*")
        assert page.get_by_text("Europe/London").count() >= 1
        # A week later: far enough ahead for the account's change cutoff (24 hours).
        page.get_by_role("link", name="Later").click()
        page.wait_for_url("**/times?staff=*&from=*")
        shots(page, "times")
        page.locator("a.slot").first.click()
        page.wait_for_url("**/details?*")
        shots(page, "details")
        _fill_details(page)
        page.get_by_role("button", name="Book this time").click()
        page.locator("#done").wait_for()
        shots(page, "confirmation")
        assert "booked" in page.locator("#done").inner_text()
        assert "Ann Lee" in page.content()
        [appt] = owner.get("/v1/appointments").json()["items"]
        assert appt["source"] == "web" and appt["staff_id"] == c["ann"]["id"]
        # The manage link, opened afresh as from the confirmation e-mail.
        link = page.locator("#manage-link").get_attribute("href")
        assert link == appt["manage_url"]
        page.goto(link)
        assert page.locator("#status").inner_text() == "Confirmed"
        shots(page, "manage")
        page.locator("#reschedule").click()
        page.wait_for_url("**/reschedule")
        shots(page, "reschedule-times")
        page.locator("button.slot").nth(3).click()
        page.locator("#done").wait_for()
        assert "moved" in page.locator("#done").inner_text()
        shots(page, "moved")
        moved = owner.get(f"/v1/appointments/{appt['id']}").json()
        assert moved["start"] != appt["start"] and moved["status"] == "confirmed"
        page.get_by_label("Reason").fill("Something came up")
        page.get_by_role("button", name="Cancel this appointment").click()
        page.locator("#done").wait_for()
        shots(page, "cancelled")
        assert page.locator("#status").inner_text() == "Cancelled"
        assert page.locator("#read-only").count() == 1
        gone = owner.get(f"/v1/appointments/{appt['id']}").json()
        assert gone["status"] == "cancelled"


def test_a_time_taken_in_between_offers_the_next_free_times(
    server: Server, page: Any, shots: Shots
) -> None:
    with server.owner() as owner:
        c = clinic(owner)
        page.goto(
            f"{server.base_url}/book/{c['slug']}/{c['service']['id']}/times?staff={c['bob']['id']}"
        )
        page.locator("a.slot").first.click()
        page.wait_for_url("**/details?*")
        _fill_details(page)
        slot = page.locator("input[name=slot]").input_value()
        client = _ok(
            owner.post("/v1/clients", json={"first_name": "Other", "email": "o@example.org"})
        )
        _ok(
            owner.post(
                "/v1/appointments",
                json={
                    "location_id": c["location"]["id"],
                    "service_id": c["service"]["id"],
                    "staff_id": c["bob"]["id"],
                    "client_id": client["id"],
                    "start": slot,
                },
            )
        )
        page.get_by_role("button", name="Book this time").click()
        page.locator("#taken").wait_for()
        shots(page, "taken")
        assert page.get_by_label("E-mail").input_value() == "grace@example.org"
        page.locator("input[name=slot]").first.check()
        page.get_by_role("button", name="Book this time").click()
        page.locator("#done").wait_for()
        shots(page, "booked-instead")
        assert len(owner.get("/v1/appointments").json()["items"]) == 2


def _tab_to(page: Any, test: str, limit: int = 60) -> None:
    """Press Tab until the focused element satisfies the JavaScript expression ``test``
    (about ``el``); fails after ``limit`` presses."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return !!({test}); }})()"):
            return
    raise AssertionError(f"never focused: {test}")


def test_a_client_books_with_the_keyboard_alone(server: Server, page: Any, shots: Shots) -> None:
    with server.owner() as owner:
        c = clinic(owner)
        page.goto(f"{server.base_url}/book/{c['slug']}")
        _tab_to(page, "el.textContent.includes('Physio session')")
        shots(page, "focus-service")
        page.keyboard.press("Enter")
        page.wait_for_url("**/" + str(c["service"]["id"]))
        _tab_to(page, "el.textContent.includes('Anyone available')")
        page.keyboard.press("Enter")
        page.wait_for_url("**/times?staff=any")
        _tab_to(page, "el.classList.contains('slot')")
        shots(page, "focus-slot")
        page.keyboard.press("Enter")
        page.wait_for_url("**/details?*")
        for field, text in (
            ("first_name", "Grace"),
            ("last_name", "Hopper"),
            ("email", "grace@example.org"),
        ):
            _tab_to(page, f"el.name === '{field}'")
            page.keyboard.type(text)
        _tab_to(page, "el.type === 'submit'")
        shots(page, "focus-submit")
        page.keyboard.press("Enter")
        page.locator("#done").wait_for()
        shots(page, "booked")
        assert len(owner.get("/v1/appointments").json()["items"]) == 1


def test_every_step_fits_a_375_px_wide_phone_screen(
    server: Server, browser: Any, shots: Shots
) -> None:
    context = browser.new_context(
        viewport={"width": 375, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        timezone_id="America/New_York",
    )
    page = context.new_page()
    page.set_default_timeout(15_000)

    def fits(step: str) -> None:
        shots(page, step)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{step} is {width} px wide"

    try:
        with server.owner() as owner:
            c = clinic(owner)
            page.goto(f"{server.base_url}/book/{c['slug']}")
            fits("services")
            page.get_by_role("link", name="Physio session").click()
            page.wait_for_url("**/" + str(c["service"]["id"]))
            fits("staff")
            page.get_by_role("link", name="Anyone available").click()
            page.wait_for_url("**/times?*")
            # The visitor is in New York: each time also shows in their own zone.
            assert "your time" in page.locator("a.slot").first.inner_text()
            assert "America/New_York" in page.content()
            fits("times")
            page.locator("a.slot").first.click()
            page.wait_for_url("**/details?*")
            fits("details")
            page.get_by_label("E-mail").fill("not an address")
            page.get_by_role("button", name="Book this time").click()
            page.locator("#problems").wait_for()
            fits("errors")
            _fill_details(page)
            page.get_by_role("button", name="Book this time").click()
            page.locator("#done").wait_for()
            fits("confirmation")
    finally:
        context.close()
