"""CLI benchmark: an operator's command that only reads the database vs importing aiogram's types.

    .venv/bin/python -m bench.cli

Untimed first: a temporary SQLite database is migrated and plans/2021-2025.yaml is loaded into it. Then,
each the best of three wall times of a fresh process:
- `thidua plan show` against that database;
- `python -c "import aiogram.types"` (the baseline: what every command paid while the texts imported aiogram);
and one line at the end: `cli R`, R = the first / the second. The goal (issue 9) is R < 0.5.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "plans" / "2021-2025.yaml"
ROUNDS = 3


def thidua(*args: str) -> list[str]:
    """The installed `thidua` script beside this interpreter, else the same entry point through -c."""
    script = shutil.which("thidua", path=str(Path(sys.executable).parent))
    if script:
        return [script, *args]
    return [sys.executable, "-c", "from bot.cli import main; main()", *args]


def wall(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - start


def best(cmd: list[str], env: dict[str, str]) -> float:
    # The best of ROUNDS runs: this machine's speed wanders by ±20 % between runs.
    return min(wall(cmd, env) for _ in range(ROUNDS))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}",
            "BOT_TOKEN": "",
            "DEFAULT_LOCALE": "vi",
        }
        subprocess.run(thidua("migrate"), cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        subprocess.run(
            thidua("plan", "load", str(PLAN)), cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
        )
        show = best(thidua("plan", "show"), env)
        base = best([sys.executable, "-c", "import aiogram.types"], env)
    print(f"thidua plan show:           {show:6.2f} s (best of {ROUNDS})")
    print(f"python -c 'import aiogram.types': {base:6.2f} s (baseline, best of {ROUNDS})")
    print(f"cli {show / base:.2f}")


if __name__ == "__main__":
    main()
