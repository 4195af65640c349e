"""The public booking pages over HTTP: what they show, what they book, what they refuse."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi.testclient import TestClient

from tests.conftest import Api, new_api
from tests.factories import create_client, create_location, create_service, create_staff
from tests.web.conftest import ClientFactory, bookable_clinic, csrf_of, next_weekday, slot_of


def _appointments(owner: Api) -> list[dict]:  # type: ignore[type-arg]
    r = owner.get("/v1/appointments")
    assert r.status_code == 200, r.text
    items: list[dict] = r.json()["items"]  # type: ignore[type-arg]
    return items


def _details(web: TestClient, c: dict, staff: str, slot: str) -> str:  # type: ignore[type-arg]
    r = web.get(
        f"/book/{c['slug']}/{c['service']['id']}/details", params={"staff": staff, "slot": slot}
    )
    assert r.status_code == 200, r.text
    return r.text


def _post(web: TestClient, c: dict, **fields: str) -> object:  # type: ignore[type-arg]
    return web.post(f"/book/{c['slug']}/{c['service']['id']}/details", data=fields)


def _good(csrf: str, slot: str, staff: str = "any", **more: str) -> dict[str, str]:
    return {
        "csrf": csrf,
        "staff": staff,
        "slot": slot,
        "first_name": "Grace",
        "last_name": "Hopper",
        "email": "grace@example.org",
        "phone": "+44 7700 900123",
        **more,
    }


def test_turning_online_booking_on_needs_a_valid_slug_unique_across_accounts(
    owner: Api, web: TestClient, db: object
) -> None:
    loc = create_location(owner)
    path = f"/v1/locations/{loc['id']}"
    r = owner.patch(path, json={"online_booking": True})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "booking_slug"
    r = owner.patch(path, json={"online_booking": True, "booking_slug": "Not A Slug!"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "booking_slug"
    c = bookable_clinic(owner)
    other = new_api(web, owner.db, "Other")
    theirs = create_location(other)
    r = other.patch(f"/v1/locations/{theirs['id']}", json={"booking_slug": c["slug"]})
    assert r.status_code == 422 and "taken" in r.json()["errors"][0]["message"]
    got = owner.get(path).json()
    assert got["online_booking"] is False and got["booking_slug"] is None


def test_the_booking_page_lists_services_with_duration_and_price(
    owner: Api, web: TestClient
) -> None:
    c = bookable_clinic(owner)
    r = web.get(f"/book/{c['slug']}")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "Physio session" in r.text and "30 min" in r.text and "45.00 GBP" in r.text
    assert "1 Quay Street, Bristol" in r.text


def test_an_unknown_switched_off_or_archived_booking_page_is_a_plain_404_page(
    owner: Api, web: TestClient
) -> None:
    assert web.get("/book/no-such-page").status_code == 404
    c = bookable_clinic(owner)
    owner.patch(f"/v1/locations/{c['location']['id']}", json={"online_booking": False})
    r = web.get(f"/book/{c['slug']}")
    assert r.status_code == 404 and "Page not found" in r.text
    assert r.headers["content-type"].startswith("text/html")


def test_staff_who_offer_the_service_are_offered_with_anyone(owner: Api, web: TestClient) -> None:
    c = bookable_clinic(owner)
    r = web.get(f"/book/{c['slug']}/{c['service']['id']}")
    assert r.status_code == 200
    assert "Anyone available" in r.text and "Ann Lee" in r.text and "Bob Stone" in r.text


def test_a_week_of_free_times_is_shown_in_the_location_zone(owner: Api, web: TestClient) -> None:
    c = bookable_clinic(owner)
    monday = next_weekday(1)
    r = web.get(
        f"/book/{c['slug']}/{c['service']['id']}/times",
        params={"staff": c["ann"]["id"], "from": monday.isoformat()},
    )
    assert r.status_code == 200
    assert "Europe/London" in r.text
    assert monday.strftime("%A %-d %B") in r.text
    assert r.text.count('class="slot"') == 5 * 16  # Mon-Fri, 09:00-17:00 in 30 minutes
    assert urlencode({"slot": slot_of(monday, "09:00")}) in r.text


def test_a_client_books_an_offered_time_and_gets_an_ordinary_web_appointment(
    owner: Api, web: TestClient
) -> None:
    c = bookable_clinic(owner)
    day = next_weekday(2)
    slot = slot_of(day, "10:00")
    html = _details(web, c, str(c["bob"]["id"]), slot)
    r = _post(web, c, **_good(csrf_of(html), slot, str(c["bob"]["id"])))
    assert r.status_code in (200, 303), r.text  # type: ignore[attr-defined]
    [appt] = _appointments(owner)
    assert appt["staff_id"] == c["bob"]["id"] and appt["status"] == "confirmed"
    assert appt["source"] == "web"
    assert appt["start"].startswith(f"{day.isoformat()}T") or appt["start"].endswith("Z")
    history = owner.get(f"/v1/appointments/{appt['id']}/history").json()
    entries = history["items"] if isinstance(history, dict) else history
    assert entries[0]["actor"] == "client" and entries[0]["source"] == "web"
    client = owner.get(f"/v1/clients/{appt['client_id']}").json()
    assert (client["first_name"], client["email"]) == ("Grace", "grace@example.org")


def test_a_second_booking_with_the_same_email_reuses_the_client(
    owner: Api, web: TestClient
) -> None:
    c = bookable_clinic(owner)
    day = next_weekday(3)
    for hh in ("09:00", "11:00"):
        slot = slot_of(day, hh)
        html = _details(web, c, "any", slot)
        extra = {"email": "GRACE@example.org"} if hh == "11:00" else {}
        r = _post(web, c, **_good(csrf_of(html), slot, **extra))
        assert r.status_code in (200, 303)  # type: ignore[attr-defined]
    appts = _appointments(owner)
    assert len(appts) == 2 and appts[0]["client_id"] == appts[1]["client_id"]


def test_a_post_without_the_csrf_field_or_cookie_is_refused_and_books_nothing(
    owner: Api, web: TestClient, make_client: ClientFactory
) -> None:
    c = bookable_clinic(owner)
    slot = slot_of(next_weekday(2), "10:00")
    html = _details(web, c, "any", slot)
    good = _good(csrf_of(html), slot)
    r = _post(web, c, **{**good, "csrf": ""})
    assert r.status_code == 403 and "expired" in r.text  # type: ignore[attr-defined]
    r = _post(web, c, **{**good, "csrf": "x" * 43})
    assert r.status_code == 403  # type: ignore[attr-defined]
    stranger = make_client()  # another browser: no cookie, a copied field
    r = _post(stranger, c, **good)
    assert r.status_code == 403  # type: ignore[attr-defined]
    assert _appointments(owner) == []


def test_bad_input_is_shown_next_to_its_field_and_books_nothing(
    owner: Api, web: TestClient
) -> None:
    c = bookable_clinic(owner)
    slot = slot_of(next_weekday(2), "10:00")
    csrf = csrf_of(_details(web, c, "any", slot))
    r = _post(web, c, **_good(csrf, slot, email="not-an-email", first_name=""))
    assert r.status_code == 422  # type: ignore[attr-defined]
    text = r.text  # type: ignore[attr-defined]
    assert 'id="e-email"' in text and 'id="e-first_name"' in text
    assert 'value="not-an-email"' in text  # what the client typed is kept
    assert 'aria-invalid="true"' in text
    r = _post(web, c, **_good(csrf, slot, email=""))
    assert r.status_code == 422 and 'id="e-email"' in r.text  # type: ignore[attr-defined]
    r = _post(web, c, **_good(csrf, slot, phone="9" * 65))
    assert r.status_code == 422 and 'id="e-phone"' in r.text  # type: ignore[attr-defined]
    assert _appointments(owner) == []


def test_a_time_that_is_not_offered_or_a_tampered_field_is_refused_on_the_form(
    owner: Api, web: TestClient
) -> None:
    c = bookable_clinic(owner)
    day = next_weekday(2)
    good = slot_of(day, "10:00")
    csrf = csrf_of(_details(web, c, "any", good))
    for slot in (slot_of(day, "10:10"), slot_of(day, "20:00"), "yesterday", good + "~12"):
        r = _post(web, c, **_good(csrf, slot))
        assert r.status_code == 422, slot  # type: ignore[attr-defined]
        assert 'id="e-slot"' in r.text  # type: ignore[attr-defined]
    r = _post(web, c, **_good(csrf, good, staff="999999"))
    assert r.status_code == 422  # type: ignore[attr-defined]
    assert _appointments(owner) == []


def test_a_huge_body_is_refused_on_the_form_and_books_nothing(owner: Api, web: TestClient) -> None:
    c = bookable_clinic(owner)
    slot = slot_of(next_weekday(2), "10:00")
    csrf = csrf_of(_details(web, c, "any", slot))
    r = _post(web, c, **_good(csrf, slot, notes="x" * 100_000))
    assert r.status_code == 413 and "too much data" in r.text  # type: ignore[attr-defined]
    assert _appointments(owner) == []


def test_a_time_taken_meanwhile_is_refused_kindly_with_the_next_free_times(
    owner: Api, web: TestClient
) -> None:
    c = bookable_clinic(owner)
    day = next_weekday(4)
    slot = slot_of(day, "10:00")
    csrf = csrf_of(_details(web, c, str(c["ann"]["id"]), slot))
    # Someone else takes Ann's 10:00 after the page was shown.
    someone = create_client(owner, email="someone@example.org")
    r = owner.post(
        "/v1/appointments",
        json={
            "location_id": c["location"]["id"],
            "service_id": c["service"]["id"],
            "staff_id": c["ann"]["id"],
            "client_id": someone["id"],
            "start": f"{day.isoformat()}T10:00:00",
        },
    )
    assert r.status_code == 201, r.text
    r = _post(web, c, **_good(csrf, slot, str(c["ann"]["id"])))
    assert r.status_code == 409  # type: ignore[attr-defined]
    text = r.text  # type: ignore[attr-defined]
    assert "just booked by someone else" in text
    assert 'name="slot" value="' + slot_of(day, "10:30") in text
    assert 'value="grace@example.org"' in text
    assert len(_appointments(owner)) == 1


def test_another_accounts_services_and_staff_are_never_shown_on_a_page(
    owner: Api, web: TestClient
) -> None:
    c = bookable_clinic(owner)
    other = new_api(web, owner.db, "Other")
    loc = create_location(other)
    theirs = create_staff(other, loc, first_name="Zed", last_name="Other")
    svc = create_service(other, name="Secret service", staff_ids=[theirs["id"]])
    assert "Secret service" not in web.get(f"/book/{c['slug']}").text
    assert web.get(f"/book/{c['slug']}/{svc['id']}").status_code == 404
    assert web.get(f"/book/{c['slug']}/{svc['id']}/times").status_code == 404
    r = web.get(f"/book/{c['slug']}/{c['service']['id']}/times", params={"staff": theirs["id"]})
    assert r.status_code == 404
    assert "Zed" not in web.get(f"/book/{c['slug']}/{c['service']['id']}").text


def test_page_views_and_posts_over_the_limit_get_a_429_page(
    owner: Api, make_client: ClientFactory
) -> None:
    limited = make_client(public_views_per_minute=3, public_posts_per_minute=1)
    c = bookable_clinic(owner)
    codes = [limited.get(f"/book/{c['slug']}").status_code for _ in range(4)]
    assert codes[:3] == [200, 200, 200]
    assert codes[3] == 429
    r = limited.get(f"/book/{c['slug']}")
    assert r.status_code == 429 and "Too many requests" in r.text
    assert int(r.headers["retry-after"]) >= 1
    path = f"/book/{c['slug']}/{c['service']['id']}/details"
    assert [limited.post(path, data={}).status_code for _ in range(2)] == [403, 429]
