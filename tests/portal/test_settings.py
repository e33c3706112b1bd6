"""Start-up failure modes: one clear line, never a stack trace."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
START_DJANGO = "import django; django.setup(); print('started')"


def _start(**overrides: str) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}}
    environment.update(DJANGO_SETTINGS_MODULE="rmo_portal.settings", READ_DOTENV="false", **overrides)
    return subprocess.run(
        [sys.executable, "-c", START_DJANGO], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )


def test_production_without_secret_key_refuses_to_start_with_one_line():
    result = _start(DEBUG="false")

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "設定エラー / configuration error: SECRET_KEY is not set. Set SECRET_KEY in the environment "
        "(or DEBUG=true for local development)."
    ]


def test_malformed_database_url_refuses_to_start_with_one_line():
    result = _start(SECRET_KEY="x" * 50, DATABASE_URL="not a url at all")

    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("設定エラー / configuration error: DATABASE_URL is malformed")


def test_debug_without_database_url_starts_on_embedded_sqlite(tmp_path):
    check = (
        "import django; django.setup(); from django.conf import settings as s; d = s.DATABASES['default'];"
        "print(d['ENGINE'], d['OPTIONS']['transaction_mode'], 'journal_mode=WAL' in d['OPTIONS']['init_command'])"
    )
    environment = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "DATABASE_URL"}}
    environment.update(DJANGO_SETTINGS_MODULE="rmo_portal.settings", READ_DOTENV="false", DEBUG="true", SQLITE_PATH=str(tmp_path / "db.sqlite3"))

    result = subprocess.run([sys.executable, "-c", check], cwd=ROOT, env=environment, capture_output=True, text=True)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.sqlite3 IMMEDIATE True"


def _setting_in(environment_overrides: dict[str, str], name: str) -> str:
    script = f"import django; django.setup(); from django.conf import settings; print(settings.{name})"
    environment = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "DEBUG", name}}
    environment.update(DJANGO_SETTINGS_MODULE="rmo_portal.settings", READ_DOTENV="false", **environment_overrides)
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_requires_two_step_login_of_staff_by_default():
    assert _setting_in({"DEBUG": "false", "SECRET_KEY": "x" * 50}, "REQUIRE_STAFF_2FA") == "True"


def test_debug_quick_start_relaxes_two_step_login_unless_asked():
    assert _setting_in({"DEBUG": "true"}, "REQUIRE_STAFF_2FA") == "False"
    assert _setting_in({"DEBUG": "true", "REQUIRE_STAFF_2FA": "true"}, "REQUIRE_STAFF_2FA") == "True"
