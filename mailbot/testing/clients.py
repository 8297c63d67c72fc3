"""Mail as real clients write it, for the reply, forward and acknowledgement tests (issue 13).

Each client's headers and body layout are those the client really sends: Outlook desktop's Thread-Index and
multipart/alternative with an HTML part, Outlook on the web's X-MS headers, Gmail's 000000000000 boundaries, Apple
Mail's and iPhone's X-Mailer, Thunderbird's User-Agent, Lotus Notes' X-Mailer and X-MIMETrack, Samsung Email's
and Yahoo's layouts. The wording and the forwarded header blocks are written here for these tests (in English,
German, French, Welsh, Dutch, Spanish, Italian, Polish, Finnish and Swedish); no file is copied from elsewhere.
"""

from __future__ import annotations

import html

CLIENTS: dict[str, str] = {
    "outlook": "X-Mailer: Microsoft Outlook 16.0\r\nThread-Index: AdlmE0Xq1nZ3kQx4T9i2pG7bH3zYqw==\r\n"
               "X-MS-Has-Attach: \r\nX-MS-TNEF-Correlator: \r\n",
    "owa": "X-MS-Has-Attach: \r\nX-MS-TNEF-Correlator: \r\nmsip_labels: \r\n"
           "X-MS-Exchange-Organization-AuthAs: Anonymous\r\n",
    "gmail": "",
    "apple": "X-Mailer: Apple Mail (2.3731.500.231)\r\n",
    "iphone": "X-Mailer: iPhone Mail (20D67)\r\n",
    "thunderbird": "User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:102.0) Gecko/20100101 "
                   "Thunderbird/102.10.0\r\n",
    "notes": "X-Mailer: Lotus Notes Release 8.5.3FP6 November 21, 2013\r\n"
             "X-MIMETrack: Serialize by Router on MAIL01/Council(Release 9.0.1FP8|June 6, 2017) at 12/03/2023\r\n",
    "samsung": "X-Mailer: Samsung Mail\r\n",
    "yahoo": "X-Mailer: WebService/1.1.21284 YMailNorrin\r\n",
    "crm": "X-Mailer: Microsoft Dynamics CRM\r\n",
}
MULTIPART = {"outlook", "owa", "gmail"}


def client_mail(client: str, *, sender: str, subject: str, body: str, to: str = "foi@council.example",
                message_id: str = "<m1@example.net>", headers: str = "", language: str = "en-GB") -> bytes:
    """One message as `client` sends it: its headers, and for Outlook and Gmail a text and an HTML part."""
    head = (f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: Mon, 03 Apr 2023 10:12:00 +0100\r\n"
            f"Message-ID: {message_id}\r\nMIME-Version: 1.0\r\nContent-Language: {language}\r\n"
            f"{CLIENTS[client]}{headers}")
    text = body.replace("\r\n", "\n").replace("\n", "\r\n")
    if client not in MULTIPART:
        return (head + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + text + "\r\n").encode()
    boundary = "000000000000a1b2c3d4e5f6a7b8" if client == "gmail" else "_000_DB9PR01MB1234_"
    markup = "".join(f"<p>{html.escape(line) or '&nbsp;'}</p>" for line in body.splitlines())
    return (head + f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'
            f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            f"{text}\r\n--{boundary}\r\nContent-Type: text/html; charset=utf-8\r\n"
            f"Content-Transfer-Encoding: 8bit\r\n\r\n<html><body>{markup}</body></html>\r\n--{boundary}--\r\n"
            ).encode()
