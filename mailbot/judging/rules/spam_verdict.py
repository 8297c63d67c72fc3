"""A spam or virus verdict that a filter on the way wrote into the headers.

SpamAssassin (`X-Spam-Flag: YES`, `X-Spam-Status: Yes, …`), Rspamd and others (`X-Spam: Yes`), Exchange Online
Protection (a spam confidence level of 5 or more in `X-MS-Exchange-Organization-SCL` or the `SCL:` of
`X-Forefront-Antispam-Report`, or its verdict `SFV:SPM`), Barracuda, Proofpoint and Amazon SES receiving
(`X-SES-Spam-Verdict: FAIL`). A verdict of "no" or a low score is no hit: most mail carries one.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "spam-verdict"
DESCRIPTION = "A spam or virus verdict in the headers (SpamAssassin, Exchange SCL 5+, Barracuda, Proofpoint, SES)."
ROBOT = True

SCL_SPAM = 5  # Microsoft's spam confidence level: 5 and 6 spam, 9 high-confidence spam; -1 trusted
_YES = re.compile(r"^\s*(yes|true|spam|infected)\b", re.I)
_FOREFRONT = re.compile(r"\bSCL:(-?\d+)|\bSFV:(SPM)\b", re.I)
_PROOFPOINT = re.compile(r"\brule=(spam|phish|malware|bulk)\b", re.I)
_YES_HEADERS = ("x-spam-flag", "x-spam-status", "x-spam", "x-barracuda-spam-flag", "x-barracuda-spam-status",
                "x-virus-status", "x-spam-verdict")
_FAIL_HEADERS = ("x-ses-spam-verdict", "x-ses-virus-verdict")


def _scl(value: str | None) -> int | None:
    try:
        return int((value or "").strip())
    except ValueError:
        return None


def check(facts: Facts) -> str | None:
    msg = facts.msg
    for name in _YES_HEADERS:
        value = msg.header(name)
        if value and _YES.match(value):
            return f"marked as spam by a filter on the way ({name}: {value.strip()[:40]})"
    for name in _FAIL_HEADERS:
        if (msg.header(name) or "").strip().upper() == "FAIL":
            return f"marked as spam or a virus by Amazon SES ({name}: FAIL)"
    scl = _scl(msg.header("x-ms-exchange-organization-scl"))
    if scl is not None and scl >= SCL_SPAM:
        return f"Exchange spam confidence level {scl} (X-MS-Exchange-Organization-SCL; 5 or more is spam)"
    for found in _FOREFRONT.finditer(msg.header("x-forefront-antispam-report") or ""):
        if found.group(2) or int(found.group(1)) >= SCL_SPAM:
            return f"Exchange Online Protection verdict {found.group(0)} (X-Forefront-Antispam-Report)"
    details = _PROOFPOINT.search(msg.header("x-proofpoint-spam-details") or "")
    if details:
        return f"Proofpoint verdict {details.group(0)} (X-Proofpoint-Spam-Details)"
    return None
