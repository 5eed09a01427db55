from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.env import ImproperSetting, env_bool, env_float, env_int, env_list


@pytest.mark.parametrize(
    ("raw", "expected"), [("True", True), ("1", True), ("false", False), ("0", False)]
)
def test_env_bool_reads_true_and_false(monkeypatch, raw, expected):
    monkeypatch.setenv("FLAG", raw)

    assert env_bool("FLAG", "False") is expected


@pytest.mark.parametrize("raw", ["yes", "on", "2", "tru"])
def test_env_bool_fails_loudly_on_anything_else(monkeypatch, raw):
    monkeypatch.setenv("FLAG", raw)

    with pytest.raises(ImproperSetting, match="FLAG must be one of"):
        env_bool("FLAG", "False")


def test_env_int_fails_loudly_on_a_non_number(monkeypatch):
    monkeypatch.setenv("SIZE", "ten")

    with pytest.raises(ImproperSetting, match="SIZE must be an integer"):
        env_int("SIZE", 1)


@pytest.mark.parametrize("raw", ["two", "-1", "nan", "inf"])
def test_env_float_fails_loudly_on_anything_but_a_finite_number_of_at_least_0(monkeypatch, raw):
    monkeypatch.setenv("BUDGET_S", raw)

    with pytest.raises(ImproperSetting, match="BUDGET_S must be"):
        env_float("BUDGET_S", 2.0)


def test_env_float_reads_a_number_or_gives_the_default(monkeypatch):
    monkeypatch.setenv("BUDGET_S", "0.5")
    assert env_float("BUDGET_S", 2.0) == 0.5
    monkeypatch.delenv("BUDGET_S")
    assert env_float("BUDGET_S", 2.0) == 2.0


def test_env_list_splits_on_commas(monkeypatch):
    monkeypatch.setenv("HOSTS", "a.example, b.example,,")

    assert env_list("HOSTS", "") == ["a.example", "b.example"]


def run_settings(tmp_path, **env) -> subprocess.CompletedProcess:
    unset = ("SECRET_KEY", "AUDIT_SIGNING_KEY", "DEBUG")
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    clean.update(env, TRIBUTARY_VAR_DIR=str(tmp_path))
    return subprocess.run(
        [sys.executable, "-c", "import config.settings as s; print(s.DEBUG)"],
        env=clean,
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent.parent,
        check=False,
    )


def test_settings_refuse_to_start_without_a_secret_key_when_debug_is_off(tmp_path):
    result = run_settings(tmp_path, DEBUG="False")

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_settings_generate_a_local_secret_key_once(tmp_path):
    assert run_settings(tmp_path).returncode == 0
    key = (tmp_path / "secret_key").read_text()

    assert run_settings(tmp_path).returncode == 0
    assert (tmp_path / "secret_key").read_text() == key
    assert len(key) >= 50


def test_settings_refuse_to_start_without_an_audit_signing_key_when_debug_is_off(tmp_path):
    result = run_settings(tmp_path, DEBUG="False", SECRET_KEY="s" * 50)

    assert result.returncode != 0
    assert "AUDIT_SIGNING_KEY must be set when DEBUG is off" in result.stderr


def test_settings_generate_a_local_audit_signing_key_readable_by_the_server_only(tmp_path):
    assert run_settings(tmp_path).returncode == 0
    path = tmp_path / "audit_signing_key"
    key = path.read_text()

    assert run_settings(tmp_path).returncode == 0
    assert path.read_text() == key
    assert len(key) >= 50
    assert key != (tmp_path / "secret_key").read_text()
    assert path.stat().st_mode & 0o077 == 0


def test_settings_refuse_a_bad_debug_value(tmp_path):
    result = run_settings(tmp_path, DEBUG="yes")

    assert "DEBUG must be one of" in result.stderr
