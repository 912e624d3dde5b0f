""".dockerignore, the Dockerfile and compose: what goes into the image, who runs it, where gunicorn listens.

Docker's own matcher (`docker.utils.build.exclude_paths`) is not installed and not worth a dependency, so
`_excluded` follows Docker's documented .dockerignore rules for the patterns the file uses: paths relative to the
context, one pattern segment per path segment (`*` and `?` never cross `/`), `**` any number of segments, and a
matched directory excludes everything under it. Exceptions (`!`) are not implemented: a test refuses them.
"""

import os
import shlex
from fnmatch import fnmatchcase

import pytest
import yaml
from django.conf import settings

ROOT = settings.BASE_DIR


def _patterns() -> list[str]:
    patterns = []
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            patterns.append(os.path.normpath(line).strip("/"))  # Docker cleans each pattern the same way
    return patterns


def _segments_match(pattern: list[str], path: list[str]) -> bool:
    if not pattern:
        return not path
    head, rest = pattern[0], pattern[1:]
    if head == "**":
        return any(_segments_match(rest, path[i:]) for i in range(len(path) + 1))
    return bool(path) and fnmatchcase(path[0], head) and _segments_match(rest, path[1:])


def _excluded(path: str, patterns: list[str]) -> bool:
    """Left out of the build context: a pattern matches the path or one of its parent directories."""
    parts = path.split("/")
    return any(
        _segments_match(pattern.split("/"), parts[:depth]) for pattern in patterns for depth in range(1, len(parts) + 1)
    )


def test_the_file_uses_only_the_rules_this_checker_knows():
    assert not [pattern for pattern in _patterns() if pattern.startswith("!")]


@pytest.mark.parametrize(
    "path",
    [
        ".env",
        ".env.local",
        ".env.production",
        ".env.example",
        "var/x",
        "var/xero-sandbox.json",
        "var/celery-broker/msg",
        ".venv",
        ".venv/bin/python",
        "db.sqlite3",
        ".git/HEAD",
        "staticfiles/css/onport.css",
        "onport/__pycache__/settings.cpython-311.pyc",
        "tests/__pycache__/conftest.cpython-311.pyc",
        "onport/stale.pyc",
        "node_modules/htmx/package.json",
        "static/node_modules/x.js",
        "onport.egg-info/PKG-INFO",
        "test-results/trace.zip",
        ".pytest_cache/README.md",
    ],
)
def test_secrets_local_state_and_caches_stay_out_of_the_image(path):
    assert _excluded(path, _patterns())


@pytest.mark.parametrize(
    "path",
    [
        "manage.py",
        "onport/settings.py",
        "onport/gunicorn_conf.py",
        "pyproject.toml",
        "README.md",
        "templates/base.html",
        "static/js/onport.js",
        "static/vendor/htmx-2.0.11.min.js",
        "integrations/xero/sandbox/server.py",
        "accounting/migrations/0001_initial.py",
        ".docker/Dockerfile",
    ],
)
def test_the_code_the_image_runs_goes_in(path):
    assert not _excluded(path, _patterns())


def test_the_checker_agrees_with_docker_on_what_a_single_star_means():
    # `*.pyc` in .dockerignore is the context's top level only: that is why the file says `**/*.pyc`
    assert _excluded("a.pyc", ["*.pyc"]) and not _excluded("onport/a.pyc", ["*.pyc"])
    assert _excluded("onport/a.pyc", ["**/*.pyc"]) and _excluded("a.pyc", ["**/*.pyc"])


def test_walking_this_checkout_sends_no_secret_local_state_or_cache():
    patterns = _patterns()
    sent = []
    for directory, subdirectories, files in os.walk(ROOT):
        relative = os.path.relpath(directory, ROOT)
        relative = "" if relative == "." else relative + "/"
        subdirectories[:] = [name for name in subdirectories if not _excluded(relative + name, patterns)]
        sent += [relative + name for name in files if not _excluded(relative + name, patterns)]
    assert "manage.py" in sent and "onport/settings.py" in sent
    assert not [path for path in sent if path == ".env" or path.endswith(".pyc") or path.endswith(".sqlite3")]
    assert not [path for path in sent if path.split("/")[0] in {".git", ".venv", "var", "staticfiles"}]


def _dockerfile() -> list[tuple[str, str]]:
    lines = (ROOT / ".docker" / "Dockerfile").read_text().splitlines()
    return [tuple(line.split(None, 1)) for line in lines if line.strip() and not line.startswith("#")]


def test_the_image_runs_gunicorn_with_its_config_as_the_onport_user():
    instructions = _dockerfile()
    names = [name for name, _ in instructions]
    users = [argument for name, argument in instructions if name == "USER"]
    cmd = [argument for name, argument in instructions if name == "CMD"]

    assert users[-1] == "onport" and names.index("USER") < names.index("CMD")
    assert names.index("COPY") < names.index("USER")
    assert "--config" in cmd[-1] and "onport/gunicorn_conf.py" in cmd[-1]
    # collectstatic runs after the code's files are made readable to a user other than root
    collectstatic = next(argument for name, argument in instructions if name == "RUN" and "collectstatic" in argument)
    assert collectstatic.index("chmod -R a+rX /app") < collectstatic.index("collectstatic")


def test_compose_publishes_gunicorn_on_loopback_only_with_its_config():
    web = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"]

    assert web["ports"] == ["127.0.0.1:8000:8000"]
    gunicorn = shlex.split(shlex.split(web["command"])[-1].split("&&")[-1])
    assert gunicorn[:3] == ["gunicorn", "--config", "onport/gunicorn_conf.py"]
    assert web["environment"]["TRUST_PROXY_HEADERS"] == "${TRUST_PROXY_HEADERS:-false}"
