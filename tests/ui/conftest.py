"""UI tests run real widgets offscreen."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _collect_widgets_on_the_gui_thread() -> Iterator[None]:
    """Free earlier tests' widgets here, on the GUI thread, never on a worker thread."""
    gc.collect()
    yield
    gc.collect()
