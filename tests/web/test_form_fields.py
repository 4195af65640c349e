"""The account's form fields on the booking form: asked, checked by the core, stored."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from appointd.domain.model import FieldType, FormField
from appointd.store.uow import UnitOfWork
from tests.conftest import Api
from tests.web.conftest import bookable_clinic, csrf_of, next_weekday, slot_of


def _field(owner: Api, **values: Any) -> int:
    now = datetime.now(UTC)
    with UnitOfWork(owner.db.engine, owner.account_id) as uow:
        field = FormField(
            id=0, account_id=owner.account_id, created_at=now, updated_at=now, **values
        )
        new_id = uow.form_fields.add(field)
        uow.commit()
    return new_id


def test_the_services_questions_are_asked_checked_and_kept(owner: Api, web: TestClient) -> None:
    c = bookable_clinic(owner)
    reason = _field(owner, label="Reason for your visit", required=True, position=1)
    heard = _field(
        owner,
        label="How did you hear of us?",
        type=FieldType.SELECT,
        options=["A friend", "The web"],
        position=2,
    )
    other = _field(owner, label="Only for massages", service_ids=[c["service"]["id"] + 999])
    slot = slot_of(next_weekday(2), "11:00")
    path = f"/book/{c['slug']}/{c['service']['id']}/details"
    page = web.get(path, params={"staff": "any", "slot": slot})
    assert "Reason for your visit" in page.text and "How did you hear of us?" in page.text
    assert f'name="q{other}"' not in page.text
    form = {
        "csrf": csrf_of(page.text),
        "staff": "any",
        "slot": slot,
        "first_name": "Grace",
        "email": "grace@example.org",
        f"q{heard}": "A magazine",
    }
    r = web.post(path, data=form)
    assert r.status_code == 422
    assert f'id="e-q{reason}"' in r.text and "Please answer this question." in r.text
    assert f'id="e-q{heard}"' in r.text
    assert owner.get("/v1/appointments").json()["items"] == []
    r = web.post(path, data={**form, f"q{reason}": "Sore knee", f"q{heard}": "The web"})
    assert r.status_code == 303, r.text
    [appt] = owner.get("/v1/appointments").json()["items"]
    answers = {a["field_id"]: a.get("value") for a in appt["form"]}
    assert answers == {reason: "Sore knee", heard: "The web"}
