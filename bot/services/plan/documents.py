"""The Telegram file_id of a period's document, cached per bot and per content (a cache: not audited)."""

from __future__ import annotations

from bot.context import Ctx
from storage.models.plan import PlanDocumentFile, PlanPeriod
from storage.repositories.plan import PlanRepo


class DocumentService:
    """The cached file_id of the period's document, so the file is uploaded once per bot and content."""

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.repo = PlanRepo(ctx.session)

    async def document_file_id(self, period: PlanPeriod, bot_id: int) -> str | None:
        """The cached file_id of the period's document for this bot, if it is for the current content."""
        row = await self.repo.document_file(period.id, bot_id)
        if row is None or row.sha256 != period.document_sha256:
            return None
        return row.file_id

    async def remember_document_file(self, period: PlanPeriod, bot_id: int, file_id: str) -> None:
        """Cache the file_id Telegram gave the uploaded document (a cache: not audited)."""
        sha = period.document_sha256 or ""
        row = await self.repo.document_file(period.id, bot_id)
        if row is None:
            self.repo.add(
                PlanDocumentFile(
                    period_id=period.id,
                    bot_id=bot_id,
                    file_id=file_id,
                    sha256=sha,
                    created_at=self.ctx.clock.now(),
                )
            )
        else:
            row.file_id, row.sha256, row.created_at = file_id, sha, self.ctx.clock.now()
        await self.ctx.session.flush()
