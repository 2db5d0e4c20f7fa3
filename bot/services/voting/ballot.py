"""Casting and changing a vote. A ballot holds a fresh random nonce and a seal, never the choice in clear:

    K     = HMAC-SHA256(VOTE_SECRET, "thidua/vote/" ‖ salt ‖ vote id)     (per vote; never stored)
    seal  = HMAC-SHA256(K, nonce ‖ dossier ‖ member ‖ choice)

Without the secret a row shows only that the member voted on that dossier (the progress and the reminders
need that much); the tally finds each choice by trying both (`unseal`), then sets every seal and nonce to
NULL. A change of vote writes a new nonce and seal. "Chưa quyết" is not a vote: it removes the ballot.
The audit records that a member voted on a dossier, and when, never how; nothing here logs a choice.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Literal

from bot.config import Settings
from bot.context import Ctx
from bot.services.audit import Audit
from bot.services.voting.common import ensure_secretary, open_vote
from bot.services.voting.errors import (
    AlreadyVoted,
    BadChoice,
    DossierNotInVote,
    DossierWithdrawn,
    NotMember,
    Recused,
    VoteSecretChanged,
    VoteSecretMissing,
)
from storage.models.nomination import Nomination, NominationState
from storage.models.voting import VotingDossier, VotingRound
from storage.repositories.voting import VotingRepo

Choice = Literal["agree", "disagree", "undecided"]
CHOICES: dict[str, bytes] = {"agree": b"y", "disagree": b"n"}  # the votes; "undecided" is none


# -- the seals ----------------------------------------------------------------------------------------
def secret_of(settings: Settings) -> str:
    secret = settings.vote_secret.get_secret_value() if settings.vote_secret else ""
    if not secret:
        raise VoteSecretMissing()
    return secret


def round_key(secret: str, salt: str, voting_id: int) -> bytes:
    message = b"thidua/vote/" + bytes.fromhex(salt) + voting_id.to_bytes(8, "big")
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest()


def key_check(key: bytes) -> str:
    """What the vote stores at opening, so the tally knows the secret has not changed since."""
    return hmac.new(key, b"thidua/vote/check", hashlib.sha256).hexdigest()


def seal(key: bytes, nonce: str, dossier_id: int, member_id: int, choice: str) -> str:
    message = bytes.fromhex(nonce) + dossier_id.to_bytes(8, "big") + member_id.to_bytes(8, "big")
    return hmac.new(key, message + CHOICES[choice], hashlib.sha256).hexdigest()


def unseal(key: bytes, nonce: str, dossier_id: int, member_id: int, sealed: str) -> str | None:
    """The choice whose seal this is, or None when none matches (a row changed by hand)."""
    for choice in CHOICES:
        if hmac.compare_digest(seal(key, nonce, dossier_id, member_id, choice), sealed):
            return choice
    return None


def new_salt() -> str:
    return secrets.token_hex(16)


def key_of(settings: Settings, voting: VotingRound) -> bytes:
    """The vote's key from the secret set now; refused when the secret is missing or not the one the
    vote was opened with."""
    assert voting.key_salt is not None
    key = round_key(secret_of(settings), voting.key_salt, voting.id)
    if voting.key_check is None or not hmac.compare_digest(key_check(key), voting.key_check):
        raise VoteSecretChanged()
    return key


# -- casting ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Progress:
    done: int
    total: int

    @property
    def finished(self) -> bool:
        return self.done >= self.total


@dataclass(frozen=True)
class Receipt:
    """What a press changed, without the choice: voted or not (undecided), and the member's progress."""

    voting_id: int
    dossier_id: int
    voted: bool
    again: bool  # the member had voted on it already (the vote may or may not have changed)
    written: bool
    progress: Progress
    changed: bool = True  # False: the same choice pressed again (a double tap): nothing was written


class BallotBox:
    """Casting, changing and withdrawing ballots; the secretary's written votes."""

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.repo = VotingRepo(ctx.session)

    async def _dossier(self, voting: VotingRound, dossier_id: int) -> VotingDossier:
        dossier = await self.repo.dossier(dossier_id)
        if dossier is None or dossier.voting_id != voting.id:
            raise DossierNotInVote()
        nomination = await self.ctx.session.get(Nomination, dossier.nomination_id)
        if nomination is None or nomination.state == NominationState.WITHDRAWN.value:
            raise DossierWithdrawn()
        return dossier

    async def progress(self, voting_id: int, member_id: int) -> Progress:
        dossiers = [d for d in await self.repo.dossiers(voting_id) if member_id not in (d.recused or [])]
        voted = set(await self.repo.ballots_of(voting_id, member_id))
        return Progress(sum(1 for d in dossiers if d.id in voted), len(dossiers))

    async def cast(self, voting_id: int, dossier_id: int, choice: str) -> Receipt:
        """The actor's vote on a dossier (agree, disagree), changed, or taken back (undecided)."""
        if self.ctx.actor is None:
            raise NotMember()
        return await self._put(voting_id, dossier_id, self.ctx.actor.person_id, choice, written=False)

    async def written(self, voting_id: int, dossier_id: int, member_id: int, choice: str) -> Receipt:
        """The secretary enters an absent member's written vote: marked as written, audited without it."""
        ensure_secretary(self.ctx)
        if choice not in CHOICES:
            raise BadChoice()
        return await self._put(voting_id, dossier_id, member_id, choice, written=True)

    async def _put(
        self, voting_id: int, dossier_id: int, member_id: int, choice: str, *, written: bool
    ) -> Receipt:
        if choice not in (*CHOICES, "undecided"):
            raise BadChoice()
        voting, _ = await open_vote(self.ctx, voting_id)
        if member_id not in await self.repo.member_ids(voting.id):
            raise NotMember()
        dossier = await self._dossier(voting, dossier_id)
        if member_id in (dossier.recused or []):
            raise Recused()
        before = await self.repo.has_ballot(dossier.id, member_id)
        if written and before:
            raise AlreadyVoted()
        if before and choice != "undecided" and await self._same(voting, dossier.id, member_id, choice):
            progress = await self.progress(voting.id, member_id)  # a double tap: nothing to write
            return Receipt(voting.id, dossier.id, True, True, False, progress, changed=False)
        audit = Audit(self.ctx)
        target = {"vote": voting.id, "dossier": dossier.id, "member": member_id}
        if choice == "undecided":
            if await self.repo.drop_ballot(dossier.id, member_id):
                audit.record("ballot.withdrawn", "ballot", voting.id, after=target)
            progress = await self.progress(voting.id, member_id)
            return Receipt(voting.id, dossier.id, False, before, False, progress, changed=before)
        nonce = secrets.token_hex(16)
        key = key_of(self.ctx.settings, voting)
        await self.repo.put_ballot(
            {
                "voting_id": voting.id,
                "dossier_id": dossier.id,
                "member_id": member_id,
                "nonce": nonce,
                "seal": seal(key, nonce, dossier.id, member_id, choice),
                "written": written,
                "entered_by": self.ctx.actor.person_id if written and self.ctx.actor else None,
                "cast_at": self.ctx.clock.now(),
            }
        )
        action = "ballot.written" if written else "ballot.recast" if before else "ballot.cast"
        audit.record(action, "ballot", voting.id, after=target)
        progress = await self.progress(voting.id, member_id)
        return Receipt(voting.id, dossier.id, True, before, written, progress)

    async def _same(self, voting: VotingRound, dossier_id: int, member_id: int, choice: str) -> bool:
        sealed = await self.repo.seals_of(voting.id, member_id, dossier_id)
        if not sealed:
            return False
        _, nonce, seal_ = sealed[0]
        return unseal(key_of(self.ctx.settings, voting), nonce, dossier_id, member_id, seal_) == choice

    async def mine(self, voting: VotingRound) -> dict[int, str]:
        """The actor's own choices on an open vote (dossier -> agree | disagree), to show on the actor's
        own cards and nowhere else; empty when the vote is not open or its secret is not the one it opened
        with."""
        if self.ctx.actor is None or voting.state != "open" or not voting.key_salt:
            return {}
        try:
            key = key_of(self.ctx.settings, voting)
        except (VoteSecretMissing, VoteSecretChanged):
            return {}
        me, out = self.ctx.actor.person_id, {}
        for dossier_id, nonce, seal_ in await self.repo.seals_of(voting.id, me):
            choice = unseal(key, nonce, dossier_id, me, seal_)
            if choice is not None:
                out[dossier_id] = choice
        return out
