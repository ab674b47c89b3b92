"""helpers.privacy: the ids a report shows."""

from __future__ import annotations

import pandas as pd

from helpers.privacy import display_ids


def test_no_ids_give_no_pseudonyms():
    # a section with nobody to list (no role model with a long gap) still renders its empty table
    shown = display_ids(pd.Series([], dtype="string", name="customer_id"))
    assert len(shown) == 0
    assert list(display_ids(pd.Series(["C1"]), show_customer_ids=True)) == ["C1"]
