"""`thidua export KIND [--round R] [--year Y] [--unit U] -o FILE` (issue 21)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import select

from bot.cli import main
from storage.db import make_engine, make_sessionmaker
from storage.models import AuditEntry

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def cli(sqlite_templates, tmp_path, monkeypatch):
    url = sqlite_templates.fresh()
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str, ok: bool = True):
        env = {"DATABASE_URL": url, "BOT_TOKEN": "", "DEFAULT_LOCALE": "vi"}
        result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
        assert (result.exit_code == 0) is ok, result.output
        return result

    invoke.url = url  # type: ignore[attr-defined]
    invoke("org", "load", str(ROOT / "plans" / "org.yaml"))
    invoke("staff", "import", str(ROOT / "plans" / "roster.sample.csv"))
    invoke("plan", "load", str(ROOT / "plans" / "2021-2025.yaml"))
    return invoke


def audits(url: str):
    async def go():
        engine = make_engine(url)
        async with make_sessionmaker(engine)() as s:
            out = list(
                (await s.scalars(select(AuditEntry).where(AuditEntry.action == "export.requested"))).all()
            )
        await engine.dispose()
        return out

    return asyncio.run(go())


def test_export_writes_the_file_and_audits_it(cli, tmp_path):
    out = tmp_path / "quan-triet.xlsx"
    result = cli("export", "acknowledgements", "--unit", "TCHC", "-o", str(out))
    assert f"vào {out}" in result.output
    wb = load_workbook(out)
    ws = wb.worksheets[0]
    assert ws["A1"].value == "STT" and ws["B2"].value == "TCHC"
    [entry] = audits(cli.url)
    assert (
        entry.actor_id is None and entry.after["kind"] == "acknowledgements" and entry.after["unit"] == "TCHC"
    )
    assert entry.after["rows"] >= 1


def test_export_with_an_unknown_unit_names_it_and_writes_nothing(cli, tmp_path):
    out = tmp_path / "x.xlsx"
    result = cli("export", "registrations", "--unit", "KHONGCO", "-o", str(out), ok=False)
    assert "Không tìm thấy đơn vị “KHONGCO”." in result.output
    assert not out.exists() and audits(cli.url) == []


def test_export_of_an_unknown_kind_lists_the_kinds(cli, tmp_path):
    result = cli("export", "nope", ok=False)
    assert "“nope”" in result.output and "registrations" in result.output


def test_export_list_names_each_kind_with_its_filters(cli):
    result = cli("export", "--list")
    assert "nominations: Đề nghị khen thưởng (lọc theo: --round, --year, --unit)" in result.output


def test_an_empty_year_exports_headers_and_a_note(cli, tmp_path):
    out = tmp_path / "dk.xlsx"
    cli("export", "registrations", "--year", "2021-2022", "-o", str(out))
    ws = load_workbook(out).worksheets[0]
    assert ws["A2"].value == "Không có dòng nào theo bộ lọc đã chọn."


def test_the_list_leaves_out_the_kinds_made_in_chat_only_and_a_chart_is_made(cli, tmp_path):
    listed = cli("export", "--list").output
    assert "to_trinh" in listed and "chart_units" in listed
    assert "giay_khen" not in listed and "blank_grid" not in listed  # a decision, a blank: chat only
    out = tmp_path / "bieu-do.png"
    cli("export", "chart_deeds", "-o", str(out))
    assert out.read_bytes()[:4] == b"\x89PNG"
    result = cli("export", "to_trinh", "-o", str(tmp_path / "tt.docx"), ok=False)  # no round tallied yet
    assert "Chưa có đợt bình xét nào đã kiểm phiếu." in result.output
