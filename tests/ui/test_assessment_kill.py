"""Kill the app mid-form, reopen, and the answers are there (issue 4, "Filling in").

A real child process opens the vault, builds the assessment form with real widgets,
answers PHQ-9 items and types into a comprehensive-assessment text box, then is
killed with SIGKILL (no clean-up of any kind). The parent reopens the vault and
builds the same forms: every answer given before the kill is put back.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path
from typing import Any

from carenav.instruments import get_instrument
from carenav.services.assessments import find_in_progress
from carenav.services.patients import create_patient
from carenav.store.vault import Vault
from carenav.ui.pages.assessment.form import AssessmentForm

PASSPHRASE = "correct horse battery staple"
WORDS = "Seeing my grandson graduate"

CHILD = textwrap.dedent(
    """
    import os, sys, time, uuid
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from pathlib import Path
    from PySide6.QtCore import QEventLoop
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication
    from carenav.instruments import get_instrument
    from carenav.store.vault import Vault
    from carenav.ui.pages.assessment.form import AssessmentForm

    db, passphrase, patient, words = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    app = QApplication([])
    vault = Vault.unlock(db, passphrase)
    pid = uuid.UUID(hex=patient)
    phq9 = AssessmentForm(vault, pid, get_instrument("phq9"))
    phq9.show()
    for n, position in enumerate([3, 2, 1, 0, 1], start=1):  # q1..q5 answered, q6..q9 not
        phq9.block(f"q{n}").answer.choose(position)
    whole = AssessmentForm(vault, pid, get_instrument("comprehensive"))
    whole.show()
    box = whole.block("wm-matters-most").answer.edit
    box.setFocus()
    QTest.keyClicks(box, words)
    deadline = time.monotonic() + 1.5  # the pause after typing passes; the app keeps running
    while time.monotonic() < deadline:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.02)
    print("answered", flush=True)
    time.sleep(120)
    """
)


def test_answers_given_before_a_kill_are_put_back(qtbot: Any, vault_path: Path) -> None:
    vault, _code = Vault.create(vault_path, PASSPHRASE)
    patient = create_patient(
        vault, {"family_name": "Lindqvist", "given_name": "Maja", "birth_date": date(1941, 7, 8)}
    )
    vault.close()

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(vault_path), PASSPHRASE, patient.hex, WORDS],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    assert line == "answered\n", child.communicate(timeout=30)
    os.kill(child.pid, signal.SIGKILL)
    child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL

    reopened = Vault.unlock(vault_path, PASSPHRASE)
    try:
        phq9 = get_instrument("phq9")
        kept = find_in_progress(reopened, patient, "phq9")
        assert kept is not None
        assert kept.answers(phq9) == {"q1": "3", "q2": "2", "q3": "1", "q4": "0", "q5": "1"}
        whole = find_in_progress(reopened, patient, "comprehensive")
        assert whole is not None and whole.payload["wm-matters-most"] == WORDS

        form = AssessmentForm(reopened, patient, phq9)
        qtbot.addWidget(form)
        assert form.answers() == {"q1": "3", "q2": "2", "q3": "1", "q4": "0", "q5": "1"}
        assert "put back" in form.save_note.text()
        assert form.read_only is False
        assert reopened.check().sound
    finally:
        reopened.close()
