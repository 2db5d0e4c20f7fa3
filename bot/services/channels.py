"""Groups and channels the bot is in: binding them for a purpose, and retiring a binding that stopped working.

- `membership(chat, old, new, can_post)`: a `my_chat_member` change in a group or channel. Added by someone
  who may manage channels (the secretary, the union, the admin): a binding is offered to them ("offer"), or,
  in a channel where the bot cannot post, a hint ("no_post"). Added by anyone else: "leave" (the handler
  leaves the chat and tells nobody); but a new supergroup may be a bound group's upgrade, whose "joined"
  Telegram can send before the old group's `migrate_to_chat_id`, from whoever upgraded it: "wait", and the
  due work `leave_strangers` leaves it after `STRANGER_GRACE` unless a migration moved a binding to it.
  Only being *added* can make the bot leave: a change of rights in a bound chat retires the binding when
  the bot can no longer post there, nothing more; the rights given back by someone in charge offer the
  binding again ("reoffer").
- `private(blocked)`: a private "kicked" is a person blocking the bot (unreachable, as a 403); "member" again
  unblocks it (reachable).
- `bind` (only a pending offer: `offered`), `unbind`, `listing`; `retire(chat_id, reason)` and
  `migrated(old, new)` for the sender's hook.
The secretaries are told when a binding is retired. No aiogram here; texts are single catalogue entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from bot.context import Ctx
from bot.due import DueContext, due_work
from bot.errors import DomainError, NotAllowed
from bot.i18n import t
from bot.roles import Role, Scope, can, register_rules
from bot.services.audit import Audit
from bot.services.delivery import Delivered, after_delivery, unit_of_work
from bot.services.outbox import Outbox
from bot.text import esc
from storage.models import Person
from storage.models.channels import ChatBinding
from storage.repositories.channels import ChannelRepo
from storage.repositories.people import PeopleRepo

CHANNELS = "channels_manage"
register_rules({CHANNELS: {Role.SECRETARY: Scope.ALL, Role.UNION: Scope.ALL, Role.ADMIN: Scope.ALL}})
PURPOSES = ("college", "unit", "union")
PRESENT = ("member", "administrator", "creator", "restricted")
KIND = "channel"  # the outbox rows of this feature
POST_KIND = "broadcast"  # bot.services.announce.KIND: an announcement's posts
STRANGER = "stranger"  # the reason of a supergroup's row joined by someone not in charge, until it is left
STRANGER_GRACE = timedelta(minutes=2)  # how long such a supergroup waits for a migration to bind it


@dataclass(frozen=True)
class ChatRef:
    id: int
    type: str  # group | supergroup | channel
    title: str


@dataclass(frozen=True)
class Membership:
    status: str
    can_post: bool | None = None  # a channel: can_post_messages; a restricted member: can_send_messages


Outcome = Literal["offer", "reoffer", "no_post", "leave", "wait", "retired", "none"]
REGAINED = ("rights_lost", "not_enough_rights")  # a binding stopped for the rights the bot may get back


@dataclass(frozen=True)
class Change:
    outcome: Outcome
    binding: ChatBinding | None = None


class BindingGone(DomainError):
    """The chat is no longer one the bot may bind or unbind (removed meanwhile, or a forged button)."""

    key = "channels-gone"


class NeedsUnit(DomainError):
    key = "channels-need-unit"


def may_post(m: Membership) -> bool:
    if m.status not in PRESENT:
        return False
    return m.can_post is not False  # None: a group member, who may send unless restricted


class ChannelService:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.repo = ChannelRepo(ctx.session)

    # -- the bot's membership ----------------------------------------------------------------------
    async def membership(self, chat: ChatRef, old: Membership, new: Membership) -> Change:
        added = old.status not in PRESENT and new.status in PRESENT
        if added:
            bound = await self.repo.by_chat(chat.id)
            if bound is not None and bound.active:  # a group's binding that followed it to its supergroup:
                return Change("none", bound)  # Telegram tells the bot it "joined" the new chat; stay bound
            if not can(self.ctx.actor, CHANNELS):
                if chat.type == "supergroup" and bound is None:  # perhaps a bound group's new id
                    return Change("wait", await self._stranger(chat))
                return Change("leave")
            binding = await self._offered(chat)
            if chat.type == "channel" and not may_post(new):
                return Change("no_post", binding)
            return Change("offer", binding)
        binding = await self.repo.by_chat(chat.id)
        if (
            binding is not None
            and _offer_pending(binding)
            and may_post(new)
            and can(self.ctx.actor, CHANNELS)
        ):
            return Change("offer", binding)  # a channel's hint followed: the bot may post now
        if (
            binding is not None
            and not binding.active
            and binding.retired_reason in REGAINED
            and may_post(new)
            and can(self.ctx.actor, CHANNELS)
        ):  # the rights given back by someone in charge: offered again, as when the bot is added
            return Change("reoffer", await self._offered(chat))
        if binding is not None and _offer_pending(binding) and new.status not in PRESENT:
            binding.retired_reason, binding.updated_at = "removed", self.ctx.clock.now()
            binding.version += 1  # the offer's buttons no longer bind a chat the bot has left
            return Change("none", binding)
        if binding is None or not binding.active or may_post(new):
            return Change("none", binding)
        reason = "removed" if new.status not in PRESENT else "rights_lost"
        await self.retire(binding, reason)
        return Change("retired", binding)

    async def _offered(self, chat: ChatRef) -> ChatBinding:
        """The chat's row, to bind: new, or the old row of a chat bound before (kept inactive until bound)."""
        now = self.ctx.clock.now()
        binding = await self.repo.by_chat(chat.id)
        actor = self.ctx.actor
        assert actor is not None
        if binding is None:
            binding = await self._new_row(chat, actor.person_id)
        else:
            binding.title, binding.chat_type, binding.added_by = chat.title[:255], chat.type, actor.person_id
            binding.active, binding.retired_reason, binding.updated_at = False, None, now  # a fresh offer
            binding.version += 1
        return binding

    async def _new_row(self, chat: ChatRef, added_by: int | None, reason: str | None = None) -> ChatBinding:
        """A chat's first row: not bound (offered, or a stranger's with `reason`)."""
        now = self.ctx.clock.now()
        binding = self.repo.add(
            ChatBinding(
                chat_id=chat.id,
                chat_type=chat.type,
                title=chat.title[:255],
                active=False,
                added_by=added_by,
                retired_reason=reason,
                created_at=now,
                updated_at=now,
                version=1,
            )
        )
        await self.ctx.session.flush()
        return binding

    async def _stranger(self, chat: ChatRef) -> ChatBinding:
        """The row of a supergroup joined by someone not in charge: never offered, left after the grace."""
        actor = self.ctx.actor
        binding = await self._new_row(chat, actor.person_id if actor is not None else None, STRANGER)
        Audit(self.ctx).record("chat.stranger", "chat_binding", binding.id, after=_audit(binding))
        return binding

    async def left_stranger(self, binding_id: int) -> bool:
        """Claim a stranger's supergroup to leave (True once, however many runs try); audited."""
        if not await self.repo.move_reason(binding_id, STRANGER, "left", self.ctx.clock.now()):
            return False
        binding = await self.repo.get(binding_id)
        assert binding is not None
        await self.ctx.session.refresh(binding)
        Audit(self.ctx).record("chat.left", "chat_binding", binding.id, after=_audit(binding))
        return True

    async def private(self, person_id: int, blocked: bool) -> bool:
        """A person blocked (or unblocked) the bot; True when their reachability changed."""
        person = await self.ctx.session.get(Person, person_id)
        if person is None or person.unreachable is blocked:
            return False
        person.unreachable = blocked
        Audit(self.ctx).record(
            "person.unreachable" if blocked else "person.reachable",
            "person",
            person.id,
            before={"unreachable": not blocked},
            after={"unreachable": blocked, "reason": "my_chat_member"},
            actor_id=person.id,
        )
        self.ctx.forget_person(person.telegram_id)
        return True

    # -- binding, unbinding, listing -----------------------------------------------------------------
    async def _own(self, binding_id: int, version: int | None = None) -> ChatBinding:
        if not can(self.ctx.actor, CHANNELS):
            raise NotAllowed()
        binding = await self.repo.get(binding_id)
        if binding is None or (version is not None and binding.version != version):
            raise BindingGone()
        return binding

    async def offered(self, binding_id: int, version: int) -> ChatBinding:
        """A chat whose offer is pending (the bot was added, or given back its rights, by someone in
        charge): the only kind a bind press may bind. Not a stranger's supergroup, nor a chat the bot has
        left, nor one unbound or whose binding stopped, whatever id and version a forged press names."""
        binding = await self._own(binding_id, version)
        if not _offer_pending(binding):
            raise BindingGone()
        return binding

    async def bind(
        self, binding_id: int, version: int, purpose: str, unit_id: int | None = None
    ) -> ChatBinding:
        binding = await self.offered(binding_id, version)
        if purpose not in PURPOSES:
            raise BindingGone()
        if purpose == "unit":
            unit = await self.repo.unit(unit_id)
            if unit is None or not unit.active:  # none picked, or a forged or retired unit
                raise NeedsUnit()
        before = {"purpose": binding.purpose, "active": binding.active}
        binding.purpose, binding.unit_id = purpose, unit_id if purpose == "unit" else None
        binding.active, binding.retired_reason = True, None
        binding.bound_by = self.ctx.actor.person_id  # type: ignore[union-attr]
        binding.updated_at = self.ctx.clock.now()
        binding.version += 1
        Audit(self.ctx).record("chat.bound", "chat_binding", binding.id, before=before, after=_audit(binding))
        return binding

    async def unbind(self, binding_id: int, version: int) -> ChatBinding:
        binding = await self._own(binding_id, version)
        if not binding.active:
            raise BindingGone()
        binding.active, binding.retired_reason = False, "unbound"
        binding.updated_at = self.ctx.clock.now()
        binding.version += 1
        await self.repo.cancel_queued(binding.chat_id, POST_KIND)  # only bound chats receive posts
        Audit(self.ctx).record(
            "chat.unbound", "chat_binding", binding.id, before={"active": True}, after=_audit(binding)
        )
        return binding

    async def unbound(self, binding_id: int, version: int) -> ChatBinding:
        """A binding just unbound, as the "leave or stay" question after it names it."""
        binding = await self._own(binding_id, version)
        if binding.active or binding.retired_reason != "unbound":
            raise BindingGone()
        return binding

    async def leavable(self, binding_id: int, version: int) -> ChatBinding:
        """The chat of a binding just unbound, that the bot may now leave (the handler leaves it)."""
        binding = await self.unbound(binding_id, version)
        binding.retired_reason = "left"
        binding.version += 1
        Audit(self.ctx).record("chat.left", "chat_binding", binding.id, after=_audit(binding))
        return binding

    async def listing(self) -> list[ChatBinding]:
        if not can(self.ctx.actor, CHANNELS):
            raise NotAllowed()
        return await self.repo.listed()

    # -- retiring and moving ---------------------------------------------------------------------------
    async def retire(self, binding: ChatBinding, reason: str) -> None:
        """The binding stops (rights lost, the bot removed, a post refused); the secretaries are told."""
        if not binding.active:
            return
        binding.active, binding.retired_reason = False, reason
        binding.updated_at = self.ctx.clock.now()
        binding.version += 1
        Audit(self.ctx).record(
            "chat.retired", "chat_binding", binding.id, before={"active": True}, after=_audit(binding)
        )
        outbox = Outbox(self.ctx)
        for secretary in await PeopleRepo(self.ctx.session).with_role(Role.SECRETARY, self.ctx.clock.today()):
            locale = secretary.language
            outbox.to_person(
                secretary,
                t(
                    "channels-retired",
                    locale=locale,
                    title=esc(binding.title),
                    reason=t(f"channels-reason-{reason}", locale=locale),
                ),
                kind=KIND,
            )

    async def migrated(self, old_chat_id: int, new_chat_id: int) -> ChatBinding | None:
        """A group became a supergroup: its binding follows the new id."""
        binding = await self.repo.by_chat(old_chat_id)
        there = await self.repo.by_chat(new_chat_id)
        if binding is None or (there is not None and there.active):
            return binding
        if there is not None:  # the supergroup's "joined" came first (offered, or a stranger's): it gives way
            await self.ctx.session.delete(there)
            await self.ctx.session.flush()
        binding.chat_id, binding.chat_type = new_chat_id, "supergroup"
        binding.updated_at = self.ctx.clock.now()
        Audit(self.ctx).record(
            "chat.migrated",
            "chat_binding",
            binding.id,
            before={"chat_id": old_chat_id},
            after={"chat_id": new_chat_id},
        )
        return binding


def _offer_pending(b: ChatBinding) -> bool:
    return not b.active and b.retired_reason is None  # offered (again), not bound yet


def _audit(b: ChatBinding) -> dict[str, object]:
    return {
        "chat_id": b.chat_id,
        "purpose": b.purpose,
        "unit_id": b.unit_id,
        "active": b.active,
        "reason": b.retired_reason,
    }


@after_delivery("channels")
async def follow_refusals(due: DueContext, rows: list[Delivered]) -> None:
    """A post a group or channel refused (403, chat not found, not enough rights) retires its binding;
    a row moved to a supergroup's new id moves the binding with it."""
    groups = [r for r in rows if r.chat_id < 0]
    if not groups:
        return
    async with unit_of_work(due) as ctx:
        service = ChannelService(ctx)
        for old, new in (await service.repo.moved_chats({r.id: r.chat_id for r in groups})).items():
            await service.migrated(old, new)
        for chat_id, error in (await service.repo.refused_chats([r.id for r in groups])).items():
            binding = await service.repo.by_chat(chat_id)
            if binding is not None:
                await service.retire(binding, error)


@due_work("channels-strangers")
async def leave_strangers(due: DueContext, now: datetime) -> int:
    """Leave the supergroups joined by someone not in charge whose grace has passed with no migration
    moving a binding to them. Each is claimed in its own unit of work first, so two runs leave it once;
    a leave that could not tell is given back, for the next run."""
    if due.leave_chat is None:
        return 0
    async with unit_of_work(due) as ctx:
        waiting = [
            (b.id, b.chat_id)
            for b in await ChannelRepo(ctx.session).reason_since(STRANGER, now - STRANGER_GRACE)
        ]
    left = 0
    for binding_id, chat_id in waiting:
        async with unit_of_work(due) as ctx:
            if not await ChannelService(ctx).left_stranger(binding_id):
                continue  # moved by a migration, or left by another run
        if await due.leave_chat(chat_id):
            left += 1
            continue
        async with unit_of_work(due) as ctx:  # due again on the next run
            if await ChannelRepo(ctx.session).move_reason(binding_id, "left", STRANGER, now - STRANGER_GRACE):
                after = {"chat_id": chat_id, "reason": STRANGER, "leave": "failed"}
                Audit(ctx).record("chat.leave_failed", "chat_binding", binding_id, after=after)
    return left
