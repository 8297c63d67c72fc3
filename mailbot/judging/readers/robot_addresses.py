"""Addresses nobody reads: no-reply, do-not-reply, bounce, notification and list-robot local parts.

Read by the robot-sender rule (nobody to write to) and by the facts (a display name on such an address is the
system's — "Egress Switch", "Planning Portal" — never the applicant's). List-robot addresses follow the conventions
of Mailman, majordomo and ezmlm: `list-request@`, `list-admin@`, `list-owner@`, `owner-list@`.
"""

from __future__ import annotations

import re

_SEP = r"[-_.+]"
ROBOT_LOCAL_PARTS = re.compile(
    rf"^(.*{_SEP})?(no{_SEP}?reply|do{_SEP}?not{_SEP}?reply|dont{_SEP}?reply)({_SEP}.*)?$"
    rf"|^(.*{_SEP})?(noreply|donotreply)\d*({_SEP}.*)?$"
    rf"|^bounces?({_SEP}.*)?$|^.*-bounces?(\+.*)?$"
    rf"|^(.*{_SEP})?(notifications?|notify|alerts?|automated{_SEP}notifications?)$"
    rf"|^.+-(admin|request|owner)$|^owner-.+$",
    re.I,
)


def robot_local(address: str | None) -> str | None:
    """The local part of `address` when it is a robot's, else None."""
    local = (address or "").rsplit("@", 1)[0]
    return local if local and ROBOT_LOCAL_PARTS.match(local) else None
