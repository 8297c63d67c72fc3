"""Mail as the clients people use really build it, for the not-a-request judge tests (test_not_a_request.py).

Each builder writes the headers and MIME structure its client sends: Outlook/Exchange (multipart/alternative with
Thread-Index and an HTML twin), Gmail (the 0000… boundary and a `<div dir="ltr">` twin), Apple Mail on an iPhone
(us-ascii text with "Sent from my iPhone"), and an ISP webmail's quoted-printable Latin-1. Calendar invitations are
built as Outlook, Google Calendar and Teams send them (a text/calendar alternative with `method=REQUEST`, Google's
extra invite.ics attachment, Outlook's Content-Class), written for these tests from the iMIP structure of
RFC 6047 and the clients' own output; no one's real mail is copied.
"""

from __future__ import annotations

import html
import quopri
from itertools import count

MAILBOX = "foi@council.example"
_ids = count(1)


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def _head(frm: str, subject: str, extra: str, mid: str) -> str:
    return (f"From: {frm}\nTo: {MAILBOX}\nSubject: {subject}\nDate: Mon, 4 Mar 2024 09:{next(_ids) % 60:02d}:12 +0000\n"
            f"Message-ID: {mid}\nMIME-Version: 1.0\n{extra}")


def _html(body: str) -> str:
    return "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in body.split("\n\n"))


def outlook(frm: str, subject: str, body: str, *, extra: str = "") -> bytes:
    n = next(_ids)
    head = _head(frm, subject, f"Thread-Topic: {subject}\nThread-Index: AdpuE3q{n:04d}Qk9WxYz==\n"
                 f"Content-Language: en-GB\nX-MS-Has-Attach:\nX-MS-TNEF-Correlator:\n{extra}",
                 f"<LO2P265MB{n:04d}A1B2C3D4E5F6@LO2P265MB{n:04d}.GBRP265.PROD.OUTLOOK.COM>")
    b = f"_000_LO2P265MB{n:04d}_"
    return _lines(f"{head}Content-Type: multipart/alternative; boundary=\"{b}\"\n\n--{b}\n"
                  f"Content-Type: text/plain; charset=\"us-ascii\"\nContent-Transfer-Encoding: 7bit\n\n"
                  f"{body}\n\n--{b}\nContent-Type: text/html; charset=\"us-ascii\"\n\n<html><body>{_html(body)}"
                  f"</body></html>\n\n--{b}--\n").encode()


def gmail(frm: str, subject: str, body: str, *, extra: str = "") -> bytes:
    n = next(_ids)
    head = _head(frm, subject, extra, f"<CAJ{n:05d}xQ7vRm2k+Hn9eYw=Zp@mail.gmail.com>")
    b = f"0000000000004f2b{n:04d}0613a1c2"
    return _lines(f"{head}Content-Type: multipart/alternative; boundary=\"{b}\"\n\n--{b}\n"
                  f"Content-Type: text/plain; charset=\"UTF-8\"\n\n{body}\n\n--{b}\n"
                  f"Content-Type: text/html; charset=\"UTF-8\"\n\n<div dir=\"ltr\">{_html(body)}</div>\n\n--{b}--\n"
                  ).encode()


def iphone(frm: str, subject: str, body: str, *, extra: str = "") -> bytes:
    n = next(_ids)
    head = _head(frm, subject, f"X-Mailer: iPhone Mail (21D61)\n{extra}",
                 f"<7E1B{n:04d}-3C2A-4F0D-9B8E-1A2B3C4D5E6F@btinternet.example>")
    return _lines(f"{head}Content-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: 7bit\n\n"
                  f"{body}\n\nSent from my iPhone\n").encode()


def webmail(frm: str, subject: str, body: str, *, extra: str = "") -> bytes:
    n = next(_ids)
    head = _head(frm, subject, f"X-Mailer: Open-Xchange Mailer v7.10.6\n{extra}",
                 f"<{n}.1709543532.oxmail@email.virginmedia.example>")
    encoded = quopri.encodestring(_lines(body).encode("latin-1")).decode("ascii")
    return _lines(f"{head}Content-Type: text/plain; charset=ISO-8859-1\nContent-Transfer-Encoding: "
                  f"quoted-printable\n\n{encoded}\n").encode()


def with_attachment(frm: str, subject: str, body: str, filename: str, content_type: str) -> bytes:
    """Outlook's multipart/mixed: the text (maybe empty) and one file, base64."""
    n = next(_ids)
    head = _head(frm, subject, "X-MS-Has-Attach: yes\n", f"<AM0PR07MB{n:04d}F00D@AM0PR07MB{n:04d}.eurprd07.prod>")
    b = f"_004_AM0PR07MB{n:04d}_"
    return _lines(f"{head}Content-Type: multipart/mixed; boundary=\"{b}\"\n\n--{b}\n"
                  f"Content-Type: text/plain; charset=\"us-ascii\"\n\n{body}\n\n--{b}\n"
                  f"Content-Type: {content_type}; name=\"{filename}\"\nContent-Disposition: attachment; "
                  f"filename=\"{filename}\"\nContent-Transfer-Encoding: base64\n\n"
                  "JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5n\n"
                  f"dGggNiAwIFI+PgpzdHJlYW0K\n\n--{b}--\n").encode()


_VCALENDAR = """BEGIN:VCALENDAR
METHOD:{method}
PRODID:{prodid}
VERSION:2.0
BEGIN:VEVENT
ORGANIZER;CN={organiser}:mailto:{organiser_address}
ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN={mailbox}:mailto:{mailbox}
DESCRIPTION;LANGUAGE=en-GB:{summary}
UID:{uid}
SUMMARY;LANGUAGE=en-GB:{summary}
DTSTART;TZID=GMT Standard Time:20240312T100000
DTEND;TZID=GMT Standard Time:20240312T110000
SEQUENCE:0
STATUS:CONFIRMED
END:VEVENT
END:VCALENDAR"""


def outlook_invite(frm: str, organiser: str, subject: str, body: str, *, method: str = "REQUEST",
                   teams: bool = False) -> bytes:
    """Exchange/Outlook: multipart/alternative of text, HTML and text/calendar, Content-Class calendarmessage."""
    n = next(_ids)
    if teams:
        body += ("\n\n________________________________________________________________________________\n"
                 "Microsoft Teams meeting\nJoin on your computer, mobile app or room device\n"
                 "Click here to join the meeting<https://teams.microsoft.com/l/meetup-join/19%3ameeting_N2Y>\n"
                 "Meeting ID: 371 442 918 055\nPasscode: 7gQk2B\n"
                 "________________________________________________________________________________")
    head = _head(frm, subject, f"Content-Class: urn:content-classes:calendarmessage\nThread-Topic: {subject}\n"
                 f"Thread-Index: AdpuF{n:04d}Zz==\nX-MS-Has-Attach:\nX-MS-TNEF-Correlator:\n",
                 f"<CWLP123MB{n:04d}E3C7D0E1@CWLP123MB{n:04d}.GBRP123.PROD.OUTLOOK.COM>")
    ics = _VCALENDAR.format(method=method, prodid="Microsoft Exchange Server 2010", organiser=organiser,
                            organiser_address=frm.split("<")[-1].rstrip(">"), mailbox=MAILBOX, summary=subject,
                            uid=f"040000008200E00074C5B7101A82E00800000000{n:04d}")
    b = f"_000_CWLP123MB{n:04d}_"
    return _lines(f"{head}Content-Type: multipart/alternative; boundary=\"{b}\"\n\n--{b}\n"
                  f"Content-Type: text/plain; charset=\"utf-8\"\n\n{body}\n\n--{b}\n"
                  f"Content-Type: text/html; charset=\"utf-8\"\n\n<html><body>{_html(body)}</body></html>\n\n--{b}\n"
                  f"Content-Type: text/calendar; charset=\"utf-8\"; method={method}\n\n{ics}\n\n--{b}--\n").encode()


def google_invite(organiser: str, address: str, title: str, *, method: str = "REQUEST") -> bytes:
    """Google Calendar: multipart/mixed of (text, HTML, text/calendar) and an application/ics invite.ics."""
    n = next(_ids)
    prefix = {"REQUEST": "Invitation", "CANCEL": "Cancelled event"}.get(method, "Invitation")
    subject = f"{prefix}: {title} @ Tue 12 Mar 2024 10am - 11am (GMT) ({MAILBOX})"
    head = _head(f"{organiser} <{address}>", subject, f"Reply-To: {organiser} <{address}>\nSender: Google Calendar "
                 "<calendar-notification@google.com>\n", f"<calendar-{n:04d}-5f2e-4b7c@google.com>")
    ics = _VCALENDAR.format(method=method, prodid="-//Google Inc//Google Calendar 70.9054//EN", organiser=organiser,
                            organiser_address=address, mailbox=MAILBOX, summary=title, uid=f"{n:04d}abc@google.com")
    text = (f"You have been invited to the following event.\n\n{title}\nTuesday 12 Mar 2024 10am - 11am (GMT)\n\n"
            f"Organiser\n{organiser}\n\nView all guest info\nReply for {MAILBOX}\nYes No Maybe More options\n\n"
            "Invitation from Google Calendar\n\nYou are receiving this email because you are an attendee on the "
            "event. To stop receiving future updates for this event, decline this event.")
    outer, inner = f"000000000000a1b2{n:04d}0613", f"000000000000a1b1{n:04d}0613"
    return _lines(f"{head}Content-Type: multipart/mixed; boundary=\"{outer}\"\n\n--{outer}\n"
                  f"Content-Type: multipart/alternative; boundary=\"{inner}\"\n\n--{inner}\n"
                  f"Content-Type: text/plain; charset=\"UTF-8\"; format=flowed; delsp=yes\n\n{text}\n\n--{inner}\n"
                  f"Content-Type: text/html; charset=\"UTF-8\"\n\n<html><body>{_html(text)}</body></html>\n\n"
                  f"--{inner}\nContent-Type: text/calendar; charset=\"UTF-8\"; method={method}\n\n{ics}\n\n"
                  f"--{inner}--\n\n--{outer}\nContent-Type: application/ics; name=\"invite.ics\"\n"
                  f"Content-Disposition: attachment; filename=\"invite.ics\"\n\n{ics}\n\n--{outer}--\n").encode()
