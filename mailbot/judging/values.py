"""The words of a decision: what kind of mail it is, what the bot does, where a case stands, what staff are told.

Each is a StrEnum whose values are the strings stored in the audit trail, printed by `mailbot check --json` and
read by templates, so members compare, hash, format and serialise exactly like those strings.
"""

from __future__ import annotations

from enum import StrEnum

from mailbot.clock.regimes import Regime

__all__ = ["Action", "CaseStatus", "Kind", "Regime", "StaffNotice"]


class Kind(StrEnum):
    REQUEST = "request"
    FOLLOW_UP = "follow_up"
    AUTO_REPLY = "auto_reply"
    BOUNCE = "bounce"
    BULK = "bulk"
    LOOP = "loop"
    CORRESPONDENCE = "correspondence"  # a person's mail that asks for no recorded information (complaint, service
                                       # request, sales pitch, invitation, test, bare attachment): staff, no reply
    SPAM = "spam"  # marked or evidently spam or phishing: recorded, never answered
    INTERNAL = "internal"  # from the authority's own domains (mailbox.own_domains): staff, never an automatic reply

    @property
    def robot(self) -> bool:
        """Mail no person wrote: recorded for staff, never answered, and explained by robot rules alone."""
        return self in _ROBOT_KINDS


_ROBOT_KINDS = frozenset({Kind.LOOP, Kind.BOUNCE, Kind.AUTO_REPLY, Kind.BULK, Kind.SPAM})


class Action(StrEnum):
    ACKNOWLEDGE = "acknowledge"  # a valid new request (or a held one completed): reference + acknowledgement
    SECTION8_NOTICE = "section8_notice"  # invalid under FOIA s8: say what is missing; hold without a reference
    ACKNOWLEDGE_REVIEW = "acknowledge_review"  # an internal review of a known enquiry
    ACKNOWLEDGE_FOLLOW_UP = "acknowledge_follow_up"  # further mail on an open enquiry: recorded, receipt confirmed
    STAFF_REVIEW = "staff_review"  # a person wrote, but the evidence is weak or conflicting: no automatic reply
    NONE = "none"  # robots: recorded, never answered

    @property
    def replies(self) -> bool:
        """Whether carrying it out writes to the sender (when there is an address to write to)."""
        return self in REPLYING_ACTIONS


REPLYING_ACTIONS = frozenset({Action.ACKNOWLEDGE, Action.SECTION8_NOTICE, Action.ACKNOWLEDGE_REVIEW,
                              Action.ACKNOWLEDGE_FOLLOW_UP})


class CaseStatus(StrEnum):
    HELD = "held"  # a Section 8 notice went out: no reference until the missing details arrive
    OPEN = "open"
    ANSWERED = "answered"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


class StaffNotice(StrEnum):
    """A notice to staff that a decision sends besides (or instead of) a reply; the act runner knows each one."""

    DAILY_CAP = "daily-cap"  # an address reached the daily cap of automatic replies
    HOURLY_CAP = "hourly-cap"  # the mailbox reached its hourly cap of automatic replies
