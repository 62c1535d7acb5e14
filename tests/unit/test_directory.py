"""The resource directory: search by words, category and language; CSV import and export
(all or nothing, bad rows named by their row number, exact round trip)."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

import pytest

from carenav.errors import InvalidInput, RecordNotFound
from carenav.instruments.definition import DOMAINS
from carenav.services import directory
from carenav.services.directory import DirectoryCsvError
from carenav.store.vault import Vault


def _org(vault: Vault, name: str, **values: object) -> uuid.UUID:
    return directory.add_organisation(vault, {"name": name, **values}).id


def _small_directory(vault: Vault) -> dict[str, uuid.UUID]:
    pantry = _org(
        vault,
        "Maple Street Food Pantry",
        phone="555-010-2000",
        address_line="12 Maple St",
        city="Springfield",
        state="IL",
        postal_code="62701",
    )
    rides = _org(vault, "Riverside Senior Rides", phone="555-010-2001", city="Shelbyville")
    clinic = _org(vault, "Clínica Esperanza", phone="555-010-2002", city="Springfield")
    ids = {
        "pantry": directory.add_service(
            vault,
            pantry,
            {
                "name": "Weekly food pantry",
                "categories": "food",
                "languages": "English; Spanish",
                "hours": "Tue and Thu 9:00-12:00",
                "what_to_bring": "A photo ID and a piece of mail with your address",
                "eligibility": "Residents of Sangamon County",
            },
        ).id,
        "meals": directory.add_service(
            vault,
            pantry,
            {
                "name": "Meals on wheels",
                "categories": ["home-delivered-meals"],
                "languages": ["English"],
            },
        ).id,
        "rides": directory.add_service(
            vault,
            rides,
            {
                "name": "Door-to-door rides",
                "categories": "Transportation",
                "languages": "English;Vietnamese",
                "phone": "555-010-2101",
            },
        ).id,
        "counselling": directory.add_service(
            vault,
            clinic,
            {
                "name": "Consejería",
                "categories": "behavioural-health; substance-use",
                "languages": "Spanish",
                "notes": "Walk-in Mondays",
            },
        ).id,
    }
    return ids


def _names(views: list[directory.ServiceView]) -> list[str]:
    return [v.name for v in views]


def test_categories_follow_the_assessment_domains_and_referral_categories() -> None:
    assert set(directory.CATEGORY_DOMAINS.values()) <= DOMAINS
    assert set(directory.CATEGORY_DOMAINS) == set(directory.CATEGORIES)
    for domain in ("food", "housing", "transportation", "utilities", "safety", "financial"):
        assert directory.categories_for_domain(domain), domain
    assert directory.category_for("energy assistance") == "utilities"
    assert directory.category_for("Behavioural health") == "behavioural-health"
    assert directory.category_for("home delivered meals") == "home-delivered-meals"
    assert directory.category_for("fod") is None


def test_search_by_words_category_and_language(vault: Vault) -> None:
    ids = _small_directory(vault)
    assert directory.count_services(vault) == 4
    assert _names(directory.search_services(vault)) == [
        "Consejería",
        "Meals on wheels",
        "Weekly food pantry",
        "Door-to-door rides",
    ]
    # a category by code, by label, by a screener's referral category
    assert _names(directory.search_services(vault, category="food")) == ["Weekly food pantry"]
    assert _names(directory.search_services(vault, category="Transportation")) == [
        "Door-to-door rides"
    ]
    assert _names(directory.search_services(vault, category="behavioral health")) == ["Consejería"]
    # language: whole names, case ignored
    assert _names(directory.search_services(vault, language="spanish")) == [
        "Consejería",
        "Weekly food pantry",
    ]
    assert directory.search_services(vault, language="span") == []
    assert _names(directory.search_services(vault, category="food", language="Vietnamese")) == []
    # words: every word must match, accents and case ignored, city and notes count
    assert _names(directory.search_services(vault, "clinica walk-in")) == ["Consejería"]
    assert _names(directory.search_services(vault, "SPRINGFIELD weekly")) == ["Weekly food pantry"]
    assert _names(directory.search_services(vault, "shelbyville")) == ["Door-to-door rides"]
    assert directory.search_services(vault, "pantry rides") == []
    assert directory.search_services(vault, "100%_") == []
    assert len(directory.search_services(vault, limit=2)) == 2
    view = directory.get_service(vault, ids["rides"])
    assert view.phone == "555-010-2101" and view.organisation_phone == "555-010-2001"
    pantry = directory.get_service(vault, ids["pantry"])
    assert pantry.phone == "555-010-2000"
    assert pantry.address == "12 Maple St, Springfield, IL 62701"
    assert pantry.category_labels == ["Food"]
    assert directory.languages_in_use(vault) == ["English", "Spanish", "Vietnamese"]


def test_an_unknown_category_in_search_says_which_exist(vault: Vault) -> None:
    with pytest.raises(InvalidInput) as caught:
        directory.search_services(vault, category="groceries please")
    assert "food" in caught.value.errors["category"]


def test_changes_to_an_organisation_reach_its_services_search(vault: Vault) -> None:
    ids = _small_directory(vault)
    pantry = directory.get_service(vault, ids["pantry"]).organisation_id
    directory.update_organisation(vault, pantry, {"city": "Chatham"})
    assert _names(directory.search_services(vault, "chatham")) == [
        "Meals on wheels",
        "Weekly food pantry",
    ]
    directory.update_service(vault, ids["meals"], {"categories": "food; home-delivered-meals"})
    assert _names(directory.search_services(vault, category="food")) == [
        "Meals on wheels",
        "Weekly food pantry",
    ]
    directory.remove_service(vault, ids["meals"])
    assert _names(directory.search_services(vault, "chatham")) == ["Weekly food pantry"]
    assert directory.remove_organisation(vault, pantry) == 1
    assert directory.search_services(vault, "chatham") == []
    assert directory.get_service(vault, ids["pantry"]).name == "Weekly food pantry"  # old referrals
    with pytest.raises(RecordNotFound):
        directory.update_service(vault, ids["pantry"], {"hours": "never"})


def test_a_service_needs_a_name_and_a_known_category(vault: Vault) -> None:
    org = _org(vault, "Eastside Legal Aid")
    with pytest.raises(InvalidInput) as caught:
        directory.add_service(vault, org, {"name": " ", "categories": "legal aid; lawyers"})
    assert set(caught.value.errors) == {"name", "categories"}
    assert "lawyers" in caught.value.errors["categories"]
    with pytest.raises(InvalidInput) as caught:
        directory.add_service(vault, org, {"name": "Advice clinic"})
    assert "at least one category" in caught.value.errors["categories"]
    with pytest.raises(InvalidInput) as caught:
        directory.add_service(
            vault, org, {"name": "Advice", "categories": "legal-aid", "last_verified": "2999-01-01"}
        )
    assert "future" in caught.value.errors["last_verified"]
    first = directory.add_service(vault, org, {"name": "Advice clinic", "categories": "legal-aid"})
    with pytest.raises(InvalidInput, match="already has a service called 'Advice clinic'"):
        directory.add_service(vault, org, {"name": "ADVICE  clinic", "categories": "legal-aid"})
    second = directory.add_service(vault, org, {"name": "Tenant rights", "categories": "legal-aid"})
    with pytest.raises(InvalidInput, match="already has a service"):
        directory.update_service(vault, second.id, {"name": "advice clinic"})
    directory.update_service(vault, first.id, {"name": "Advice Clinic"})  # its own name: fine
    with pytest.raises(InvalidInput, match="already in the directory"):
        directory.add_organisation(vault, {"name": "eastside  LEGAL aid"})
    other = directory.add_organisation(vault, {"name": "Westside Legal Aid"})
    with pytest.raises(InvalidInput, match="already in the directory"):
        directory.update_organisation(vault, other.id, {"name": "Eastside Legal Aid"})
    with pytest.raises(InvalidInput) as caught:
        directory.add_organisation(vault, {"name": "X", "phone": "call us"})
    assert "phone" in caught.value.errors


# -- CSV ---------------------------------------------------------------------------------------


def test_csv_round_trip_is_exact(vault: Vault, tmp_path: Path) -> None:
    ids = _small_directory(vault)
    directory.update_service(vault, ids["pantry"], {"last_verified": date(2026, 10, 1)})
    directory.update_service(
        vault, ids["rides"], {"notes": 'Book 2 days ahead, "no" pets; wheelchair lift'}
    )
    first = tmp_path / "directory.csv"
    assert directory.export_csv(vault, first) == 4
    text = first.read_text("utf-8")
    assert text.splitlines()[0] == ",".join(directory.CSV_COLUMNS)
    assert "2026-10-01" in text and "English;Spanish" in text

    other_path = tmp_path / "other" / "caseload.cnv"
    from carenav.store.header import KdfParams

    other, _code = Vault.create(
        other_path,
        "another practice passphrase",
        kdf=KdfParams(time_cost=1, memory_kib=8192, parallelism=1),
    )
    try:
        report = directory.import_csv(other, first)
        assert (report.added, report.updated, report.organisations_added) == (4, 0, 3)
        second = tmp_path / "again.csv"
        directory.export_csv(other, second)
        assert second.read_bytes() == first.read_bytes()
        # importing the same file again changes nothing
        report = directory.import_csv(other, first)
        assert (report.added, report.updated, report.unchanged) == (0, 0, 4)
        assert directory.count_services(other) == 4
        found = directory.search_services(other, category="transportation", language="vietnamese")
        assert _names(found) == ["Door-to-door rides"]
        assert found[0].notes == 'Book 2 days ahead, "no" pets; wheelchair lift'
    finally:
        other.close()


def test_a_bad_row_saves_nothing_and_every_bad_row_is_named_by_number(vault: Vault) -> None:
    text = (
        "Organisation,Service,Categories,Languages,Organisation phone,Last verified\r\n"
        "Hope Food Bank,Pantry,food,English,555-010-3000,2026-09-01\r\n"  # row 2: good
        "Hope Food Bank,Diapers,baby stuff,English,555-010-3000,\r\n"  # row 3: category
        ",Rides,transportation,,,\r\n"  # row 4: no organisation
        "\r\n"  # row 5: blank, skipped
        "Hope Food Bank,Pantry,food,English,555-010-3000,\r\n"  # row 6: repeats row 2
        "Hope Food Bank,Clothing,other,English,555-010-9999,\r\n"  # row 7: other phone
        "Shelter House,Beds,housing,,,01/02/2026\r\n"  # row 8: date format
    )
    with pytest.raises(DirectoryCsvError) as caught:
        directory.import_csv_text(vault, text)
    error = caught.value
    assert sorted(error.rows) == [3, 4, 6, 7, 8]
    assert "baby stuff" in error.rows[3]["categories"]
    assert "organisation" in error.rows[4]
    assert "row 2" in error.rows[6]["service"]
    assert "row 2" in error.rows[7]["organisation"] and "phone" in error.rows[7]["organisation"]
    assert "YYYY-MM-DD" in error.rows[8]["last_verified"]
    message = str(error)
    assert message.startswith("Nothing was imported: 5 rows need correcting")
    assert "Row 3:" in message and "Row 8:" in message
    assert error.errors["row 3"].startswith("categories:")
    assert directory.count_services(vault) == 0
    assert directory.search_services(vault, "hope") == []


def test_an_import_updates_matching_services_and_keeps_columns_it_does_not_have(
    vault: Vault,
) -> None:
    ids = _small_directory(vault)
    text = (
        "organisation,service,hours\n"
        "maple street food pantry,WEEKLY FOOD PANTRY,Tue 9:00-12:00 only\n"
        "Maple Street Food Pantry,Holiday baskets,\n"
    )
    with pytest.raises(DirectoryCsvError) as caught:  # a new service needs a category
        directory.import_csv_text(vault, text)
    assert list(caught.value.rows) == [3]
    text = text.replace("hours\n", "hours,categories\n").replace("only\n", "only,food\n")
    text = text.replace("baskets,\n", "baskets,,food\n")
    report = directory.import_csv_text(vault, text)
    assert (report.added, report.updated, report.organisations_added) == (1, 1, 0)
    pantry = directory.get_service(vault, ids["pantry"])
    assert pantry.hours == "Tue 9:00-12:00 only"
    assert pantry.languages == ("English", "Spanish")  # not in the file: kept


def test_files_that_cannot_be_read_say_what_to_do(vault: Vault, tmp_path: Path) -> None:
    latin = tmp_path / "latin1.csv"
    latin.write_bytes("organisation,service,categories\nCafé,Meals,food\n".encode("latin-1"))
    with pytest.raises(DirectoryCsvError, match="CSV UTF-8"):
        directory.import_csv(vault, latin)
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("organisation,service,colour\nA,B,red\n", "utf-8")
    with pytest.raises(DirectoryCsvError, match="unknown columns 'colour'"):
        directory.import_csv(vault, unknown)
    missing = tmp_path / "missing.csv"
    missing.write_text("name,categories\nA,food\n", "utf-8")
    with pytest.raises(DirectoryCsvError, match="no 'organisation' or 'service' column"):
        directory.import_csv(vault, missing)
    with pytest.raises(DirectoryCsvError, match="check the path"):
        directory.import_csv(vault, tmp_path / "nowhere.csv")
    bom = tmp_path / "excel.csv"
    bom.write_bytes("\ufefforganisation,service,categories\nA,B,food\n".encode())
    assert directory.import_csv(vault, bom).added == 1


def test_a_file_with_many_bad_rows_names_the_first_in_the_message_and_keeps_all(
    vault: Vault,
) -> None:
    text = "organisation,service,categories\n" + "".join(
        f"Org {n},Service,nonsense\n" for n in range(40)
    )
    with pytest.raises(DirectoryCsvError) as caught:
        directory.import_csv_text(vault, text)
    assert sorted(caught.value.rows) == list(range(2, 42))
    message = str(caught.value)
    assert "Nothing was imported: 40 rows need correcting" in message
    assert "Row 26:" in message and "Row 27:" not in message
    assert "and 15 more rows" in message
