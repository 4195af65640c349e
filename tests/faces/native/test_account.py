"""GET/PATCH /v1/account: the account's defaults, shown, changed and validated."""

from __future__ import annotations

import pytest

from appointd.store.uow import UnitOfWork
from tests.conftest import Api


def test_the_account_shows_its_defaults(api: Api) -> None:
    answer = api.get("/v1/account")
    assert answer.status_code == 200
    body = answer.json()
    assert body["id"] == api.account_id and body["name"] == "Account A"
    assert body["min_notice_minutes"] == api.db.settings.default_min_notice_minutes
    assert body["max_advance_days"] == api.db.settings.default_max_advance_days
    assert body["default_reminders"] == []
    assert body["notify_defaults"] == {"client": True, "staff": True}
    assert body["time_zone"] == "UTC"


def test_a_patch_changes_only_what_it_sends_and_the_dispatcher_reads_the_same_keys(
    api: Api,
) -> None:
    reminders = [{"channel": "sms", "to": "client", "minutes_before": 120}]
    answer = api.patch(
        "/v1/account",
        json={
            "min_notice_minutes": 60,
            "default_reminders": reminders,
            "notify_defaults": {"client": True, "staff": False},
            "time_zone": "Europe/Berlin",
        },
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["min_notice_minutes"] == 60
    assert body["max_advance_days"] == api.db.settings.default_max_advance_days
    assert body["default_reminders"] == reminders
    assert body["notify_defaults"] == {"client": True, "staff": False}
    assert body["time_zone"] == "Europe/Berlin"
    assert api.get("/v1/account").json() == body
    with UnitOfWork(api.db.engine, None, write=False) as uow:
        doc = uow.accounts.settings_of(api.account_id)
        account = uow.accounts.get(api.account_id)
    assert doc["default_reminders"] == reminders
    assert doc["notify_defaults"] == {"client": True, "staff": False}
    assert account is not None and account.default_min_notice_minutes == 60


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"min_notice_minutes": -1}, "min_notice_minutes"),
        ({"max_advance_days": 0}, "max_advance_days"),
        ({"max_advance_days": "30"}, "max_advance_days"),
        (
            {"default_reminders": [{"channel": "fax", "to": "client", "minutes_before": 5}]},
            "default_reminders[0].channel",
        ),
        (
            {"default_reminders": [{"channel": "sms", "to": "client", "minutes_before": -5}]},
            "default_reminders[0].minutes_before",
        ),
        ({"notify_defaults": {"client": "yes"}}, "notify_defaults.client"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_an_invalid_setting_is_422_naming_the_field_and_writes_nothing(
    api: Api, body: dict[str, object], field: str
) -> None:
    before = api.get("/v1/account").json()
    answer = api.patch("/v1/account", json={**body, "min_notice_minutes": 5} | body)
    assert answer.status_code == 422, answer.text
    assert field in {e["field"] for e in answer.json()["errors"]}
    assert api.get("/v1/account").json() == before


def test_one_account_never_sees_or_changes_another(api: Api, other_api: Api) -> None:
    api.patch("/v1/account", json={"min_notice_minutes": 30})
    assert other_api.get("/v1/account").json()["id"] == other_api.account_id
    assert other_api.get("/v1/account").json()["min_notice_minutes"] != 30
    assert api.client.get("/v1/account").status_code == 401


def test_the_client_change_cutoff_is_set_here_and_read_by_the_manage_pages(api: Api) -> None:
    from appointd.app.client_changes import DEFAULT_CUTOFF_HOURS

    assert api.get("/v1/account").json()["client_change_cutoff_hours"] == DEFAULT_CUTOFF_HOURS
    answer = api.patch("/v1/account", json={"client_change_cutoff_hours": 2})
    assert answer.status_code == 200, answer.text
    assert answer.json()["client_change_cutoff_hours"] == 2
    with UnitOfWork(api.db.engine, api.account_id, write=False) as uow:
        assert uow.public.client_change_cutoff_hours(DEFAULT_CUTOFF_HOURS) == 2
    refused = api.patch("/v1/account", json={"client_change_cutoff_hours": -1})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"].endswith("client_change_cutoff_hours")
    assert api.get("/v1/account").json()["client_change_cutoff_hours"] == 2
