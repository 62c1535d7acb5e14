"""The log file never holds patient information (security.md L5, L9)."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from carenav import logs
from carenav.errors import InvalidInput
from carenav.logs import RedactingFormatter, configure_logging, redacted_traceback
from carenav.models import CaseNote
from carenav.services.chart import add_chart_record, load_chart, update_chart_record
from carenav.services.csv_import import guess_mapping, plan_import, read_csv, run_import
from carenav.services.patients import (
    CaseloadQuery,
    create_patient,
    search_patient_ids,
    update_patient,
)
from carenav.store.vault import Vault


def new_marker() -> str:
    return "ZQXLOGMARK" + uuid.uuid4().hex[:12].upper()


@pytest.fixture
def log_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "logs"
    monkeypatch.setenv("CARENAV_LOG_DIR", str(folder))
    sql_level = logging.getLogger("sqlalchemy").level
    root_level = logging.getLogger().level
    yield folder
    logs.remove_logging()
    logging.getLogger("sqlalchemy").setLevel(sql_level)
    logging.getLogger().setLevel(root_level)


CRASHING_CHILD = textwrap.dedent(
    """
    import logging, sys, threading
    from carenav.logs import configure_logging, install_excepthook
    marker = sys.argv[1]
    configure_logging()
    install_excepthook()
    log = logging.getLogger("carenav.visit")
    log.info("saved the visit note for %s", marker)
    log.warning(ValueError(marker))

    def look_up_the_patient(name):
        raise KeyError(f"no chart for {name}")

    def save_the_visit(patient_name):
        note = "Visit with " + patient_name
        try:
            look_up_the_patient(patient_name)
        except KeyError as exc:
            raise ValueError(f"could not save {note}") from exc

    def worker():
        local_copy = marker
        raise RuntimeError("worker saw " + local_copy)

    thread = threading.Thread(target=worker, name="visit-worker")
    thread.start()
    thread.join()
    save_the_visit(marker)
    """
)


def test_a_crash_carrying_patient_text_logs_the_traceback_but_not_the_text(
    log_folder: Path,
) -> None:
    marker = new_marker()
    done = subprocess.run(
        [sys.executable, "-c", CRASHING_CHILD, marker],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "CARENAV_LOG_DIR": str(log_folder)},
    )
    assert done.returncode == 1
    text = (log_folder / "carenav.log").read_text("utf-8")
    # the traceback is there: frames, function names, exception types...
    for expected in (
        "Uncaught exception in %s",
        "in save_the_visit",
        "in look_up_the_patient",
        "in worker",
        "KeyError: [message withheld",
        "ValueError: [message withheld",
        "RuntimeError: [message withheld",
        "The above exception was the direct cause of the following exception:",
        "saved the visit note for %s",
        "<ValueError>",
    ):
        assert expected in text, expected
    # ...and the patient text is not: not in messages, arguments, exceptions or locals
    assert marker not in text
    assert marker not in done.stderr and marker not in done.stdout
    assert "in save_the_visit" in done.stderr  # stderr gets the same redacted traceback
    assert (log_folder / "native-crashes.log").exists()
    for name in ("carenav.log", "native-crashes.log"):
        assert stat.S_IMODE((log_folder / name).stat().st_mode) == 0o600
    assert stat.S_IMODE(log_folder.stat().st_mode) == 0o700


def test_formatter_drops_arguments_and_exception_messages() -> None:
    marker = new_marker()
    try:
        try:
            raise LookupError(marker)
        except LookupError:
            raise ValueError(marker) from None
    except ValueError as exc:
        record = logging.LogRecord(
            "carenav.x", logging.ERROR, __file__, 1, "opened %s", (marker,), (ValueError, exc, None)
        )
        record.stack_info = None
        text = RedactingFormatter("%(levelname)s %(name)s: %(message)s").format(record)
        assert text.startswith("ERROR carenav.x: opened %s\nTraceback (most recent call last):")
        assert "test_formatter_drops_arguments_and_exception_messages" in text
        assert "LookupError" not in text  # "from None" hides the context, as Python does
        assert marker not in text
        assert record.args == (marker,)  # the record itself is not changed for other handlers


def test_redacted_traceback_keeps_an_implicit_chain() -> None:
    marker = new_marker()
    try:
        try:
            {}[marker]
        except KeyError:
            raise OSError(marker)  # noqa: B904 (an implicit chain is what is tested)
    except OSError as exc:
        text = redacted_traceback(exc)
    assert "KeyError: [message withheld" in text
    assert "During handling of the above exception, another exception occurred:" in text
    assert text.rstrip().endswith("OSError: [message withheld: it may contain patient information]")
    assert marker not in text


def test_log_file_is_private_rotates_and_keeps_sql_statements_out(log_folder: Path) -> None:
    path = configure_logging()
    assert path == log_folder / "carenav.log"
    assert configure_logging() == path  # a second call replaces the handler, no duplicates
    logging.getLogger("carenav.test").info("one line")
    logging.getLogger("sqlalchemy.engine.Engine").info("SELECT secret FROM patient")
    text = path.read_text("utf-8")
    assert text.count("one line") == 1
    assert "SELECT" not in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    handler = logs._state["handler"]
    assert handler.maxBytes == logs.MAX_LOG_BYTES and handler.backupCount == logs.LOG_BACKUPS
    handler.doRollover()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((log_folder / "carenav.log.1").stat().st_mode) == 0o600


def test_a_whole_services_workflow_logs_no_patient_values(
    vault: Vault, log_folder: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    marker = new_marker()
    path = configure_logging()
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    patient_id = create_patient(
        vault,
        {
            "family_name": marker,
            "given_name": marker,
            "birth_date": "1950-01-02",
            "preferred_language": marker,
            "visit_notes": marker,
        },
    )
    assert search_patient_ids(vault, CaseloadQuery(text=marker)) == [patient_id]
    update_patient(vault, patient_id, {"city": marker})
    note_id = add_chart_record(vault, CaseNote, patient_id, {"text": marker})
    update_chart_record(vault, CaseNote, note_id, {"subject": marker})
    assert load_chart(vault, patient_id).notes[0].subject == marker
    with pytest.raises(InvalidInput) as refused:
        update_patient(vault, patient_id, {"postal_code": marker * 3, "phone_home": marker})
    assert marker not in str(refused.value)
    source = tmp_path / "import.csv"
    source.write_text(f"Last Name,First Name,DOB,Language\n{marker},{marker},1951-03-04,English\n")
    plan = plan_import(vault, read_csv(source), guess_mapping(read_csv(source).headers))
    assert run_import(vault, plan) == 1
    source.unlink()
    logging.getLogger("carenav.test").exception("workflow done", exc_info=refused.value)
    vault.check()

    assert "INSERT INTO patient" in caplog.text  # statements were captured...
    captured = caplog.text + "".join(str(r.args) + r.getMessage() for r in caplog.records)
    assert marker not in captured  # ...never values, in messages or arguments
    assert marker.lower() not in captured
    file_text = path.read_text("utf-8")
    assert "workflow done" in file_text and "InvalidInput: [message withheld" in file_text
    assert marker not in file_text
