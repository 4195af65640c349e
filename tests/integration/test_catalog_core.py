"""The catalog use cases called directly, as a face other than /v1 would call them."""

import pytest

from appointd.app import catalog
from appointd.domain.errors import Invalid


def test_the_core_names_missing_and_unknown_fields_instead_of_failing(api):
    ctx = api.context()
    with pytest.raises(Invalid) as missing:
        catalog.create(ctx, "services", {"name": "Massage"})
    assert [e.field for e in missing.value.errors] == ["duration_minutes"]
    with pytest.raises(Invalid) as unknown:
        catalog.create(ctx, "clients", {"first_name": "Ada", "shoe_size": 38})
    assert [e.field for e in unknown.value.errors] == ["shoe_size"]
    staff = catalog.create(ctx, "staff", {"first_name": "Ana", "time_zone": "Europe/Paris"})
    assert staff.last_name == ""
