"""The clusterbot command as an admin uses it: seed, roster, people, manifest, serve."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import aiohttp
import pytest
from sqlmodel import Session, func, select

from bot.cli.main import run
from store.db import make_engine
from store.models import AuditEvent, Cluster, Meeting, Person, RoleAssignment, Setting
from tests.support import activities as act
from tests.support.fake_connector import FakeConnector


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("MicrosoftAppId", raising=False)
    monkeypatch.chdir(tmp_path)
    return url


def count(url: str, model: type) -> int:
    with Session(make_engine(url)) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_seeding_twice_leaves_exactly_29_central_settings_and_6_meetings(db: str) -> None:
    assert run(["seed"]) == 0
    assert run(["seed"]) == 0
    assert count(db, Cluster) == 1
    assert count(db, Setting) == 29
    assert count(db, Meeting) == 6
    with Session(make_engine(db)) as session:
        names = set(session.exec(select(Setting.name)).all())
        days = sorted(str(d) for d in session.exec(select(Meeting.day)).all())
    assert {"Abbey Hulton Primary School", "Stoke-on-Trent College", "Merit Pupil Referral Unit"} <= names
    assert days == ["2025-10-16", "2025-12-11", "2026-02-05", "2026-03-19", "2026-05-14", "2026-07-09"]


def test_a_roster_imports_people_with_their_roles(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(["seed"])
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "name,email,aad_object_id,role,cluster,setting\n"
        "Sam Senco,sam@etruscan.example,aad-1,senco,Central,Etruscan Primary School\n"
        "Sam Senco,sam@etruscan.example,aad-1,delegate,Central,Waterside Primary School\n"
        "Chris Chair,chris@abbey.example,,chair,Central,\n"
        "Olive Officer,olive@stoke.example,,officer,,\n",
        encoding="utf-8",
    )
    assert run(["roster", "import", str(roster)]) == 0
    assert "3 people and 4 roles added" in capsys.readouterr().out
    assert count(db, Person) == 3 and count(db, RoleAssignment) == 4
    assert run(["roster", "import", str(roster)]) == 0, "importing again changes nothing"
    assert count(db, RoleAssignment) == 4
    out = tmp_path / "export.csv"
    assert run(["roster", "export", "--out", str(out)]) == 0
    exported = out.read_text(encoding="utf-8").splitlines()
    assert exported[0] == "name,email,aad_object_id,role,cluster,setting,service"
    assert "Sam Senco,sam@etruscan.example,aad-1,delegate,Central,Waterside Primary School," in exported
    assert "Olive Officer,olive@stoke.example,,officer,,," in exported
    assert len(exported) == 5


def test_a_bad_roster_line_names_its_line_and_reason_and_nothing_is_imported(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(["seed"])
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "name,email,aad_object_id,role,cluster,setting\n"
        "Good Person,good@example.org,,senco,Central,Etruscan Primary School\n"
        "Bad Role,bad@example.org,,headteacher,Central,\n"
        "No Setting,ns@example.org,,senco,Central,Hogwarts\n"
        ",anon@example.org,,chair,Central,\n",
        encoding="utf-8",
    )
    assert run(["roster", "import", str(roster)]) == 1
    err = capsys.readouterr().err
    assert "nothing was imported" in err
    assert "line 3: unknown role 'headteacher'" in err
    assert "line 5: a name is required" in err
    assert count(db, Person) == 0


def test_a_roster_naming_an_unknown_setting_imports_nothing(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(["seed"])
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "name,email,aad_object_id,role,cluster,setting\n"
        "Good Person,good@example.org,,senco,Central,Etruscan Primary School\n"
        "No Setting,ns@example.org,,senco,Central,Hogwarts\n",
        encoding="utf-8",
    )
    assert run(["roster", "import", str(roster)]) == 1
    assert "line 3: no setting 'Hogwarts' in the Central cluster" in capsys.readouterr().err
    assert count(db, Person) == 0 and count(db, RoleAssignment) == 0


def test_a_roster_with_a_wrong_header_is_refused(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("full name,mail\nA,b@c.d\n", encoding="utf-8")
    assert run(["roster", "import", str(roster)]) == 1
    assert "line 1: the header lacks name, role" in capsys.readouterr().err


def test_a_missing_roster_file_is_a_clear_error(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["roster", "import", "nope.csv"]) == 1
    assert "cannot read nope.csv" in capsys.readouterr().err


def test_people_are_added_listed_and_removed_with_their_roles(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    run(["seed"])
    assert (
        run(["people", "add", "--name", "Ada Admin", "--aad", "aad-ada", "--role", "admin", "--cluster", "Central"])
        == 0
    )
    assert (
        run(["people", "add", "--name", "Ada Admin", "--aad", "aad-ada", "--role", "chair", "--cluster", "Central"])
        == 0
    )
    capsys.readouterr()
    assert run(["people", "list", "--cluster", "Central"]) == 0
    listed = capsys.readouterr().out
    assert "Ada Admin" in listed and "Admin, Central cluster" in listed and "Chair, Central cluster" in listed
    assert run(["people", "remove", "aad-ada", "--role", "chair"]) == 0
    assert count(db, RoleAssignment) == 1
    assert run(["people", "remove", "aad-ada"]) == 0
    assert count(db, Person) == 0
    with Session(make_engine(db)) as session:
        actions = session.exec(select(AuditEvent.action)).all()
    assert actions.count("people.remove") == 2


def test_a_role_in_the_wrong_scope_is_refused_with_the_reason(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    run(["seed"])
    assert run(["people", "add", "--name", "X", "--aad", "x", "--role", "senco", "--cluster", "Central"]) == 1
    assert "a SENCO must name a setting" in capsys.readouterr().err
    assert count(db, Person) == 0


def test_bad_arguments_exit_non_zero(db: str) -> None:
    with pytest.raises(SystemExit) as exited:
        run(["people", "add", "--name", "No Role"])
    assert exited.value.code != 0


def test_the_manifest_is_built_with_the_app_id(db: str, tmp_path: Path) -> None:
    out = tmp_path / "app.zip"
    assert run(["manifest", "build", "--out", str(out), "--app-id", "00000000-1111-2222-3333-444444444444"]) == 0
    with zipfile.ZipFile(out) as package:
        assert "00000000-1111-2222-3333-444444444444" in package.read("manifest.json").decode()


def _clusterbot(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=60
    )


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("Microsoft", "CLUSTERBOT_"))}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'serve.db'}"
    env.update(extra)
    return env


def test_serve_without_an_app_id_refuses_to_start_unless_no_auth_is_chosen(tmp_path: Path) -> None:
    result = _clusterbot("serve", env=_env(tmp_path), cwd=tmp_path)
    assert result.returncode != 0
    assert "MicrosoftAppId is empty" in result.stderr and "CLUSTERBOT_ALLOW_NO_AUTH=1" in result.stderr


def test_serve_without_auth_refuses_to_listen_beyond_loopback(tmp_path: Path) -> None:
    result = _clusterbot("serve", "--host", "0.0.0.0", env=_env(tmp_path, CLUSTERBOT_ALLOW_NO_AUTH="1"), cwd=tmp_path)
    assert result.returncode != 0
    assert "loopback" in result.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_the_run_command_starts_a_bot_that_answers_help_at_the_service_url(tmp_path: Path) -> None:
    connector = await FakeConnector().start()
    port = _free_port()
    env = _env(tmp_path, CLUSTERBOT_ALLOW_NO_AUTH="1")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "serve",
        "--seed",
        "--port",
        str(port),
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        async with aiohttp.ClientSession() as http:
            # As long as tests/e2e/botprocess.py waits: on a busy machine (the tests run in parallel) importing
            # the bot and migrating its database can take longer than the ten seconds this once allowed.
            deadline = time.monotonic() + 30
            while True:
                try:
                    async with http.get(f"http://127.0.0.1:{port}/readyz") as response:
                        assert response.status == 200
                        assert (await response.json())["status"] == "ready"
                        break
                except aiohttp.ClientConnectionError:
                    if time.monotonic() > deadline:
                        pytest.fail("the bot did not start")
                    await asyncio.sleep(0.1)
            activity = act.personal_message(connector.url, "aad-nobody", "Nobody", "help")
            async with http.post(f"http://127.0.0.1:{port}/api/messages", json=activity) as response:
                assert response.status == 200
        [call] = await connector.wait_for(1)
        assert "not registered" in str(call.cards)
    finally:
        process.terminate()
        output, _ = await process.communicate()
        await connector.close()
    assert b"AUTHENTICATION IS OFF" in output


def test_an_admin_adds_a_meeting_and_its_deadline_follows_the_clusters_rule(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run(["seed"])
    assert run(["meetings", "add", "--cluster", "Central", "--date", "2026-10-15", "--title", "Autumn 1"]) == 0
    assert "referral deadline Thursday 8 October 2026 23:59" in capsys.readouterr().out
    assert run(["meetings", "add", "--cluster", "Central", "--date", "2026-10-15"]) == 2
    assert "already has a meeting on 15 October 2026" in capsys.readouterr().err
    assert run(["meetings", "list", "--cluster", "Central"]) == 0
    assert "2026-10-15\t09:30-13:00\tAutumn 1\tdeadline 2026-10-08 23:59" in capsys.readouterr().out
    assert count(db, Meeting) == 7


def test_a_meeting_date_that_is_not_a_date_exits_non_zero(db: str) -> None:
    with pytest.raises(SystemExit) as exited:
        run(["meetings", "add", "--cluster", "Central", "--date", "next thursday"])
    assert exited.value.code != 0


def test_the_capital_fund_window_can_be_set_for_a_school_year(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import date

    from cluster.referrals import Window
    from store.models import CapitalWindow

    assert run(["capital-window", "--year", "2026", "--opens", "2026-10-01", "--closes", "2027-01-31"]) == 0
    assert "2026/27: 1 October 2026 to 31 January 2027" in capsys.readouterr().out
    with Session(make_engine(db)) as session:
        window = session.get(CapitalWindow, 2026)
    assert window is not None and Window(window.opens, window.closes) == Window(date(2026, 10, 1), date(2027, 1, 31))
    assert run(["capital-window", "--year", "2026", "--opens", "2026-10-01", "--closes", "2026-09-01"]) == 2


def test_a_clusters_deadline_rule_moves_the_deadlines_of_meetings_still_to_come(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import datetime

    from cluster.clock import LONDON, FixedClock

    run(["seed"])
    clock = FixedClock(datetime(2026, 3, 1, 12, 0, tzinfo=LONDON))
    assert run(["meetings", "deadline", "--cluster", "Central", "--days", "10"], clock=clock) == 0
    assert "3 deadlines moved" in capsys.readouterr().out  # 19 March, 14 May and 9 July were still to come
    run(["meetings", "list", "--cluster", "Central"])
    listed = capsys.readouterr().out
    assert "2026-05-14\t09:30-13:00\tSummer 1\tdeadline 2026-05-04 23:59" in listed
    assert "2025-12-11\t09:30-13:00\tAutumn 2\tdeadline 2025-12-04 23:59" in listed, "past deadlines stay"


APP_ID = "00000000-1111-2222-3333-444444444444"


@pytest.mark.parametrize("app_type", ["SingleTenant", "singletenant"])
def test_a_single_tenant_app_without_a_tenant_id_is_refused_at_startup(tmp_path: Path, app_type: str) -> None:
    env = _env(tmp_path, MicrosoftAppId=APP_ID, MicrosoftAppPassword="secret", MicrosoftAppType=app_type)
    result = _clusterbot("serve", "--port", str(_free_port()), env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert "MicrosoftAppTenantId" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "serve.db").exists(), "refused before touching the database"


def test_an_app_id_without_a_password_is_refused_at_startup(tmp_path: Path) -> None:
    env = _env(tmp_path, MicrosoftAppId=APP_ID, MicrosoftAppPassword="")
    result = _clusterbot("serve", "--port", str(_free_port()), env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert "MicrosoftAppPassword is empty" in result.stderr
    assert "Traceback" not in result.stderr
