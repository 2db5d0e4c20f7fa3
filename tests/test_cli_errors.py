"""The operator's mistakes, each explained: what is valid, and where the mistake is, in their language."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import select

from bot.cli import main
from bot.roles import Role
from bot.services.invites import INVITABLE
from bot.services.roster import HEADERS
from bot.text import search_key
from bot.yaml_errors import yaml_problem
from storage.db import make_engine, make_sessionmaker
from storage.models import Invite, Person

ROOT = Path(__file__).resolve().parents[1]
ORG = ROOT / "plans" / "org.yaml"
PLAN = ROOT / "plans" / "2021-2025.yaml"


@pytest.fixture
def thidua(sqlite_templates, tmp_path, monkeypatch):
    url = sqlite_templates.fresh()
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str, ok: bool = True):
        result = CliRunner().invoke(
            main, list(args), env={"DATABASE_URL": url, "BOT_TOKEN": "", "DEFAULT_LOCALE": "vi"}
        )
        assert (result.exit_code == 0) is ok, result.output
        return result

    invoke.url = url  # type: ignore[attr-defined]
    return invoke


def rows(url: str, model):
    async def go():
        engine = make_engine(url)
        async with make_sessionmaker(engine)() as s:
            out = list((await s.scalars(select(model).order_by(model.id))).all())
        await engine.dispose()
        return out

    return asyncio.run(go())


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- roles ------------------------------------------------------------------------------------------------
def test_an_unknown_role_lists_the_valid_roles(thidua):
    thidua("org", "load", str(ORG))
    result = thidua("invite", "create", "--role", "boss", "--unit", "TCHC", "--bot-username", "b", ok=False)
    assert "Không có vai trò “boss”. Các vai trò hợp lệ:" in result.output
    listed = [line.split(" — ")[0].strip() for line in result.output.splitlines() if " — " in line]
    assert listed == [r.value for r in INVITABLE]
    assert "staff — CBVC-NLĐ" in result.output
    assert rows(thidua.url, Invite) == []


def test_an_unknown_role_is_listed_in_english_with_lang_en(thidua):
    thidua("org", "load", str(ORG))
    args = ["invite", "create", "--role", "boss", "--unit", "TCHC", "--bot-username", "b"]
    result = thidua("--lang", "en", *args, ok=False)
    assert "There is no role “boss”. The valid roles:" in result.output
    assert "unit_head — Unit head" in result.output


def test_a_role_no_invite_gives_says_so_and_lists_the_valid_ones(thidua):
    thidua("org", "load", str(ORG))
    args = ["invite", "create", "--role", Role.DEPUTY_HEAD.value, "--unit", "TCHC", "--bot-username", "b"]
    result = thidua(*args, ok=False)
    assert "không cấp bằng liên kết mời" in result.output and "staff — " in result.output
    assert rows(thidua.url, Invite) == []


# -- periods ----------------------------------------------------------------------------------------------
def test_an_unknown_period_lists_those_loaded(thidua):
    thidua("plan", "load", str(PLAN))
    result = thidua("plan", "show", "--period", "2030", ok=False)
    assert result.output.strip() == "Không có kế hoạch giai đoạn 2030. Các giai đoạn đã nạp: 2021-2025."
    en = thidua("--lang", "en", "plan", "show", "--period", "2030", ok=False)
    assert en.output.strip() == "There is no plan for the period 2030. The periods loaded: 2021-2025."


def test_an_unknown_period_when_none_is_loaded_says_so(thidua):
    result = thidua("plan", "show", "--period", "2030", ok=False)
    assert result.output.strip() == "Không có kế hoạch giai đoạn 2030: chưa nạp kế hoạch nào."


# -- YAML syntax ------------------------------------------------------------------------------------------
ORG_MISSING_COLON = "units:\n  - code: TCHC\n    name Phòng Tổ chức – Hành chính\n    kind: phong\n"


def test_a_yaml_syntax_error_in_the_org_file_names_the_line_of_the_mistake(thidua, tmp_path):
    bad = write(tmp_path, "org.yaml", ORG_MISSING_COLON)
    result = thidua("org", "load", str(bad), ok=False)
    assert f"{bad}, dòng 3: tệp YAML bị lỗi cú pháp: thiếu dấu hai chấm “:” sau tên mục" in result.output
    en = thidua("--lang", "en", "org", "load", str(bad), ok=False)
    assert f"{bad}, line 3: the YAML is not valid: a ':' is missing after the name" in en.output


def test_a_yaml_syntax_error_in_a_plan_file_names_the_line_in_vietnamese(thidua, tmp_path):
    text = PLAN.read_text(encoding="utf-8")
    lines = text.splitlines()
    n = next(i for i, line in enumerate(lines) if line.startswith("schema_version:"))
    lines[n] = "schema_version 1"  # the ':' forgotten
    bad = write(tmp_path, "plan.yaml", "\n".join(lines) + "\n")
    result = thidua("plan", "load", str(bad), ok=False)
    assert (
        f"YAML không hợp lệ: thiếu dấu hai chấm “:” sau tên mục (phải viết “tên: giá trị”) (dòng {n + 1})"
        in (result.output)
    )


CASES = {
    # what: (the text, the line of the mistake, the key)
    "a ':' forgotten": ("a: 1\nb\nc: 3\n", 2, "yaml-missing-colon"),
    "a ':' forgotten in a list": ("units:\n  - code: A\n    name X\n    kind: k\n", 3, "yaml-missing-colon"),
    "a ':' forgotten before a blank line": ("a: 1\nb 2\n\nc:\n  d: 1\n", 2, "yaml-missing-colon"),
    "a tab": ("units:\n\t- code: A\n", 2, "yaml-tab"),
    "a quote left open": ('a: 1\nb: "open\nc: 3\n', 2, "yaml-unclosed-quote"),
    "a bracket left open": ("a: 1\nb: [1, 2\nc: 3\n", 2, "yaml-unclosed-bracket"),
    "a brace left open": ("units:\n  - {code: A, name: x\n  - code: B\n", 2, "yaml-unclosed-bracket"),
    "a colon inside a value": ("units:\n  - code: A\n    name: Khoa: cơ sở 2\n", 3, "yaml-colon-in-value"),
    "an indentation that does not line up": ("units:\n  - code: A\n   name: x\n", 3, "yaml-indent"),
    "anything else keeps the parser's words": ("a: *nope\n", 1, "yaml-other"),
}  # fmt: skip


@pytest.mark.parametrize("what", list(CASES))
def test_yaml_mistakes_are_named_on_their_own_line(what):
    text, line, key = CASES[what]
    with pytest.raises(yaml.YAMLError) as caught:
        yaml.safe_load(text)
    found = yaml_problem(caught.value, text)
    assert (found.line, found.key) == (line, key)
    assert found.text("vi") != key and found.text("en") != key  # a catalogue text in both languages


# -- staff import -----------------------------------------------------------------------------------------
def test_staff_import_help_lists_the_expected_columns(thidua):
    result = thidua("staff", "import", "--help")
    text = search_key(result.output)
    for field in sorted(set(HEADERS.values())):  # every field, by one of the names the importer knows
        names = [h for h, f in HEADERS.items() if f == field]
        assert any(name in text for name in names), field
    assert "Họ và tên (hoặc Họ tên, Full name) — bắt buộc" in result.output
    assert "1988-11-05" in result.output and "bị từ chối" in result.output
    assert "required" in thidua("--lang", "en", "staff", "import", "--help").output


def test_staff_import_accepts_iso_dates_as_the_plan_files_write_them(thidua, tmp_path):
    thidua("org", "load", str(ORG))
    f = write(
        tmp_path,
        "r.csv",
        "Họ và tên,Mã đơn vị,Ngày sinh\nNguyễn Thị Hoa,TCHC,1988-11-05\nLê Văn Tám,TCHC,05/11/1990\n",
    )
    thidua("staff", "import", str(f))
    births = {p.full_name: p.birth_date for p in rows(thidua.url, Person)}
    assert births == {"Nguyễn Thị Hoa": date(1988, 11, 5), "Lê Văn Tám": date(1990, 11, 5)}


def test_a_bad_iso_date_is_a_bad_row(thidua, tmp_path):
    thidua("org", "load", str(ORG))
    f = write(tmp_path, "r.csv", "Họ và tên,Mã đơn vị,Ngày sinh\nNguyễn Thị Hoa,TCHC,1988-02-30\n")
    result = thidua("staff", "import", str(f), ok=False)
    assert "dòng 2: ngày sinh" in result.output and "1988-02-30" in result.output
    assert rows(thidua.url, Person) == []


def test_staff_import_refuses_a_header_it_does_not_recognise(thidua, tmp_path):
    thidua("org", "load", str(ORG))
    f = write(tmp_path, "r.csv", "Họ và tên,Mã đơn vị,Năm sinh,Quê quán\nNguyễn Thị Hoa,TCHC,1988,Huế\n")
    result = thidua("staff", "import", str(f), ok=False)
    assert "Tệp có cột không nhận ra: “Năm sinh”, “Quê quán”; chưa nhập gì." in result.output
    assert "thidua staff import --help" in result.output
    assert rows(thidua.url, Person) == []


def test_staff_import_refuses_a_column_given_twice(thidua, tmp_path):
    thidua("org", "load", str(ORG))
    f = write(tmp_path, "r.csv", "Họ và tên,Mã đơn vị,Họ tên\nNguyễn Thị Hoa,TCHC,Nguyễn Hoa\n")
    result = thidua("staff", "import", str(f), ok=False)
    assert "hai cột cùng là “Họ và tên” (“Họ và tên”, “Họ tên”)" in result.output
    assert rows(thidua.url, Person) == []


def test_staff_import_refuses_data_under_no_title(thidua, tmp_path):
    thidua("org", "load", str(ORG))
    f = write(tmp_path, "r.csv", "Họ và tên,Mã đơn vị,\nNguyễn Thị Hoa,TCHC,0905123456\n")
    result = thidua("staff", "import", str(f), ok=False)
    assert "Cột thứ 3 có dữ liệu nhưng không có tiêu đề" in result.output
    assert rows(thidua.url, Person) == []


def test_staff_import_skips_the_row_number_and_notes_and_empty_columns(thidua, tmp_path):
    thidua("org", "load", str(ORG))
    f = write(tmp_path, "r.csv", "STT,Họ và tên,Mã đơn vị,Ghi chú,\n1,Nguyễn Thị Hoa,TCHC,mới,\n")
    thidua("staff", "import", str(f))
    assert [p.full_name for p in rows(thidua.url, Person)] == ["Nguyễn Thị Hoa"]
