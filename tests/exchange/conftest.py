"""Set-up for the data-in-and-out tests: the zh-hans words of this area, until they are merged."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import trans_real

CATALOG = Path(settings.BASE_DIR) / "var" / "i18n" / "exchange.json"


@pytest.fixture
def exchange_catalog():
    """The project's zh-hans catalogue with var/i18n/exchange.json laid over it (a no-op once
    the file is merged into locale/), so tests read the Chinese a person will read."""
    # var/ is not in git: once merged into locale/, the catalogue has these words itself.
    entries = json.loads(CATALOG.read_text(encoding="utf-8")) if CATALOG.exists() else {}
    with translation.override("zh-hans"):
        catalog = trans_real.translation("zh-hans")._catalog
    added = []
    for msgid, text in entries.items():
        if isinstance(text, list):
            for index, form in enumerate(text):
                key = (msgid, index)
                if key not in catalog:
                    catalog[key] = form
                    added.append(key)
        elif msgid not in catalog:
            catalog[msgid] = text
            added.append(msgid)
    yield
    for key in added:
        # Put the catalogue back as it was, so no other test sees these words.
        for part in catalog._catalogs:
            part.pop(key, None)
