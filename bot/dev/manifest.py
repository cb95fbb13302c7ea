"""Build the Teams app package: the zip that an administrator uploads to Teams.

The package is ``manifest.json``, ``color.png`` (192x192) and ``outline.png`` (32x32), all at the root of
the zip. The committed ``manifest/manifest.json`` names the bot's Microsoft App ID as the placeholder
``{{MICROSOFT_APP_ID}}``; :func:`build_app_package` puts the real id in its place.

The ``manifest`` folder lives at the root of the repository, beside the ``bot`` package; a copy of its
manifest and icons ships in the installed package as ``bot/teams_app`` (package data, kept identical by
tests/cli/test_playground_wheel.py), so ``clusterbot manifest build`` works from a wheel too. A checkout
uses its ``manifest`` folder, where the manifest is edited.

This module needs only the standard library: icon sizes are read from the PNG header, not with Pillow.

Run it as ``python -m bot.dev.manifest APP_ID OUT`` to write the package from the command line.
"""

from __future__ import annotations

import argparse
import json
import re
import struct
import sys
import zipfile
from pathlib import Path
from typing import Any

__all__ = [
    "APP_ID_PLACEHOLDER",
    "DEFAULT_PACKAGE_NAME",
    "ICON_SIZES",
    "PACKAGED_MANIFEST_DIR",
    "build_app_package",
    "default_manifest_dir",
    "main",
    "png_size",
]

APP_ID_PLACEHOLDER = "{{MICROSOFT_APP_ID}}"
"""Stands for the bot's Microsoft App ID in the committed manifest."""

DEFAULT_PACKAGE_NAME = "clusterbot-teams-app.zip"
"""The zip's file name when :func:`build_app_package` is given a folder rather than a ``.zip`` path."""

ICON_SIZES: dict[str, int] = {"color": 192, "outline": 32}
"""Width and height, in pixels, that Teams requires of each icon named in the manifest."""

_GUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_LEFTOVER_PLACEHOLDER = re.compile(r"\{\{[A-Za-z0-9_]+\}\}")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# A fixed timestamp makes two builds of the same inputs byte-for-byte identical.
_ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)


PACKAGED_MANIFEST_DIR = Path(__file__).resolve().parents[1] / "teams_app"
"""The copy of the manifest and icons installed with the package."""


def default_manifest_dir() -> Path:
    """Return the checkout's ``manifest`` folder beside the ``bot`` package, or else the installed copy."""
    checkout = Path(__file__).resolve().parents[2] / "manifest"
    return checkout if (checkout / "manifest.json").is_file() else PACKAGED_MANIFEST_DIR


def png_size(data: bytes, name: str = "image") -> tuple[int, int]:
    """Return ``(width, height)`` of a PNG from its IHDR header.

    Raises ValueError, naming ``name``, if ``data`` does not start like a PNG file.
    """
    # Signature (8 bytes), then the first chunk: length (4), type b"IHDR" (4), width (4), height (4).
    if len(data) < 24 or not data.startswith(_PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise ValueError(f"{name} is not a PNG file")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def _check_app_id(app_id: str) -> str:
    """Return ``app_id`` without surrounding spaces, or raise ValueError if it is not a GUID."""
    candidate = app_id.strip()
    if not _GUID.fullmatch(candidate):
        raise ValueError(
            f"The Microsoft App ID must be a GUID like 00000000-0000-0000-0000-000000000000 "
            f"(the bot's app registration id), not {app_id!r}"
        )
    return candidate


def _icon_files(manifest: dict[str, Any], manifest_dir: Path) -> dict[str, bytes]:
    """Read the icons the manifest names, checking they sit beside it and have Teams' sizes."""
    icons = manifest.get("icons")
    if not isinstance(icons, dict):
        raise ValueError(f"{manifest_dir / 'manifest.json'} has no 'icons' object")
    files: dict[str, bytes] = {}
    for role, size in ICON_SIZES.items():
        name = icons.get(role)
        if not isinstance(name, str) or not name or Path(name).name != name:
            raise ValueError(
                f"icons.{role} in {manifest_dir / 'manifest.json'} must be a file name at the package "
                f"root, not {name!r}"
            )
        path = manifest_dir / name
        if not path.is_file():
            raise FileNotFoundError(f"The {role} icon {path} is missing")
        data = path.read_bytes()
        actual = png_size(data, str(path))
        if actual != (size, size):
            raise ValueError(f"The {role} icon {path} is {actual[0]}x{actual[1]} pixels; Teams needs {size}x{size}")
        files[name] = data
    return files


def build_app_package(app_id: str, out: Path, manifest_dir: Path | None = None) -> Path:
    """Write the Teams app package for the bot ``app_id`` and return the zip's path.

    ``out`` is the zip file to write when it ends in ``.zip``; otherwise it is a folder to write
    ``clusterbot-teams-app.zip`` in. Missing folders are created. ``manifest_dir`` is the folder holding
    ``manifest.json`` and its icons, by default the repository's ``manifest`` folder.

    Raises ValueError if ``app_id`` is not a GUID, if the manifest still holds a ``{{...}}`` placeholder
    after the id is filled in, or if an icon is not a PNG of the size Teams needs; FileNotFoundError if
    the manifest folder or one of its files is missing.
    """
    guid = _check_app_id(app_id)
    folder = default_manifest_dir() if manifest_dir is None else manifest_dir
    manifest_path = folder / "manifest.json"
    if not manifest_path.is_file():
        raise FileNotFoundError(
            f"No Teams app manifest at {manifest_path}: pass the folder holding manifest.json and its icons "
            f"(manifest_dir, or --manifest-dir)."
        )

    text = manifest_path.read_text(encoding="utf-8")
    if APP_ID_PLACEHOLDER not in text:
        raise ValueError(f"{manifest_path} does not contain the placeholder {APP_ID_PLACEHOLDER}")
    text = text.replace(APP_ID_PLACEHOLDER, guid)
    leftover = sorted(set(_LEFTOVER_PLACEHOLDER.findall(text)))
    if leftover:
        raise ValueError(f"{manifest_path} has placeholders that nothing fills in: {', '.join(leftover)}")
    try:
        manifest = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"{manifest_path} is not valid JSON: {error}") from error
    if not isinstance(manifest, dict):
        raise ValueError(f"{manifest_path} must hold a JSON object")

    members = {"manifest.json": text.encode("utf-8"), **_icon_files(manifest, folder)}

    target = out if out.suffix.lower() == ".zip" and not out.is_dir() else out / DEFAULT_PACKAGE_NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return target


def main(argv: list[str] | None = None) -> int:
    """Build the app package from the command line; return the process exit status."""
    parser = argparse.ArgumentParser(prog="python -m bot.dev.manifest", description="Build the Teams app package.")
    parser.add_argument("app_id", help="the bot's Microsoft App ID (a GUID)")
    parser.add_argument("out", type=Path, help="zip file (*.zip) to write, or a folder to write it in")
    parser.add_argument("--manifest-dir", type=Path, default=None, help="folder holding manifest.json")
    args = parser.parse_args(argv)
    try:
        path = build_app_package(args.app_id, args.out, args.manifest_dir)
    except (ValueError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
