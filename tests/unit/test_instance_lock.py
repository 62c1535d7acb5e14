"""One CareNav window per vault: a flock on <db>.lock, released when the holder dies."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from carenav.errors import VaultError
from carenav.store.instance_lock import InstanceLock, VaultInUse, lock_path_for

HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from carenav.store.instance_lock import InstanceLock
    lock = InstanceLock.acquire(Path(sys.argv[1]))
    print("held", flush=True)
    if sys.argv[2] == "release":
        sys.stdin.readline()
        lock.release()
        print("released", flush=True)
    time.sleep(60)
    """
)


def start_holder(db_path: Path, mode: str) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db_path), mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline() == "held\n"
    return child


def stop(child: subprocess.Popen[str]) -> None:
    if child.poll() is None:
        child.kill()
    child.communicate(timeout=10)


def test_second_holder_in_another_process_is_refused_with_a_plain_message(
    vault_path: Path,
) -> None:
    vault_path.parent.mkdir(parents=True)
    child = start_holder(vault_path, "hold")
    try:
        with pytest.raises(VaultInUse) as caught:
            InstanceLock.acquire(vault_path)
        assert isinstance(caught.value, VaultError)
        assert str(caught.value) == (
            "This vault is already open in another CareNav window on this computer. "
            "Switch to that window, or close it first."
        )
        # the lock file names the holder's process and nothing else
        assert lock_path_for(vault_path).read_text("ascii") == f"{child.pid}\n"
    finally:
        stop(child)


def test_kill_9_of_the_holder_never_leaves_a_stale_lock(vault_path: Path) -> None:
    vault_path.parent.mkdir(parents=True)
    child = start_holder(vault_path, "hold")
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=10)
    assert lock_path_for(vault_path).exists()  # the file stays, the lock does not
    with InstanceLock.acquire(vault_path) as lock:
        assert lock.held
        assert lock_path_for(vault_path).read_text("ascii") == f"{os.getpid()}\n"
    stop(child)


def test_lock_released_by_the_holder_can_be_taken(vault_path: Path) -> None:
    vault_path.parent.mkdir(parents=True)
    child = start_holder(vault_path, "release")
    try:
        with pytest.raises(VaultInUse):
            InstanceLock.acquire(vault_path)
        assert child.stdin is not None and child.stdout is not None
        child.stdin.write("go\n")
        child.stdin.flush()
        assert child.stdout.readline() == "released\n"
        InstanceLock.acquire(vault_path).release()
    finally:
        stop(child)


def test_same_process_cannot_open_the_vault_twice_and_release_is_idempotent(
    vault_path: Path,
) -> None:
    vault_path.parent.mkdir(parents=True)
    first = InstanceLock.acquire(vault_path)
    with pytest.raises(VaultInUse):  # flock is per open file, so a 2nd window in-process too
        InstanceLock.acquire(vault_path)
    first.release()
    first.release()
    assert not first.held
    assert lock_path_for(vault_path).read_text("ascii") == ""  # no pid left behind
    second = InstanceLock.acquire(vault_path)
    assert stat.S_IMODE(os.stat(lock_path_for(vault_path)).st_mode) == 0o600
    second.release()


def test_lock_file_sits_beside_the_database_and_holds_no_vault_content(vault_path: Path) -> None:
    vault_path.parent.mkdir(parents=True)
    with InstanceLock.acquire(vault_path):
        assert lock_path_for(vault_path) == vault_path.parent / "caseload.cnv.lock"
        assert lock_path_for(vault_path).read_bytes().strip().isdigit()
