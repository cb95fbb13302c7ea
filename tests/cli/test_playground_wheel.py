"""The playground and the app package from an installed wheel, away from the checkout.

The wheel is built from this checkout and installed, with its console script, into a fresh venv in a
temporary folder; its dependencies come from the test's own venv through a ``.pth`` line (so nothing is
downloaded, and the checkout's editable install is not seen). Each command runs from a folder that is not
the checkout.
"""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.dev.manifest import PACKAGED_MANIFEST_DIR
from bot.dev.playground import (
    PLAYGROUND_BIN_ENV,
    PLAYGROUND_PACKAGE,
    PLAYGROUND_VERSION,
    locate_playground,
    playground_cache_dir,
)

REPO = Path(__file__).resolve().parents[2]
REAL_PLAYGROUND = REPO / "tests" / "node" / "node_modules" / ".bin" / "agentsplayground"
APP_ID = "11111111-2222-3333-4444-555555555555"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The ``bin`` folder of a fresh venv with the wheel built from this checkout installed in it."""
    root = tmp_path_factory.mktemp("wheel")
    # Build isolation fetches setuptools and wheel from the configured index (a local mirror here), which now
    # and then fails to answer: the build is tried three times, and a real build failure says why.
    build = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(root / "dist"), str(REPO)]
    for attempt in range(3):
        built = subprocess.run(build, capture_output=True, text=True)
        if built.returncode == 0:
            break
        time.sleep(2 * (attempt + 1))
    assert built.returncode == 0, f"the wheel did not build:\n{built.stdout}\n{built.stderr}"
    (wheel,) = (root / "dist").glob("clusterbot-*.whl")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
    )
    venv_site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # A plain path line: the dependencies, without the .pth files there (the checkout's editable install).
    (Path(venv_site) / "test-dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    yield venv / "bin"


def clusterbot(bin_dir: Path, cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {"PATH": f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin", "HOME": str(cwd / "home")}
    return subprocess.run(
        [str(bin_dir / "clusterbot"), *args],
        cwd=cwd,
        env={**base, "DATABASE_URL": f"sqlite:///{cwd / 'x.db'}", **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_the_installed_package_is_the_one_tested_not_the_checkout(installed: Path, tmp_path: Path) -> None:
    found = subprocess.run(
        [
            str(installed / "python"),
            "-c",
            "import bot.dev.playground, bot.dev.manifest; print(bot.dev.playground.__file__)",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert found.startswith(str(installed.parent)), found
    assert not found.startswith(str(REPO))


def test_an_installed_clusterbot_finds_the_playground_named_by_clusterbot_playground_bin(
    installed: Path, tmp_path: Path
) -> None:
    if not REAL_PLAYGROUND.exists():
        pytest.skip(f"the Agents Playground is not installed in {REAL_PLAYGROUND.parent} (scripts/test installs it)")

    done = clusterbot(installed, tmp_path, "playground", "--check", **{PLAYGROUND_BIN_ENV: str(REAL_PLAYGROUND)})

    assert done.returncode == 0, done.stderr
    assert f"Agents Playground: {REAL_PLAYGROUND} (from {PLAYGROUND_BIN_ENV})" in done.stdout
    assert not (tmp_path / ".playground").exists(), "a check starts nothing"


def test_an_installed_clusterbot_without_any_playground_names_the_cache_install_it_would_do(
    installed: Path, tmp_path: Path
) -> None:
    done = clusterbot(installed, tmp_path, "playground", "--check")

    assert done.returncode == 2
    cache = tmp_path / "home" / ".cache" / "clusterbot" / "playground" / PLAYGROUND_VERSION
    assert f"install --prefix {cache}" in done.stdout
    assert f"{PLAYGROUND_PACKAGE}@{PLAYGROUND_VERSION}" in done.stdout
    assert not cache.exists(), "a check installs nothing"


def test_an_installed_clusterbot_uses_the_playground_once_it_is_in_the_cache(installed: Path, tmp_path: Path) -> None:
    cached = playground_cache_dir({"HOME": str(tmp_path / "home")}) / "node_modules" / ".bin" / "agentsplayground"
    cached.parent.mkdir(parents=True)
    cached.write_text("#!/bin/sh\n")
    cached.chmod(0o755)

    done = clusterbot(installed, tmp_path, "playground", "--check")

    assert done.returncode == 0, done.stderr
    assert f"Agents Playground: {cached} (installed in the cache" in done.stdout


def test_a_playground_bin_that_is_not_there_is_refused_by_name(installed: Path, tmp_path: Path) -> None:
    done = clusterbot(installed, tmp_path, "playground", "--check", **{PLAYGROUND_BIN_ENV: str(tmp_path / "nope")})

    assert done.returncode == 2
    assert f"{PLAYGROUND_BIN_ENV}={tmp_path / 'nope'} is not a file that can be run" in done.stderr


def test_an_installed_clusterbot_builds_the_teams_app_package(installed: Path, tmp_path: Path) -> None:
    done = clusterbot(installed, tmp_path, "manifest", "build", "--out", "app.zip", "--app-id", APP_ID)

    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(tmp_path / "app.zip") as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        assert json.loads(archive.read("manifest.json"))["bots"][0]["botId"] == APP_ID


def test_the_pinned_playground_version_is_the_one_tests_node_pins() -> None:
    package = json.loads((REPO / "tests" / "node" / "package.json").read_text(encoding="utf-8"))
    assert package["devDependencies"][PLAYGROUND_PACKAGE] == PLAYGROUND_VERSION


def test_the_packaged_manifest_and_icons_are_the_checkouts_own() -> None:
    for name in ("manifest.json", "color.png", "outline.png"):
        assert (PACKAGED_MANIFEST_DIR / name).read_bytes() == (REPO / "manifest" / name).read_bytes(), (
            f"copy manifest/{name} to bot/teams_app/{name}"
        )


def _runnable(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


def test_the_playground_is_looked_for_in_order_bin_checkout_path_cache(tmp_path: Path) -> None:
    named = _runnable(tmp_path / "named" / "agentsplayground")
    checkout = tmp_path / "node"
    _runnable(checkout / "node_modules" / ".bin" / "agentsplayground")
    on_path = _runnable(tmp_path / "path" / "agentsplayground")
    env = {"HOME": str(tmp_path / "home"), "PATH": str(on_path.parent), PLAYGROUND_BIN_ENV: str(named)}

    assert locate_playground(env, checkout).binary == named
    del env[PLAYGROUND_BIN_ENV]
    assert locate_playground(env, checkout).binary == checkout / "node_modules" / ".bin" / "agentsplayground"
    assert locate_playground(env, tmp_path / "no-checkout").binary == on_path
    env["PATH"] = str(tmp_path / "empty")
    nothing = locate_playground(env, tmp_path / "no-checkout")
    assert nothing.binary is None and nothing.install is not None
    assert nothing.install.folder == tmp_path / "home" / ".cache" / "clusterbot" / "playground" / PLAYGROUND_VERSION


def test_a_checkout_without_node_modules_would_install_from_its_lock_file(tmp_path: Path) -> None:
    checkout = tmp_path / "node"
    checkout.mkdir()
    (checkout / "package.json").write_text("{}")
    (checkout / "package-lock.json").write_text("{}")

    located = locate_playground({"HOME": str(tmp_path), "PATH": str(tmp_path / "empty")}, checkout)

    assert located.install is not None
    assert located.install.command[1] == "ci" and located.install.folder == checkout
