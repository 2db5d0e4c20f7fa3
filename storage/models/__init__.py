"""Every model module is imported here so that `Base.metadata` knows all tables."""

from storage.models.channels import Broadcast as Broadcast
from storage.models.channels import ChatBinding as ChatBinding
from storage.models.core import (
    AuditEntry,
    FsmRecord,
    OutboxMessage,
    Person,
    PersonRole,
    ProcessedUpdate,
    ProcessHeartbeat,
    Unit,
)
from storage.models.criteria import CriteriaImport as CriteriaImport
from storage.models.criteria import Discipline as Discipline
from storage.models.criteria import Initiative as Initiative
from storage.models.criteria import StaffGrade as StaffGrade
from storage.models.criteria import UnitGrade as UnitGrade
from storage.models.decisions import Commendation as Commendation
from storage.models.decisions import CommentPeriod as CommentPeriod
from storage.models.decisions import Decision as Decision
from storage.models.decisions import DecisionItem as DecisionItem
from storage.models.decisions import Objection as Objection
from storage.models.decisions import Proposal as Proposal
from storage.models.decisions import SigningDelegation as SigningDelegation
from storage.models.difficulty import Difficulty as Difficulty
from storage.models.documents import CertificateLayout as CertificateLayout
from storage.models.documents import FundEntry as FundEntry
from storage.models.exports import ExportJob as ExportJob
from storage.models.good_deed import GoodDeed as GoodDeed
from storage.models.good_deed import GoodDeedFile as GoodDeedFile
from storage.models.nomination import Nomination as Nomination
from storage.models.nomination import NominationExtension as NominationExtension
from storage.models.nomination import NominationGoodDeed as NominationGoodDeed
from storage.models.people import Invite as Invite
from storage.models.people import JoinClaim as JoinClaim
from storage.models.plan import PlanPeriod as PlanPeriod
from storage.models.registration import PlanAcknowledgement as PlanAcknowledgement
from storage.models.registration import Registration as Registration
from storage.models.registration import RegistrationExtension as RegistrationExtension
from storage.models.registration import RegistrationMovement as RegistrationMovement
from storage.models.reminder import DueMark as DueMark
from storage.models.reminder import ReminderMute as ReminderMute
from storage.models.reminder import ReminderPause as ReminderPause
from storage.models.voting import Ballot as Ballot
from storage.models.voting import VotingDossier as VotingDossier
from storage.models.voting import VotingMember as VotingMember
from storage.models.voting import VotingResult as VotingResult
from storage.models.voting import VotingRound as VotingRound

__all__ = [
    "AuditEntry",
    "FsmRecord",
    "OutboxMessage",
    "Person",
    "PersonRole",
    "ProcessHeartbeat",
    "ProcessedUpdate",
    "Unit",
]
