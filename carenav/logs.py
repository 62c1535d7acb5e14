"""CareNav's log file, written so that no patient information can reach it.

Everything about a patient is PHI, and a log file is plaintext on disk. So the
file holds only what CareNav's own code wrote as a message, never the values
passed with it:

- a record's arguments are dropped (``log.info("saved %s", name)`` is written
  as ``saved %s``); a message that is not a string is written as its type;
- an exception is written as its type and its traceback frames (file, line,
  function), never its message (``str(exc)`` may quote what was typed) and
  never local variables;
- uncaught exceptions (main thread and worker threads) go through the same
  redaction instead of Python's default handler, which would print the
  message to stderr (and from there to the desktop session's log);
- ``faulthandler`` writes native crashes (a segfault in Qt or SQLCipher) to a
  file beside the log: it only ever writes frames, never values.

The redaction happens in the file handler's formatter, so records are not
changed for other handlers. SQLAlchemy's statement log is kept out of the
file (WARNING and above only). Files are created with mode 0600 in a 0700
folder. The folder is platformdirs' user log folder, or ``CARENAV_LOG_DIR``.
"""

from __future__ import annotations

import contextlib
import faulthandler
import io
import logging
import logging.handlers
import os
import sys
import threading
import traceback
from pathlib import Path
from types import TracebackType
from typing import Any

import platformdirs

APP_NAME = "CareNav"
LOG_FILE_NAME = "carenav.log"
NATIVE_CRASH_FILE_NAME = "native-crashes.log"
MAX_LOG_BYTES = 1024 * 1024
LOG_BACKUPS = 3
WITHHELD = "[message withheld: it may contain patient information]"
CRASH_LOGGER = "carenav.crash"

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]

_state: dict[str, Any] = {"handler": None, "fault_file": None}


def log_dir() -> Path:
    override = os.environ.get("CARENAV_LOG_DIR")
    return Path(override) if override else Path(platformdirs.user_log_dir(APP_NAME, False))


# -- redaction ----------------------------------------------------------------


def _type_name(exc_type: type[BaseException]) -> str:
    module = exc_type.__module__
    if module in ("builtins", "__main__"):
        return exc_type.__qualname__
    return f"{module}.{exc_type.__qualname__}"


def _frames(tb: TracebackType | None) -> list[str]:
    return [
        f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}'
        for frame in traceback.extract_tb(tb)
    ]


def redacted_traceback(exc: BaseException) -> str:
    """The traceback as Python prints it, without messages, source lines or locals."""
    chain: list[tuple[BaseException, str]] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    link = ""
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append((current, link))
        if current.__cause__ is not None:
            current, link = current.__cause__, "direct cause"
        elif current.__context__ is not None and not current.__suppress_context__:
            current, link = current.__context__, "during handling"
        else:
            current = None
    lines: list[str] = []
    for index, (item, _link) in enumerate(reversed(chain)):
        if index:
            later_link = chain[len(chain) - index][1]
            lines.append(
                "The above exception was the direct cause of the following exception:"
                if later_link == "direct cause"
                else "During handling of the above exception, another exception occurred:"
            )
        lines.append("Traceback (most recent call last):")
        lines += _frames(item.__traceback__)
        lines.append(f"{_type_name(type(item))}: {WITHHELD}")
    return "\n".join(lines)


class RedactingFormatter(logging.Formatter):
    """Formats a record from its message template alone; exceptions as type + frames."""

    def format(self, record: logging.LogRecord) -> str:
        record_copy = logging.makeLogRecord(record.__dict__)
        record_copy.args = None
        record_copy.exc_info = None
        record_copy.exc_text = None
        record_copy.message = (
            record.msg if isinstance(record.msg, str) else f"<{type(record.msg).__name__}>"
        )
        if self.usesTime():
            record_copy.asctime = self.formatTime(record_copy, self.datefmt)
        text = self.formatMessage(record_copy)
        if record.exc_info and record.exc_info[1] is not None:
            text += "\n" + redacted_traceback(record.exc_info[1])
        if record.stack_info:
            text += "\n" + record.stack_info
        return text


# -- files --------------------------------------------------------------------


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files are created readable by the user only (0600)."""

    def _open(self) -> io.TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.chmod(self.baseFilename, 0o600)
        return os.fdopen(fd, "a", encoding=self.encoding or "utf-8", errors=self.errors)


def _private_folder(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def configure_logging(folder: Path | None = None) -> Path:
    """Send INFO and above to the redacting log file; returns the file's path.

    Calling it again replaces the handler it installed before.
    """
    target = _private_folder(Path(folder) if folder is not None else log_dir())
    path = target / LOG_FILE_NAME
    handler = _PrivateRotatingFileHandler(
        path, maxBytes=MAX_LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
    )
    handler.setLevel(logging.INFO)
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s [%(process)d]: %(message)s")
    )
    root = logging.getLogger()
    previous = _state["handler"]
    if previous is not None:
        root.removeHandler(previous)
        previous.close()
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > logging.INFO:
        root.setLevel(logging.INFO)
    # SQL statements are for a developer's console, not a file on a field laptop.
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
    _state["handler"] = handler
    _enable_faulthandler(target / NATIVE_CRASH_FILE_NAME)
    return path


def remove_logging() -> None:
    """Undo ``configure_logging`` (tests; a clean shutdown)."""
    handler = _state["handler"]
    if handler is not None:
        logging.getLogger().removeHandler(handler)
        handler.close()
        _state["handler"] = None
    fault_file = _state["fault_file"]
    if fault_file is not None:
        faulthandler.disable()
        fault_file.close()
        _state["fault_file"] = None


def _enable_faulthandler(path: Path) -> None:
    previous = _state["fault_file"]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    fault_file = os.fdopen(fd, "a", encoding="utf-8")
    faulthandler.enable(file=fault_file, all_threads=True)
    _state["fault_file"] = fault_file
    if previous is not None:
        previous.close()


# -- uncaught exceptions ------------------------------------------------------


def _report_uncaught(exc: BaseException, where: str) -> None:
    logging.getLogger(CRASH_LOGGER).critical(
        "Uncaught exception in %s", where, exc_info=(type(exc), exc, exc.__traceback__)
    )
    # Python's own handler would print the message; print the redacted form instead.
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write(f"CareNav stopped because of an error in {where}.\n")
        sys.stderr.write(redacted_traceback(exc) + "\n")
        sys.stderr.flush()


def _excepthook(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    if exc.__traceback__ is None:
        exc = exc.with_traceback(tb)
    _report_uncaught(exc, "the main thread")


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is None or issubclass(args.exc_type, SystemExit):
        return
    name = args.thread.name if args.thread is not None else "a worker thread"
    _report_uncaught(args.exc_value, f"thread {name}")


def install_excepthook() -> None:
    """Route uncaught exceptions (any thread) through the redacted log and stderr."""
    sys.excepthook = _excepthook
    threading.excepthook = _thread_excepthook
