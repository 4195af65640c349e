"""The README's configuration table is generated from the settings class and cannot drift."""

from __future__ import annotations

from pathlib import Path

from appointd.settings import Settings
from appointd.settings_doc import block, texts

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_setting_is_described() -> None:
    undescribed = [name for name, text in texts().items() if not text]
    assert undescribed == [], (
        "describe these settings (a comment right above them in settings.py, or "
        "Field(description=...)), then regenerate the README table"
    )


def test_the_readme_table_lists_every_setting_as_generated() -> None:
    text = README.read_text()
    assert block() in text, (
        "the README's settings table is out of date: run "
        "`.venv/bin/python -m appointd.settings_doc --write README.md`"
    )
    for name in Settings.model_fields:
        assert f"`APPOINTD_{name.upper()}`" in text
    assert "`APPOINTD_DEFAULT_MIN_NOTICE_MINUTES`" in text
