"""Machine reports that are not bounces: ARF spam complaints, read receipts, DMARC and SMTP TLS reports.

RFC 6522 multipart/report carries more than delivery reports: `feedback-report` (ARF, RFC 5965, a mailbox
provider's spam complaint), `disposition-notification` (RFC 8098, read receipts), and SMTP TLS reports (RFC 8460,
`application/tlsrpt+json` or `+gzip`). DMARC aggregate reports (RFC 7489 §7.2.1.1) are plain mail from a receiver's
reporting robot whose subject says "Report Domain: … Submitter: …" and whose attachment is named
`receiver!domain!begin!end` (.xml, .zip or .gz). None of them is a person writing; delivery-status reports are
the delivery-report rule's (a bounce is linked to its enquiry).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "report-type"
DESCRIPTION = "A machine report other than a bounce: ARF or JMRP complaint, read receipt, DMARC or SMTP TLS report."
ROBOT = True

REPORT_PARTS = {
    "message/feedback-report": "a spam complaint (ARF feedback report)",
    "message/disposition-notification": "a read receipt (message disposition notification)",
    "message/global-disposition-notification": "a read receipt (message disposition notification)",
    "application/tlsrpt+json": "an SMTP TLS report",
    "application/tlsrpt+gzip": "an SMTP TLS report",
}
_REPORT_TYPE = re.compile(r"report-type\s*=\s*\"?([\w.+-]+)", re.I)
_REPORT_SUBJECT = re.compile(r"^\s*(\[[^]]*\]\s*)?report[ _-]?domain\s*:\s*\S+.*\bsubmitter\s*:\s*\S+", re.I)
# Microsoft's junk mail reporting programme (JMRP) forwards complaints under this subject, without ARF.
_JMRP_SUBJECT = re.compile(r"^\s*complaint about message from \d{1,3}(\.\d{1,3}){3}\b", re.I)
_DMARC_FILE = re.compile(r"^[^!\s]+![^!\s]+!\d{9,}!\d{9,}(![^.]*)?\.(xml|zip|gz|xml\.gz)$", re.I)


def check(facts: Facts) -> str | None:
    msg = facts.msg
    is_report = msg.content_type == "multipart/report"
    report_type = _REPORT_TYPE.search(msg.header("content-type") or "") if is_report else None
    if report_type and report_type.group(1).lower() not in {"delivery-status", "global-delivery-status"}:
        return f"a machine report (multipart/report; report-type={report_type.group(1).lower()})"
    for attachment in msg.attachments:
        what = REPORT_PARTS.get(attachment.content_type)
        if what:
            return f"{what}: {attachment.content_type} part"
    if msg.has_header("tls-report-domain"):
        return f"an SMTP TLS report (TLS-Report-Domain: {msg.header('tls-report-domain')})"
    if _REPORT_SUBJECT.search(msg.subject):
        return "a DMARC or SMTP TLS aggregate report (subject 'Report Domain: … Submitter: …')"
    if _JMRP_SUBJECT.search(msg.subject):
        return "a spam complaint forwarded by Microsoft's junk mail reporting programme (JMRP)"
    for attachment in msg.attachments:
        if attachment.filename and _DMARC_FILE.match(attachment.filename):
            return f"a DMARC aggregate report (attachment {attachment.filename})"
    return None
