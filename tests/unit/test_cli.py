"""The command line, run in-process with passphrases on standard input."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from carenav import cli
from carenav.services.patients import create_patient
from carenav.store.vault import Vault

PASSPHRASE = "correct horse battery staple"
NEW_PASSPHRASE = "purple elephants dance at noon"


def run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str, stdin: str = ""
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def on_vault(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
    path: Path,
    *extra: str,
    stdin: str,
) -> tuple[int, str, str]:
    """``carenav COMMAND --vault PATH [EXTRA] --passphrase-stdin``."""
    return run(
        monkeypatch,
        capsys,
        command,
        "--vault",
        str(path),
        *extra,
        "--passphrase-stdin",
        stdin=stdin,
    )


@pytest.fixture
def made_vault(vault_path: Path) -> Path:
    vault, _ = Vault.create(vault_path, PASSPHRASE)
    create_patient(
        vault,
        {"family_name": "Okafor", "given_name": "Grace", "birth_date": "1941-05-09"},
    )
    vault.close()
    return vault_path


def test_init_prints_recovery_code_once_and_refuses_to_overwrite(
    vault_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = on_vault(monkeypatch, capsys, "init", vault_path, stdin=PASSPHRASE + "\n")
    assert code == 0
    recovery = out.strip()
    assert len(recovery.replace("-", "")) == 25
    assert "recovery code" in err
    header = vault_path.with_name(vault_path.name + ".keys")
    before = header.read_bytes()
    code, _, err = on_vault(monkeypatch, capsys, "init", vault_path, stdin=PASSPHRASE + "\n")
    assert code == 5
    assert "already exists" in err
    assert header.read_bytes() == before


def test_init_rejects_a_short_passphrase_with_exit_5(
    vault_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = on_vault(monkeypatch, capsys, "init", vault_path, stdin="too short\n")
    assert code == 5
    assert "at least 15 characters" in err
    assert not vault_path.exists()


def test_list_json_prints_patients(
    made_vault: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        monkeypatch,
        capsys,
        "list",
        "--vault",
        str(made_vault),
        "--json",
        "--passphrase-stdin",
        stdin=PASSPHRASE + "\n",
    )
    assert code == 0, err
    rows = json.loads(out)
    assert rows[0]["family"] == "Okafor"
    assert rows[0]["given"] == "Grace"
    assert rows[0]["birth_date"] == "1941-05-09"
    assert set(rows[0]) == {"id", "family", "given", "birth_date", "programs", "status"}


def test_wrong_passphrase_exits_3_without_patient_data(
    made_vault: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        monkeypatch,
        capsys,
        "list",
        "--vault",
        str(made_vault),
        "--json",
        "--passphrase-stdin",
        stdin="not the right passphrase at all\n",
    )
    assert code == 3
    assert out == ""
    assert "did not unlock" in err
    assert "Okafor" not in err


def test_check_sound_then_damaged(
    made_vault: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = on_vault(monkeypatch, capsys, "check", made_vault, stdin=PASSPHRASE + "\n")
    assert code == 0, err
    assert "sound" in err
    data = bytearray(made_vault.read_bytes())
    data[len(data) // 2] ^= 0x10
    made_vault.write_bytes(bytes(data))
    code, _, err = on_vault(monkeypatch, capsys, "check", made_vault, stdin=PASSPHRASE + "\n")
    assert code == 4
    assert "damaged" in err


def test_passwd_changes_the_passphrase(
    made_vault: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = on_vault(
        monkeypatch, capsys, "passwd", made_vault, stdin=f"{PASSPHRASE}\n{NEW_PASSPHRASE}\n"
    )
    assert code == 0, err
    args = ("list", "--vault", str(made_vault), "--json", "--passphrase-stdin")
    assert run(monkeypatch, capsys, *args, stdin=PASSPHRASE + "\n")[0] == 3
    assert run(monkeypatch, capsys, *args, stdin=NEW_PASSPHRASE + "\n")[0] == 0


def test_unlock_recovery_sets_a_new_passphrase(
    vault_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = on_vault(monkeypatch, capsys, "init", vault_path, stdin=PASSPHRASE + "\n")
    recovery = out.strip().lower()  # codes are accepted in any case
    code, _, err = on_vault(
        monkeypatch, capsys, "unlock-recovery", vault_path, stdin=f"{recovery}\n{NEW_PASSPHRASE}\n"
    )
    assert code == 0, err
    args = ("list", "--vault", str(vault_path), "--json", "--passphrase-stdin")
    assert run(monkeypatch, capsys, *args, stdin=NEW_PASSPHRASE + "\n")[0] == 0
    assert run(monkeypatch, capsys, *args, stdin=PASSPHRASE + "\n")[0] == 3


def test_unknown_file_is_reported_as_not_a_vault(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stray = tmp_path / "notes.pdf"
    stray.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8)
    code, _, err = run(
        monkeypatch,
        capsys,
        "list",
        "--vault",
        str(stray),
        "--json",
        "--passphrase-stdin",
        stdin=PASSPHRASE + "\n",
    )
    assert code == 4
    assert "not a CareNav vault" in err
    assert stray.read_bytes().startswith(b"%PDF")


def test_missing_vault_and_usage_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        monkeypatch,
        capsys,
        "check",
        "--vault",
        str(tmp_path / "none.cnv"),
        "--passphrase-stdin",
        stdin=PASSPHRASE + "\n",
    )
    assert code == 4
    assert "No vault was found" in err
    assert run(monkeypatch, capsys, "frobnicate")[0] == 2
    assert run(monkeypatch, capsys, "list")[0] == 2


def test_demo_is_deterministic_for_a_seed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    listings = []
    for name in ("a.cnv", "b.cnv"):
        path = tmp_path / name
        code, _, err = run(
            monkeypatch,
            capsys,
            "demo",
            "--vault",
            str(path),
            "--patients",
            "25",
            "--seed",
            "4",
            "--passphrase-stdin",
            stdin=PASSPHRASE + "\n",
        )
        assert code == 0, err
        code, out, _ = run(
            monkeypatch,
            capsys,
            "list",
            "--vault",
            str(path),
            "--json",
            "--passphrase-stdin",
            stdin=PASSPHRASE + "\n",
        )
        listings.append(json.loads(out))
    assert len(listings[0]) == 25
    assert listings[0] == listings[1]


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_import_csv_all_or_nothing(
    made_vault: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bad = write_csv(
        tmp_path / "bad.csv",
        "Last Name,First Name,DOB,Phone\n"
        "Nguyen,Lan,1950-02-03,555-010-2000\n"
        ",Missing,1951-01-01,\n"
        "Diaz,Rosa,03/04/1950,\n",
    )
    base = ("--vault", str(made_vault), "--passphrase-stdin")
    code, _, err = run(monkeypatch, capsys, "import-csv", *base, str(bad), stdin=PASSPHRASE + "\n")
    assert code == 5
    assert "row 3" in err.lower() and "row 4" in err.lower()
    listing = ("list", "--vault", str(made_vault), "--json", "--passphrase-stdin")
    _, out, _ = run(monkeypatch, capsys, *listing, stdin=PASSPHRASE + "\n")
    assert len(json.loads(out)) == 1

    good = write_csv(
        tmp_path / "good.csv",
        "family_name,given_name,birth_date,phone,preferred_language,address,programs\n"
        "Nguyen,Lan,1950-02-03,555-010-2000,Vietnamese,12 Elm St,ccm;tcm\n"
        "Diaz,Rosa,1950-04-03,,Spanish,,bhi\n",
    )
    code, _, err = run(
        monkeypatch, capsys, "import-csv", *base, "--dry-run", str(good), stdin=PASSPHRASE + "\n"
    )
    assert code == 0, err
    _, out, _ = run(monkeypatch, capsys, *listing, stdin=PASSPHRASE + "\n")
    assert len(json.loads(out)) == 1
    code, _, err = run(monkeypatch, capsys, "import-csv", *base, str(good), stdin=PASSPHRASE + "\n")
    assert code == 0, err
    _, out, _ = run(monkeypatch, capsys, *listing, stdin=PASSPHRASE + "\n")
    rows = {r["family"]: r for r in json.loads(out)}
    assert set(rows) == {"Okafor", "Nguyen", "Diaz"}
    assert rows["Nguyen"]["programs"] == ["ccm", "tcm"]
