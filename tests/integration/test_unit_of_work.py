"""The unit of work: rollback by default, and the database's overlap refusal in store terms."""

from datetime import UTC, datetime

import pytest

from appointd.app.accounts import create_account
from appointd.domain.model import Block
from appointd.store.engine import OverlapRefused
from appointd.store.uow import UnitOfWork

TEN = datetime(2031, 3, 3, 10, tzinfo=UTC)
ELEVEN = datetime(2031, 3, 3, 11, tzinfo=UTC)


def _block(start: datetime, end: datetime) -> Block:
    return Block("staff", 424_242, start, end, exclusive=True, role="time_off")


def test_leaving_a_unit_of_work_without_commit_writes_nothing(db):
    account = create_account(db.services, "uow").account_id
    with UnitOfWork(db.engine, account) as uow:
        uow.blocks.add([_block(TEN, ELEVEN)])
    with UnitOfWork(db.engine, account, write=False) as uow:
        assert uow.blocks.holding_in([("staff", 424_242)], TEN, ELEVEN) == []


def test_postgresql_refusing_an_overlap_surfaces_as_overlap_refused(pg_db):
    account = create_account(pg_db.services, "uow").account_id
    with UnitOfWork(pg_db.engine, account) as uow:
        uow.blocks.add([_block(TEN, ELEVEN)])
        uow.commit()
    with pytest.raises(OverlapRefused), UnitOfWork(pg_db.engine, account) as uow:
        uow.blocks.add([_block(datetime(2031, 3, 3, 10, 30, tzinfo=UTC), ELEVEN)])
        uow.commit()
    with UnitOfWork(pg_db.engine, account, write=False) as uow:
        assert len(uow.blocks.holding_in([("staff", 424_242)], TEN, ELEVEN)) == 1
