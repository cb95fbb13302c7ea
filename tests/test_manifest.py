"""The Teams app package: manifest.json and its two icons, zipped by bot.manifest.build_app_package.

The manifest is checked against Microsoft's own JSON schema for the version it declares, taken from the
npm package @microsoft/app-manifest in tests/node (installed by npm on first use if it is missing).
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from PIL import Image
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT4

TESTS_DIR = Path(__file__).resolve().parent
REPO_ROOT = TESTS_DIR.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bot.dev.manifest import APP_ID_PLACEHOLDER, build_app_package  # noqa: E402

NODE_DIR = TESTS_DIR / "node"
SCHEMA_PACKAGE = NODE_DIR / "node_modules" / "@microsoft" / "app-manifest"
TEAMS_SCHEMAS = SCHEMA_PACKAGE / "build" / "json-schemas" / "teams"
SCHEMA_URL_PREFIX = "https://developer.microsoft.com/json-schemas/teams/"
MANIFEST_DIR = REPO_ROOT / "manifest"

APP_ID = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"


@pytest.fixture(scope="session")
def teams_schemas() -> Path:
    """The folder of Microsoft's Teams manifest schemas, running npm in tests/node if it is missing."""
    if not TEAMS_SCHEMAS.is_dir():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail(
                f"Microsoft's Teams manifest schemas are missing ({TEAMS_SCHEMAS}) and npm is not on PATH "
                f"to install them: run `npm ci` in {NODE_DIR}"
            )
        command = [npm, "ci"] if (NODE_DIR / "package-lock.json").is_file() else [npm, "install"]
        result = subprocess.run(command, cwd=NODE_DIR, capture_output=True, text=True, check=False)
        if result.returncode != 0 or not TEAMS_SCHEMAS.is_dir():
            pytest.fail(
                f"`{' '.join(command)}` in {NODE_DIR} did not install the Teams manifest schemas "
                f"(exit {result.returncode}):\n{result.stdout}\n{result.stderr}"
            )
    return TEAMS_SCHEMAS


@pytest.fixture
def package(tmp_path: Path) -> Path:
    return build_app_package(APP_ID, tmp_path / "out" / "app.zip")


@pytest.fixture
def members(package: Path) -> Iterator[dict[str, bytes]]:
    with zipfile.ZipFile(package) as archive:
        yield {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture
def manifest(members: dict[str, bytes]) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(members["manifest.json"])
    return loaded


def local_schema_path(teams_schemas: Path, url: str) -> Path:
    """Map a Microsoft schema URL to its copy in the npm package, or fail saying which URL."""
    if not url.startswith(SCHEMA_URL_PREFIX):
        pytest.fail(f"{url} is not one of Microsoft's Teams schemas; there is no network here to fetch it")
    path = teams_schemas / url.removeprefix(SCHEMA_URL_PREFIX)
    if not path.is_file():
        pytest.fail(f"{url} has no local copy at {path}: is @microsoft/app-manifest too old for it?")
    return path


def schema_registry(teams_schemas: Path) -> Registry[Any]:
    """A registry that resolves Microsoft's schema URLs from the npm package and refuses any other."""

    def retrieve(uri: str) -> Resource[Any]:
        if not uri.startswith(SCHEMA_URL_PREFIX):
            raise NoSuchResource(ref=uri)
        path = local_schema_path(teams_schemas, uri)
        return Resource.from_contents(json.loads(path.read_text(encoding="utf-8")), DRAFT4)

    return Registry(retrieve=retrieve)  # type: ignore[call-arg]  # attrs field, unseen by mypy


def schema_errors(manifest: dict[str, Any], teams_schemas: Path) -> list[str]:
    """Validate against the schema the manifest declares, with the JSON Schema draft that schema names."""
    schema_path = local_schema_path(teams_schemas, manifest["$schema"])
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    assert schema["$schema"].startswith("http://json-schema.org/draft-04/"), "the schema changed draft"
    # Some patterns use ECMAScript's \p{L}, which Python's re lacks: check the schema's structure only.
    validator_class.check_schema(schema, format_checker=None)
    validator = validator_class(
        schema,
        registry=schema_registry(teams_schemas),
        format_checker=validator_class.FORMAT_CHECKER,
    )
    errors = sorted(validator.iter_errors(manifest), key=lambda error: list(error.absolute_path))
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in errors]


def test_the_built_app_package_validates_against_the_official_schema(
    manifest: dict[str, Any], teams_schemas: Path
) -> None:
    errors = schema_errors(manifest, teams_schemas)
    assert not errors, "\n".join(errors)


def test_the_schema_check_catches_a_broken_manifest(manifest: dict[str, Any], teams_schemas: Path) -> None:
    broken = {**manifest, "id": "not-a-guid", "surprise": True}
    broken["bots"] = [{**manifest["bots"][0], "scopes": ["everywhere"]}]
    errors = "\n".join(schema_errors(broken, teams_schemas))
    assert "id: 'not-a-guid' does not match" in errors
    assert "'surprise' was unexpected" in errors
    assert "bots/0/scopes/0: 'everywhere' is not one of" in errors


def test_the_manifest_declares_microsofts_schema_url_for_its_own_version(
    manifest: dict[str, Any], teams_schemas: Path
) -> None:
    version = manifest["manifestVersion"]
    assert manifest["$schema"] == f"{SCHEMA_URL_PREFIX}v{version}/MicrosoftTeams.schema.json"
    # The schemas say they are draft-04, which has no `const`: check manifestVersion against it by hand.
    schema = json.loads(local_schema_path(teams_schemas, manifest["$schema"]).read_text(encoding="utf-8"))
    assert schema["properties"]["manifestVersion"]["const"] == version


# Microsoft's manifest reference names 1.22 as the current version; the npm package already ships newer
# schemas that Teams' upload may not accept yet. Move this on deliberately, after a real sideload.
DOCUMENTED_CURRENT_VERSION = "1.22"


def test_the_manifest_declares_the_version_microsoft_documents_as_current(manifest: dict[str, Any]) -> None:
    assert manifest["manifestVersion"] == DOCUMENTED_CURRENT_VERSION


def test_the_zip_has_the_manifest_and_both_icons_at_its_root_and_nothing_else(
    members: dict[str, bytes],
) -> None:
    assert sorted(members) == ["color.png", "manifest.json", "outline.png"]


def test_the_app_id_fills_every_placeholder_and_none_is_left(
    members: dict[str, bytes], manifest: dict[str, Any]
) -> None:
    text = members["manifest.json"].decode("utf-8")
    assert APP_ID_PLACEHOLDER not in text
    assert "{{" not in text
    assert "}}" not in text
    assert manifest["id"] == APP_ID
    assert manifest["bots"][0]["botId"] == APP_ID


def test_the_committed_manifest_keeps_the_placeholder_for_the_build_to_fill() -> None:
    manifest = json.loads((MANIFEST_DIR / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["id"] == APP_ID_PLACEHOLDER
    assert manifest["bots"][0]["botId"] == APP_ID_PLACEHOLDER


def test_the_bot_is_conversational_in_personal_and_team_scopes_and_takes_files(
    manifest: dict[str, Any],
) -> None:
    (bot,) = manifest["bots"]
    assert {"personal", "team"} <= set(bot["scopes"])
    assert bot["supportsFiles"] is True
    assert bot["isNotificationOnly"] is False


def test_every_command_the_manifest_offers_is_one_the_bot_handles(manifest: dict[str, Any]) -> None:
    from sqlalchemy import create_engine

    from bot.http.app import build_routes
    from cluster.clock import Clock

    routes = build_routes(create_engine("sqlite://"), Clock(), None)  # type: ignore[arg-type]
    lists = {tuple(entry["scopes"]): entry["commands"] for entry in manifest["bots"][0]["commandLists"]}
    personal = {command["title"] for command in lists[("personal",)]}
    team = {command["title"] for command in lists[("team",)]}
    assert {"help", "whoami", "next meeting", "new referral", "my referrals"} <= personal
    assert personal <= set(routes.personal)
    assert team <= set(routes.channel) | {"link cluster"}


def test_the_icons_have_the_sizes_teams_needs(members: dict[str, bytes], manifest: dict[str, Any]) -> None:
    with Image.open(io.BytesIO(members[manifest["icons"]["color"]])) as color:
        assert color.format == "PNG"
        assert color.size == (192, 192)
    with Image.open(io.BytesIO(members[manifest["icons"]["outline"]])) as outline:
        assert outline.format == "PNG"
        assert outline.size == (32, 32)


def test_the_outline_icon_is_white_on_a_transparent_background(
    members: dict[str, bytes], manifest: dict[str, Any]
) -> None:
    with Image.open(io.BytesIO(members[manifest["icons"]["outline"]])) as outline:
        pixels = list(outline.convert("RGBA").get_flattened_data())
    transparent = [pixel for pixel in pixels if pixel[3] == 0]
    white = [pixel for pixel in pixels if pixel == (255, 255, 255, 255)]
    assert len(transparent) + len(white) == len(pixels), "some pixels are neither transparent nor white"
    assert transparent, "the outline has no transparent background"
    assert white, "the outline has no white glyph"


def test_the_colour_icon_is_opaque_colour_not_a_transparent_outline(
    members: dict[str, bytes], manifest: dict[str, Any]
) -> None:
    with Image.open(io.BytesIO(members[manifest["icons"]["color"]])) as color:
        rgba = color.convert("RGBA")
    centre = rgba.crop((48, 48, 144, 144))
    assert all(pixel[3] == 255 for pixel in centre.get_flattened_data())
    assert len(set(rgba.getpixel((96, 10))[:3])) > 1, "the background should be the accent colour"


@pytest.mark.parametrize(
    "app_id",
    [
        "",
        "not-a-guid",
        APP_ID_PLACEHOLDER,
        APP_ID.replace("-", ""),
        "{" + APP_ID + "}",
        APP_ID[:-1],
        APP_ID[:-1] + "g",
    ],
)
def test_an_app_id_that_is_not_a_guid_is_refused_with_a_clear_message(tmp_path: Path, app_id: str) -> None:
    with pytest.raises(ValueError, match=r"Microsoft App ID must be a GUID"):
        build_app_package(app_id, tmp_path / "app.zip")
    assert not (tmp_path / "app.zip").exists()


@pytest.mark.parametrize("folder", ["", "new/folder"])
def test_a_folder_as_the_output_gets_a_named_zip_inside_it(tmp_path: Path, folder: str) -> None:
    path = build_app_package(APP_ID.upper(), tmp_path / folder)
    assert path.parent == tmp_path / folder
    assert path.suffix == ".zip"
    assert zipfile.is_zipfile(path)


def test_building_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    first = build_app_package(APP_ID, tmp_path / "first.zip")
    second = build_app_package(APP_ID, tmp_path / "second.zip")
    assert first.read_bytes() == second.read_bytes()


def test_a_missing_manifest_folder_is_named_in_the_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(FileNotFoundError, match=re.escape(str(missing / "manifest.json"))):
        build_app_package(APP_ID, tmp_path / "app.zip", manifest_dir=missing)


def test_an_icon_of_the_wrong_size_is_refused(tmp_path: Path) -> None:
    manifest_dir = tmp_path / "manifest"
    manifest_dir.mkdir()
    for name in ("manifest.json", "color.png"):
        shutil.copy(MANIFEST_DIR / name, manifest_dir / name)
    Image.new("RGBA", (64, 64), (0, 0, 0, 0)).save(manifest_dir / "outline.png")
    with pytest.raises(ValueError, match=r"outline icon .* is 64x64 pixels; Teams needs 32x32"):
        build_app_package(APP_ID, tmp_path / "app.zip", manifest_dir=manifest_dir)


# What the Teams meeting's events need (Microsoft's Teams SDK guide; ChannelMeetingParticipant.Read.Group is
# documented as a team's delegated permission): the meeting's start and end, and who joins and leaves.
MEETING_EVENT_PERMISSIONS = {
    ("OnlineMeeting.ReadBasic.Chat", "Application"),
    ("ChannelMeeting.ReadBasic.Group", "Application"),
    ("OnlineMeetingParticipant.Read.Chat", "Application"),
    ("ChannelMeetingParticipant.Read.Group", "Delegated"),
}


def test_the_manifest_asks_for_what_the_teams_meeting_events_need(manifest: dict[str, Any]) -> None:
    granted = {(p["name"], p["type"]) for p in manifest["authorization"]["permissions"]["resourceSpecific"]}
    assert granted >= MEETING_EVENT_PERMISSIONS
    assert manifest["webApplicationInfo"]["id"] == APP_ID, "resource-specific consent names the bot's own app"
    assert {"team", "groupChat"} <= set(manifest["bots"][0]["scopes"]), "channel meetings and meeting chats"
