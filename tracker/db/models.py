"""Every model in one import, for Alembic and for callers that want several."""

from tracker.db.accounts import ROLES, AuditEvent, SignInLock, User
from tracker.db.api_tokens import ApiToken
from tracker.db.base import Base, utcnow
from tracker.db.events import (
    Event,
    EventAnswer,
    EventAnswerCount,
    EventEvidence,
    EventLoad,
    EventSession,
)
from tracker.db.evidence import Attachment, Evidence, EvidenceLink, KpiValue
from tracker.db.frameworks import Element, Framework, FrameworkPartner, FrameworkVersion, Partner
from tracker.db.plans import ActionPlan, ActionPlanComment, ActionPlanRevision, CurveNote
from tracker.db.ratings import RatingOverride, RatingSnapshot, RatingState
from tracker.db.storage import CachedPdf, StoredBlob, StoredBlobChunk, SurveyReportBatch, SurveyReportFile
from tracker.db.surveys import SurveyLevelResult, SurveyOrg, SurveyResponse, SurveyRound

__all__ = [
    "ROLES",
    "ActionPlan",
    "ActionPlanComment",
    "ActionPlanRevision",
    "ApiToken",
    "Attachment",
    "AuditEvent",
    "Base",
    "CachedPdf",
    "CurveNote",
    "Element",
    "Event",
    "EventAnswer",
    "EventAnswerCount",
    "EventEvidence",
    "EventLoad",
    "EventSession",
    "Evidence",
    "EvidenceLink",
    "Framework",
    "FrameworkPartner",
    "FrameworkVersion",
    "KpiValue",
    "Partner",
    "RatingOverride",
    "RatingSnapshot",
    "RatingState",
    "SignInLock",
    "StoredBlob",
    "StoredBlobChunk",
    "SurveyLevelResult",
    "SurveyOrg",
    "SurveyReportBatch",
    "SurveyReportFile",
    "SurveyResponse",
    "SurveyRound",
    "User",
    "utcnow",
]
