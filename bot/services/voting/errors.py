"""What a person can get wrong about a vote: each error has its catalogue key (locales/*/voting.po)."""

from __future__ import annotations

from bot.errors import DomainError, NotAllowed, NotFound


class VoteSecretMissing(DomainError):
    """VOTE_SECRET is not set: ballots could not be sealed, so voting does not open."""

    key = "voting-no-secret"


class VoteSecretChanged(DomainError):
    """The ballots were sealed with another VOTE_SECRET than the one set now: the tally refuses."""

    key = "voting-secret-changed"


class BallotTampered(DomainError):
    """A ballot's seal matches no choice: a row was changed by hand. The tally refuses, naming how many."""

    key = "voting-ballot-tampered"


class VotingNotFound(NotFound):
    key = "voting-not-found"


class VotingNotOpen(DomainError):
    key = "voting-not-open"


class VotingClosed(DomainError):
    key = "voting-closed"


class VotingAlreadyOpen(DomainError):
    """The council can no longer change: voting has opened."""

    key = "voting-already-open"


class NotMember(NotAllowed):
    key = "voting-not-member"


class NotSecretary(NotAllowed):
    key = "voting-not-secretary"


class DossierNotInVote(DomainError):
    key = "voting-dossier-not-here"


class DossierWithdrawn(DomainError):
    key = "voting-dossier-withdrawn"


class Recused(DomainError):
    key = "voting-recused"


class BadChoice(DomainError):
    key = "voting-bad-choice"


class AlreadyVoted(DomainError):
    """A written vote for a member who has voted on that dossier."""

    key = "voting-already-voted"


class NotComplete(DomainError):
    """An early close before every member has voted on every dossier."""

    key = "voting-not-complete"


class AlreadyClosed(DomainError):
    key = "voting-already-closed"


class NotTallied(DomainError):
    key = "voting-not-tallied"


class NoSuchTie(DomainError):
    key = "voting-no-such-tie"


class BadSettlement(DomainError):
    """The chosen dossiers are not among the tied ones, or not as many as the places left."""

    key = "voting-bad-settlement"


class ReasonNeeded(DomainError):
    key = "voting-reason-needed"


class NotAPerson(DomainError):
    key = "voting-no-such-person"


class ChairNotMember(DomainError):
    key = "voting-chair-not-member"


class ReballotNotAllowed(DomainError):
    key = "voting-reballot-not-allowed"


class ReballotCloseBad(DomainError):
    key = "voting-reballot-close-bad"
