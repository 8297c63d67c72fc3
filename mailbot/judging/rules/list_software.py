"""Mailing-list software that says its name but sends no RFC 2369/2919 List-* headers.

Old Mailman 2 and ezmlm installations, majordomo, fml, Sympa and Google Groups mark list posts with their own
headers: `X-Mailman-Version`, `X-BeenThere` (Mailman's loop guard), `Mailing-List:` (ezmlm), `X-Mailing-List`,
`X-ML-Name` (fml), `X-Google-Group-Id`. A list post is addressed to everyone on the list, not to us. A list
manager's own address as the sender (`LISTSERV@`, `majordomo@`, `sympa@`: LISTSERV's digests carry no List-*
header) says the same: those local parts are the software's, never a person's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "list-software"
DESCRIPTION = "Mailing-list software headers without List-*: X-Mailman-Version, X-BeenThere, ezmlm Mailing-List…"
ROBOT = True

HEADERS = ("x-mailman-version", "x-beenthere", "mailing-list", "x-mailing-list", "x-ml-name", "x-ml-count",
           "x-google-group-id", "x-list", "x-listname", "x-list-administrivia", "x-ezmlm-version")


LIST_MANAGERS = frozenset({"listserv", "majordomo", "sympa", "lyris", "ecartis", "smartlist", "listproc",
                           "mailman"})


def check(facts: Facts) -> str | None:
    local = (facts.msg.sender or "").rsplit("@", 1)[0].lower()
    if local in LIST_MANAGERS:
        return f"sent by the list manager itself ({local}@…)"
    for name in HEADERS:
        value = facts.msg.header(name)
        if value is not None:
            return f"mailing-list software header {name}: {value.strip()[:50]}"
    return None
