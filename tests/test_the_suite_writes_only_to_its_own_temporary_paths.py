"""No test writes into the checkout's var/: Tributary's files go to the run's own
temporary directory (tests/settings.py), run events to each test's own file."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from tests.conftest import CHECKOUT_VAR, var_listing


def is_inside(path: Path, folder: Path) -> bool:
    return Path(path).resolve().is_relative_to(folder.resolve())


def test_tributarys_files_go_to_a_temporary_directory_outside_the_checkout():
    checkout = Path(settings.BASE_DIR)

    for path in (
        settings.VAR_DIR,
        settings.OPENLINEAGE_FILE,
        settings.DEMO_WAREHOUSE_PATH,
        settings.STATIC_ROOT,
    ):
        assert not is_inside(path, checkout), path
    assert not is_inside(settings.VAR_DIR, CHECKOUT_VAR)


def test_each_test_has_an_openlineage_file_of_its_own(tmp_path_factory):
    base = tmp_path_factory.getbasetemp()

    assert is_inside(settings.OPENLINEAGE_FILE, base)
    assert not Path(settings.OPENLINEAGE_FILE).exists()


def test_the_guard_sees_a_file_that_appeared_or_changed(tmp_path):
    before = var_listing(tmp_path)
    (tmp_path / "openlineage.jsonl").write_text("{}\n")
    appeared = var_listing(tmp_path)
    (tmp_path / "openlineage.jsonl").write_text("{}\n{}\n")

    assert before == {}
    assert set(appeared) == {"openlineage.jsonl"}
    assert var_listing(tmp_path) != appeared
