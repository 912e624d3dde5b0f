"""Under CI, a missing part or a skipped test fails the run (tests/fixtures/ci_loud.py), in a real pytest run."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.fixtures.ci_loud import missing_parts

SKIPPING_TEST = "import pytest\n\ndef test_needs_a_part():\n    pytest.skip('the part is missing')\n"


def _pytest(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    (tmp_path / "test_probe.py").write_text(SKIPPING_TEST)
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "onport.settings_test", **env}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "tests.fixtures.ci_loud",
            "--rootdir",
            str(tmp_path),
            "-c",
            os.devnull,
            str(tmp_path / "test_probe.py"),
        ],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_skipped_test_fails_a_ci_run_and_only_a_ci_run(tmp_path):
    if missing := missing_parts():
        pytest.skip(f"this machine lacks {missing[0]}")  # which, under CI, fails the run before it gets here
    under_ci = _pytest(tmp_path, CI="true")
    locally = _pytest(tmp_path, CI="")

    assert under_ci.returncode == 1, under_ci.stdout + under_ci.stderr
    assert "1 test(s) skipped, which fails the run" in under_ci.stdout
    assert locally.returncode == 0, locally.stdout + locally.stderr


def test_a_ci_run_without_redis_stops_before_any_test_and_says_what_is_missing(tmp_path):
    result = _pytest(tmp_path, CI="true", REDIS_URL="")

    assert result.returncode == 3
    assert "missing: Redis (REDIS_URL)" in result.stdout + result.stderr
