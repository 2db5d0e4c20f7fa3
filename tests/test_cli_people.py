"""`thidua org load`, `thidua staff import`, `thidua invite create` and `thidua invite export`."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot.cli import main
from bot.services.invites import hash_token
from storage.db import make_engine, make_sessionmaker
from storage.models import AuditEntry, Invite, Person, PersonRole, Unit

ROOT = Path(__file__).resolve().parents[1]
ORG = ROOT / "plans" / "org.yaml"
ROSTER = ROOT / "plans" / "roster.sample.csv"
LINK = re.compile(r"^https://t\.me/thidua_bot\?start=([A-Za-z0-9_-]{43,64})$")


@pytest.fixture
def cli(sqlite_templates, tmp_path, monkeypatch):
    """Run `thidua ...` against a fresh database; returns (invoke, url)."""
    url = sqlite_templates.fresh()
    monkeypatch.chdir(tmp_path)  # no .env of the developer
    runner = CliRunner()

    def invoke(*args: str, ok: bool = True):
        result = runner.invoke(
            main, list(args), env={"DATABASE_URL": url, "BOT_TOKEN": ""}, catch_exceptions=False
        )
        assert (result.exit_code == 0) is ok, result.output
        return result

    invoke.url = url  # type: ignore[attr-defined]
    return invoke


def rows(url: str, model, *where):
    async def go():
        engine = make_engine(url)
        async with make_sessionmaker(engine)() as s:
            out = list((await s.scalars(select(model).where(*where).order_by(model.id))).all())
        await engine.dispose()
        return out

    return asyncio.run(go())


def test_org_load_is_idempotent(cli):
    first = cli("org", "load", str(ORG))
    second = cli("org", "load", str(ORG))
    n = len(rows(cli.url, Unit))
    assert f"thêm mới {n}" in first.output and f"không đổi {n}" in second.output
    assert len(rows(cli.url, AuditEntry, AuditEntry.action == "unit.created")) == n


def test_org_load_reports_a_bad_file_and_loads_nothing(cli, tmp_path):
    bad = tmp_path / "org.yaml"
    bad.write_text(
        "units:\n  - {code: TCHC, name: X, kind: ban}\n  - {code: KCK, name: Y, kind: khoa, parent: NOPE}\n"
    )
    result = cli("org", "load", str(bad), ok=False)
    assert "mục 1" in result.output and "ban" in result.output and "mục 2" in result.output
    assert rows(cli.url, Unit) == []


def test_staff_import_of_the_sample_then_again(cli):
    cli("org", "load", str(ORG))
    first = cli("staff", "import", str(ROSTER))
    again = cli("staff", "import", str(ROSTER))
    people = rows(cli.url, Person)
    assert f"thêm mới {len(people)}" in first.output and f"không đổi {len(people)}" in again.output
    assert all(p.telegram_id is None for p in people)


def test_staff_import_reports_bad_rows_by_number_and_imports_nothing(cli, tmp_path):
    cli("org", "load", str(ORG))
    f = tmp_path / "r.csv"
    f.write_text(
        "Họ và tên,Mã đơn vị,Ngày sinh\n"
        "Nguyễn Thị Hoa,TCHC,05/11/1988\n"
        "Lê Văn Tám,XYZ,\n"
        ",TCHC,\n"
        "Võ Thị Mai,TCHC,31/02/1990\n",
        encoding="utf-8",
    )
    result = cli("staff", "import", str(f), ok=False)
    assert "dòng 3: không có đơn vị “XYZ”" in result.output
    assert "dòng 4: thiếu họ tên" in result.output
    assert "dòng 5: ngày sinh “31/02/1990” không hợp lệ" in result.output
    assert "--skip-bad" in result.output
    assert rows(cli.url, Person) == []
    skipped = cli("staff", "import", str(f), "--skip-bad")
    assert "dòng 3" in skipped.output and "thêm mới 1" in skipped.output
    assert [p.full_name for p in rows(cli.url, Person)] == ["Nguyễn Thị Hoa"]


def test_staff_import_reads_xlsx(cli, tmp_path):
    from openpyxl import Workbook

    cli("org", "load", str(ORG))
    wb = Workbook()
    wb.active.append(["Họ và tên", "Mã đơn vị", "Chức vụ"])
    wb.active.append(["Nguyễn Thị Hoa", "TCHC", "Chuyên viên"])
    wb.save(tmp_path / "r.xlsx")
    cli("staff", "import", str(tmp_path / "r.xlsx"))
    [p] = rows(cli.url, Person)
    assert p.position == "Chuyên viên"


def test_invite_create_prints_the_link_last(cli):
    cli("org", "load", str(ORG))
    result = cli(
        "invite",
        "create",
        "--role",
        "unit_head",
        "--unit",
        "KCK",
        "--expires",
        "3d",
        "--uses",
        "2",
        "--bot-username",
        "@thidua_bot",
    )
    last = result.output.strip().splitlines()[-1]
    token = LINK.match(last).group(1)
    [invite] = rows(cli.url, Invite)
    assert invite.token_hash == hash_token(token) and invite.role == "unit_head" and invite.max_uses == 2
    assert (invite.expires_at - invite.created_at).days == 3
    assert token not in str([(e.before, e.after) for e in rows(cli.url, AuditEntry)])


def test_invite_create_for_a_roster_person(cli):
    cli("org", "load", str(ORG))
    cli("staff", "import", str(ROSTER))
    hoa = next(p for p in rows(cli.url, Person) if p.full_name == "Nguyễn Thị Hoa")
    result = cli(
        "invite", "create", "--role", "staff", "--person", str(hoa.id), "--bot-username", "thidua_bot"
    )
    assert LINK.match(result.output.strip().splitlines()[-1])
    [invite] = rows(cli.url, Invite)
    assert invite.person_id == hoa.id and invite.unit_id == hoa.unit_id and invite.max_uses == 1


def test_invite_create_refuses_an_unknown_unit_or_role(cli):
    cli("org", "load", str(ORG))
    assert (
        "Không có đơn vị"
        in cli(
            "invite", "create", "--role", "staff", "--unit", "NOPE", "--bot-username", "b", ok=False
        ).output
    )
    deputy = cli(
        "invite", "create", "--role", "deputy_head", "--unit", "TCHC", "--bot-username", "b", ok=False
    )
    assert "không cấp bằng liên kết mời" in deputy.output  # the dated deputy is delegated, not invited
    assert (
        "boss"
        in cli("invite", "create", "--role", "boss", "--unit", "TCHC", "--bot-username", "b", ok=False).output
    )
    assert rows(cli.url, Invite) == []


def make_head(url: str, name: str) -> Person:
    async def go():
        engine = make_engine(url)
        async with make_sessionmaker(engine)() as s, s.begin():
            person = (await s.scalars(select(Person).where(Person.full_name == name))).one()
            s.add(PersonRole(person_id=person.id, role="unit_head", unit_id=person.unit_id))
        await engine.dispose()
        return person

    return asyncio.run(go())


def test_a_head_link_where_the_unit_has_a_head_names_the_head_and_makes_no_link(cli):
    """As the chat warns (issue 18, D15): the head named, the two ways on, and nothing written."""
    cli("org", "load", str(ORG))
    cli("staff", "import", str(ROSTER))
    minh = make_head(cli.url, "Trần Văn Minh")
    args = ("invite", "create", "--role", "unit_head", "--unit", "TCHC", "--bot-username", "thidua_bot")
    result = cli(*args, ok=False)
    assert "đã có Trưởng đơn vị: Trần Văn Minh" in result.output
    assert f"--replaces {minh.id}" in result.output and "--role staff" in result.output
    assert not LINK.search(result.output)
    assert rows(cli.url, Invite) == []
    assert rows(cli.url, AuditEntry, AuditEntry.action == "invite.created") == []
    english = cli("--lang", "en", *args, ok=False)
    assert (
        "already has a unit head: Trần Văn Minh" in english.output
        and f"--replaces {minh.id}" in english.output
    )
    assert rows(cli.url, Invite) == []


def test_a_head_link_replacing_the_head_is_one_use_and_says_when_their_role_ends(cli):
    cli("org", "load", str(ORG))
    cli("staff", "import", str(ROSTER))
    minh = make_head(cli.url, "Trần Văn Minh")
    result = cli(
        "invite", "create", "--role", "unit_head", "--unit", "TCHC", "--uses", "3",
        "--replaces", str(minh.id), "--bot-username", "thidua_bot",
    )  # fmt: skip
    assert LINK.match(result.output.strip().splitlines()[-1])
    assert "vai trò Trưởng đơn vị của Trần Văn Minh kết thúc vào cuối ngày đó" in result.output
    [invite] = rows(cli.url, Invite)
    assert invite.role == "unit_head" and invite.replaces_id == minh.id and invite.max_uses == 1


def test_replacing_someone_who_is_not_the_head_is_refused_naming_the_head(cli):
    cli("org", "load", str(ORG))
    cli("staff", "import", str(ROSTER))
    make_head(cli.url, "Trần Văn Minh")
    hoa = next(p for p in rows(cli.url, Person) if p.full_name == "Nguyễn Thị Hoa")
    result = cli(
        "invite", "create", "--role", "unit_head", "--unit", "TCHC",
        "--replaces", str(hoa.id), "--bot-username", "thidua_bot", ok=False,
    )  # fmt: skip
    assert "đã có Trưởng đơn vị: Trần Văn Minh" in result.output
    assert rows(cli.url, Invite) == []


def test_a_deputy_is_invited_with_a_staff_link_and_a_unit_without_head_gets_its_head_link(cli):
    cli("org", "load", str(ORG))
    cli("staff", "import", str(ROSTER))
    make_head(cli.url, "Trần Văn Minh")
    cli("invite", "create", "--role", "staff", "--unit", "TCHC", "--bot-username", "thidua_bot")
    cli("invite", "create", "--role", "unit_head", "--unit", "KHTC", "--bot-username", "thidua_bot")
    assert [(i.role, i.replaces_id) for i in rows(cli.url, Invite)] == [("staff", None), ("unit_head", None)]


def test_invite_create_without_username_needs_the_bot_token(cli):
    cli("org", "load", str(ORG))
    result = cli("invite", "create", "--role", "staff", "--unit", "TCHC", ok=False)
    assert "BOT_TOKEN" in result.output
    assert rows(cli.url, Invite) == []


def test_invite_create_takes_the_bot_username_from_the_settings_without_a_token(cli, monkeypatch):
    """The README's example, `thidua invite create --role staff --unit TCHC --uses 20`, with BOT_USERNAME set
    (.env.example has it) and no BOT_TOKEN (issue 18, F38)."""
    cli("org", "load", str(ORG))
    monkeypatch.setenv("BOT_USERNAME", "@thidua_bot")
    result = cli("invite", "create", "--role", "staff", "--unit", "TCHC", "--uses", "20")
    assert LINK.match(result.output.strip().splitlines()[-1])
    [invite] = rows(cli.url, Invite)
    assert invite.max_uses == 20


def test_without_a_username_the_operator_is_told_both_ways_to_give_it(cli):
    cli("org", "load", str(ORG))
    result = cli("invite", "create", "--role", "staff", "--unit", "TCHC", ok=False)
    assert "BOT_USERNAME" in result.output and "--bot-username" in result.output


def test_invite_export_writes_a_personal_link_for_everyone_not_joined(cli, tmp_path):
    from openpyxl import load_workbook

    cli("org", "load", str(ORG))
    cli("staff", "import", str(ROSTER))
    tchc = [p for p in rows(cli.url, Person) if p.unit_id == rows(cli.url, Unit, Unit.code == "TCHC")[0].id]
    out = tmp_path / "links.xlsx"
    result = cli("invite", "export", "--unit", "TCHC", "--out", str(out), "--bot-username", "thidua_bot")
    assert result.output.strip().splitlines()[-1] == str(out)
    sheet = list(load_workbook(out).active.iter_rows(values_only=True))
    assert sheet[0][1] == "Họ và tên" and len(sheet) == 1 + len(tchc)
    assert "Ngày sinh" not in sheet[0]  # the proof of a claim through a shared link never sits by the links
    assert not any("1988" in str(cell) for line in sheet for cell in line)  # Nguyễn Thị Hoa's, 05/11/1988
    invites = {i.token_hash: i for i in rows(cli.url, Invite)}
    for line in sheet[1:]:
        token = LINK.match(line[5]).group(1)
        invite = invites[hash_token(token)]
        assert invite.max_uses == 1 and invite.person_id in {p.id for p in tchc}
        assert next(p for p in tchc if p.id == invite.person_id).full_name == line[1]
