"""The domain imports no aiogram: services, the plan, storage, the texts and the operator's commands.

Importing aiogram's types costs seconds of CPU, so a command that only touches the database must not pay
it. Each check runs in a fresh interpreter and reads `sys.modules`; a hook names the import chain that
first brought aiogram in.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Modules that may import aiogram: the dispatcher's side, and the FSM storage (it is aiogram's storage).
TELEGRAM_SIDE = {"storage.fsm"}

CORE = [
    "bot.i18n",
    "bot.roles",
    "bot.clock",
    "bot.context",
    "bot.identity",
    "bot.config",
    "bot.errors",
    "bot.text",
    "bot.cli",
]

# Records who imports aiogram first, runs the body, then prints the aiogram modules loaded.
PRELUDE = """
import json, sys, traceback
first = []
class Watch:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "aiogram" and not first:
            here = [f"{f.filename}:{f.lineno}" for f in traceback.extract_stack()[:-1]
                    if "site-packages" not in f.filename and "<frozen" not in f.filename]
            first.append(" <- ".join(reversed(here)))
        return None
sys.meta_path.insert(0, Watch())
"""
EPILOGUE = """
loaded = sorted(m for m in sys.modules if m == "aiogram" or m.startswith("aiogram."))
print(json.dumps({"count": len(loaded), "first": first[0] if first else None}))
"""


def domain_modules() -> list[str]:
    """Every module of the services, the plan package, storage (but the FSM) and the CLI, plus the core."""
    found = list(CORE)
    folders = ("bot/services", "bot/exports", "handlers/render", "bot/plan", "bot/cli", "storage")
    folders += ("bot/services/plan", "bot/services/nomination", "storage/repositories", "storage/models")
    folders += ("bot/services/documents",)
    for folder in folders:
        for path in sorted((ROOT / folder).glob("*.py")):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found.append(name.removesuffix(".__init__"))
    return [m for m in dict.fromkeys(found) if m not in TELEGRAM_SIDE]


def run_python(body: str, env: dict[str, str] | None = None) -> dict[str, object]:
    code = PRELUDE + textwrap.dedent(body) + EPILOGUE
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_module_list_covers_the_domain():
    modules = domain_modules()
    assert {"bot.services.join", "bot.services.difficulty", "bot.plan.schema", "storage.uow"} <= set(modules)
    assert {"bot.services.acknowledgement", "bot.services.status"} <= set(modules)  # issue 11
    assert {"bot.services.nomination", "handlers.render.nomination"} <= set(modules)  # issue 12
    assert "bot.cli.plan" in modules and "storage.fsm" not in modules
    plan = {"references", "loading", "windows", "money", "documents"}
    assert {"bot.services.plan", *(f"bot.services.plan.{name}" for name in plan)} <= set(modules)


def test_domain_modules_import_no_aiogram():
    modules = domain_modules()
    body = "import importlib\n" + "".join(f"importlib.import_module({m!r})\n" for m in modules)
    result = run_python(body)  # none alone can load more than all of them together
    assert result == {"count": 0, "first": None}


def test_the_operators_commands_import_no_aiogram(tmp_path):
    """migrate, org load, staff import, admin add, invite create (with --bot-username or BOT_USERNAME) /
    export, plan load / show: no aiogram."""
    db = tmp_path / "thidua.db"
    out = tmp_path / "invites.xlsx"
    body = f"""
    from click.testing import CliRunner
    from bot.cli import main

    def thidua(*args):
        result = CliRunner().invoke(main, list(args), catch_exceptions=False)
        assert result.exit_code == 0, (args, result.output)
        return result.output

    thidua("migrate")
    thidua("org", "load", "plans/org.yaml")
    thidua("staff", "import", "plans/roster.sample.csv")
    thidua("admin", "add", "777", "--name", "Quản Trị Viên", "--unit", "TCHC")
    thidua("invite", "create", "--role", "staff", "--unit", "TCHC", "--bot-username", "thidua_bot")
    import os
    os.environ["BOT_USERNAME"] = "thidua_bot"  # the setting instead of the option (issue 18, F38)
    thidua("invite", "create", "--role", "staff", "--unit", "TCHC", "--uses", "20")
    del os.environ["BOT_USERNAME"]
    thidua("invite", "export", "--unit", "TCHC", "--out", {str(out)!r}, "--bot-username", "thidua_bot")
    thidua("plan", "load", "plans/2021-2025.yaml")
    assert "2021" in thidua("plan", "show")
    thidua("export", "registrations", "-o", {str(tmp_path / "dk.xlsx")!r})  # issue 21
    """
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{db}", "BOT_TOKEN": "", "DEFAULT_LOCALE": "vi"}
    result = run_python(body, env)
    assert result == {"count": 0, "first": None}


def test_the_check_sees_aiogram_when_it_is_imported():
    """The watch is not blind: a module of the dispatcher's side is caught, with its import chain."""
    result = run_python("import bot.filters\n")
    assert result["count"] > 100
    assert "bot/filters.py" in str(result["first"])


HEAVY = ("openpyxl", "docxtpl", "docx", "reportlab", "matplotlib", "jinja2")


def test_the_file_makers_are_imported_only_when_a_file_is_made():
    """The documents' libraries (issue 21) cost the start of the bot and of every `thidua` command: the
    domain, the file makers and the documents' handler import none of them until a file is made."""
    modules = [*domain_modules(), "handlers.documents"]
    body = "import importlib, json, sys\n" + "".join(f"importlib.import_module({m!r})\n" for m in modules)
    tops = "{m.split('.')[0] for m in sys.modules}"
    report = f"print(json.dumps({{'heavy': sorted({tops} & set({HEAVY!r}))}}))\n"
    body += report
    code = textwrap.dedent(body)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {"heavy": []}
    made = code + "from bot.exports.charts import bar_chart\nbar_chart('x', ['a'], {'b': [1]})\n"
    made += report
    out = subprocess.run([sys.executable, "-c", made], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "matplotlib" in json.loads(out.stdout.strip().splitlines()[-1])["heavy"]  # the check sees them


FILE_LIBRARIES = ("openpyxl", "docxtpl", "docx", "reportlab", "matplotlib", "xlsxwriter")


def test_domain_modules_load_no_file_library():
    """openpyxl, docxtpl, reportlab and matplotlib are imported inside the builds (issue 21): importing every
    domain module, the export kinds among them, loads none of them."""
    modules = domain_modules()
    assert "bot.exports.registry" in modules and "bot.exports.workbook" in modules
    body = "import importlib, sys\n" + "".join(f"importlib.import_module({m!r})\n" for m in modules)
    body += "import bot.exports.kinds\n"
    body += f"heavy = sorted(m for m in sys.modules if m.split('.')[0] in {FILE_LIBRARIES!r})\n"
    body += "assert not heavy, heavy\n"
    result = run_python(body)
    assert result == {"count": 0, "first": None}


def test_the_file_check_sees_a_library_imported():
    """The check is not blind: building a workbook loads its writer."""
    body = "import sys\nfrom bot.exports.workbook import Column, Sheet, xlsx\n"
    body += "xlsx([Sheet('export-empty', [Column('export-empty')], [])])\n"
    body += "assert 'xlsxwriter' in sys.modules\n"
    assert run_python(body) == {"count": 0, "first": None}
