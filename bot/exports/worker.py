"""The export worker (issue 21): builds the committed jobs off the update and sends them through the outbox.

- `wake_after_commit(ctx)`: the request's unit of work starts the worker once it has committed (a task of
  this process); the due work `exports` runs it too, every minute and at start-up, so a job whose process
  stopped is built after the restart (a job left `building` for EXPORT_STALE is taken again, 3 tries).
- One job: claimed by a conditional UPDATE (queued → building: one process builds it); the kind's query
  reads the rows in its own unit of work, under the scope stored in the job; the build runs in a thread
  (`asyncio.to_thread`); the file is written to EXPORT_DIR and queued with `Outbox.file(path=…)` to the
  person, kind `export` (a job built long after it was asked, on the catch-up, waits out the quiet hours).
  Before the query the requester's right is checked again with the roles in force then (a secretary handed
  over, a head moved since asking: refused and told). Over EXPORT_MAX_BYTES nothing is sent: the person is
  told the size and to narrow the filter. A PNG kind (a chart) goes as a photo. A `DomainError` while querying
  or building (a template the secretary uploaded that names a field the bot does not have) is told to the
  person in its own words and the job marked failed; any other failure is logged with its traceback and the
  person told it did not work. Either way the worker goes on with the next job.
- `settle()` waits for the tasks started here (tests, the console).
"""

from __future__ import annotations

import asyncio
import logging
import os
import weakref
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select, update

from bot.clock import as_utc
from bot.context import Ctx
from bot.due import DueContext, due_work, hourly, unit_of_work
from bot.errors import DomainError, NotAllowed
from bot.exports.registry import ExportFilter, ExportKind, kind
from bot.i18n import t
from bot.roles import can, units_for
from bot.services.outbox import Outbox
from storage.models import Person
from storage.models.core import OutboxFile
from storage.models.exports import ExportJob
from storage.repositories.people import to_member

log = logging.getLogger(__name__)
STALE = timedelta(minutes=10)  # a job left building that long: its process stopped
MAX_ATTEMPTS = 3
_tasks: set[asyncio.Task[Any]] = set()
_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()


def wake_after_commit(ctx: Ctx) -> None:
    """Start the worker once `ctx`'s unit of work has committed (never inside it)."""
    due = DueContext(
        sessionmaker=ctx.uow.sessionmaker,
        clock=ctx.clock,
        settings=ctx.settings,
        identity=ctx.identity,
        wake=ctx.outbox_wake.set if ctx.outbox_wake is not None else None,
    )

    def start() -> None:
        task = asyncio.get_running_loop().create_task(run_pending(due), name="exports")
        _tasks.add(task)
        task.add_done_callback(_tasks.discard)

    ctx.uow.on_commit(start)


async def settle() -> None:
    """Wait until the worker's tasks started in this process are done."""
    while _tasks:
        await asyncio.gather(*list(_tasks), return_exceptions=True)


async def run_pending(due: DueContext, now: datetime | None = None) -> int:
    """Build every job waiting; one at a time in a process. Returns how many this run built."""
    lock = _locks.setdefault(asyncio.get_running_loop(), asyncio.Lock())
    async with lock:
        now = now or due.clock.now()
        async with unit_of_work(due) as ctx:
            ids = (
                await ctx.session.scalars(
                    select(ExportJob.id)
                    .where(
                        or_(
                            ExportJob.state == "queued",
                            (ExportJob.state == "building") & (ExportJob.claimed_at < now - STALE),
                        ),
                        ExportJob.attempts < MAX_ATTEMPTS,
                    )
                    .order_by(ExportJob.id)
                )
            ).all()
        built = 0
        for job_id in ids:
            built += await build_one(due, job_id, now)
        return built


async def _claim(due: DueContext, job_id: int, now: datetime) -> bool:
    async with unit_of_work(due) as ctx:
        won = await ctx.session.scalar(
            update(ExportJob)
            .where(
                ExportJob.id == job_id,
                or_(
                    ExportJob.state == "queued",
                    (ExportJob.state == "building") & (ExportJob.claimed_at < now - STALE),
                ),
                ExportJob.attempts < MAX_ATTEMPTS,
            )
            .values(state="building", attempts=ExportJob.attempts + 1, claimed_at=now)
            .returning(ExportJob.id)
        )
        return won is not None


async def build_one(due: DueContext, job_id: int, now: datetime | None = None) -> int:
    """Claim, build and send one job; 1 when this call built it."""
    now = now or due.clock.now()
    if not await _claim(due, job_id, now):
        return 0
    try:
        async with unit_of_work(due) as ctx:
            job = await ctx.session.get(ExportJob, job_id)
            assert job is not None
            export = kind(job.kind)
            if export is None:
                raise LookupError(f"export kind {job.kind!r} is not registered")
            f = replace(
                ExportFilter.from_json(job.filters),
                made_at=ctx.clock.now(),
                locale=job.locale,
                requester_id=job.person_id,
            )
            await _still_allowed(ctx, job, export, f)
            rows = list(await export.query(ctx, f))
            locale = job.locale
        data = await asyncio.to_thread(export.build, rows, f, locale)
        await _deliver(due, job_id, export, f, data, len(rows))
    except DomainError as e:  # the person's to mend (a template's field): told in their words
        log.info("export %s refused: %s", job_id, e.key)
        await _finish(due, job_id, "failed", error=f"{e.key}: {e.params}"[:1000], problem=e)
    except Exception as e:
        log.exception("export %s failed", job_id)
        await _finish(due, job_id, "failed", error=f"{type(e).__name__}: {e}"[:1000])
    return 1


async def _still_allowed(ctx: Ctx, job: ExportJob, export: ExportKind, f: ExportFilter) -> None:
    """The requester's right checked again with the roles in force now: one who lost it (or the units the
    job's scope names) since asking gets no file (NotAllowed, told). The CLI's jobs (no person) are the
    operator's."""
    if job.person_id is None:
        return
    person = await ctx.session.get(Person, job.person_id)
    member = to_member(person, ctx.clock.today()) if person is not None and person.active else None
    now = units_for(member, export.action)
    if not can(member, export.action) or (now is not None and (f.units is None or not f.units <= now)):
        raise NotAllowed()


def file_name(export: ExportKind, f: ExportFilter, when: datetime) -> str:
    """ "dang-ky-thi-dua-2025-2026-KCNTT-20261207-1612.xlsx" (local time)."""
    return f"{export.file_name}{f.stem_suffix()}-{when:%Y%m%d-%H%M}.{export.extension}"


def _write(folder: Path, name: str, data: bytes) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    part = path.with_suffix(path.suffix + ".part")
    part.write_bytes(data)
    os.replace(part, path)
    return str(path.resolve())


async def _deliver(
    due: DueContext, job_id: int, export: ExportKind, f: ExportFilter, data: bytes, rows: int
) -> None:
    settings = due.settings
    name = file_name(export, f, due.clock.now().astimezone(settings.tz))
    if len(data) > settings.export_max_bytes:
        await _finish(due, job_id, "too_big", size=len(data), rows=rows, name=name, export=export)
        return
    path = await asyncio.to_thread(_write, Path(settings.export_dir), f"{job_id}-{name}", data)
    async with unit_of_work(due) as ctx:
        job = await ctx.session.get(ExportJob, job_id)
        assert job is not None
        stored = await Outbox(ctx).file(name=name, path=path, kind=export.method)
        if stored.path != path and stored.data is None:  # the same content again: this file is the one kept
            await ctx.session.execute(update(OutboxFile).where(OutboxFile.id == stored.id).values(path=path))
        job.state, job.file_name, job.path, job.size, job.rows = "sent", name, path, len(data), rows
        job.outbox_file_id, job.built_at = stored.id, ctx.clock.now()
        person = await ctx.session.get(Person, job.person_id) if job.person_id is not None else None
        title = t(export.title, locale=job.locale)
        caption = t(export.caption, locale=job.locale, kind=title, rows=rows, **f.codes())
        queued = None
        if person is not None:
            queued = Outbox(ctx).to_person(
                person,
                caption,
                kind="export",
                method=export.method,
                file=stored,
                quiet_ok=_just_asked(ctx, job),
            )
        if queued is None:
            job.state = "unsent"  # the person left or blocked the bot since: the file waits for the retention


async def _finish(
    due: DueContext,
    job_id: int,
    state: str,
    *,
    error: str | None = None,
    size: int | None = None,
    rows: int | None = None,
    name: str | None = None,
    export: ExportKind | None = None,
    problem: DomainError | None = None,
) -> None:
    """A job that sends no file: too big, or failed; the person is told (`problem`: in its words)."""
    async with unit_of_work(due) as ctx:
        job = await ctx.session.get(ExportJob, job_id)
        assert job is not None
        job.state, job.error, job.size, job.rows, job.file_name = state, error, size, rows, name
        job.built_at = ctx.clock.now()
        person = await ctx.session.get(Person, job.person_id) if job.person_id is not None else None
        if person is None:
            return
        if state == "too_big":
            text = t(
                "export-too-big",
                locale=job.locale,
                size=_mb(size or 0),
                limit=_mb(due.settings.export_max_bytes),
            )
        elif problem is not None:
            text = problem.text(job.locale)
        else:
            text = t("export-failed", locale=job.locale)
        Outbox(ctx).to_person(person, text, kind="export", quiet_ok=_just_asked(ctx, job))


def _just_asked(ctx: Ctx, job: ExportJob) -> bool:
    """The person asked moments ago and waits for the file, whatever the hour; a job built long after (the
    catch-up after a restart) is held to the end of the quiet hours, as for anyone who did not just act."""
    return ctx.clock.now() - as_utc(job.created_at) <= STALE


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".replace(".", ",")


@due_work("exports")
async def exports_due(due: DueContext, now: datetime) -> dict[str, int | None]:
    """The jobs a stopped process left, every tick; then the files past their retention, at most once an
    hour ("removed" is None when they were looked for less than an hour before)."""
    built = await run_pending(due, now)
    removed = await hourly(due, "exports.remove_expired", now, lambda: remove_expired(due, now))
    return {"built": built, "removed": removed}


async def remove_expired(due: DueContext, now: datetime) -> int:
    from bot.services.exports import ExportService

    async with unit_of_work(due) as ctx:
        return await ExportService(ctx).remove_expired(now)
