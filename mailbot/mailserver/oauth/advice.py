"""What an OAuth refusal means and what to do about it, in words an admin at a council can act on.

Microsoft's token endpoint answers with AADSTS codes; Google's with an `error` and a sentence; the mail servers,
once a token is in hand, only with "AUTHENTICATE failed" or "535 5.7.3". Each is mapped here, once, to the cause
people actually meet (docs/microsoft365.md and docs/google.md, "Errors you may see", say the same at length).
"""

from __future__ import annotations

import re

# AADSTS code -> what it means here and what to do. The commonest first.
AADSTS = {
    7000222: "the client secret has expired: create a new one (Entra admin centre > App registrations > the app > "
             "Certificates & secrets), put its Value in MAILBOT_OAUTH2_CLIENT_SECRET (or its _FILE) and set "
             "oauth2.client_secret_expires to its new expiry date",
    7000215: "the client secret is wrong: copy the secret's Value (shown once, when it is made), not its Secret ID, "
             "into MAILBOT_OAUTH2_CLIENT_SECRET (or its _FILE)",
    700016: "no application with this client id in the tenant: check oauth2.client_id (the app registration's "
            "Application (client) ID) and oauth2.tenant_id",
    90002: "no such tenant: check oauth2.tenant_id (the Directory (tenant) ID on the app registration's Overview)",
    900023: "oauth2.tenant_id is not a tenant id or domain: copy the Directory (tenant) ID",
    65001: "the app's permissions have no admin consent: an administrator must press 'Grant admin consent' under "
           "API permissions (Office 365 Exchange Online: IMAP.AccessAsApp, SMTP.SendAsApp)",
    500011: "Office 365 Exchange Online is not available in this tenant (no Exchange Online licence, or the wrong "
            "tenant): check oauth2.tenant_id",
    700027: "the certificate was not accepted: upload its public part (.cer/.pem) to the app registration "
            "(Certificates & secrets > Certificates), or it has expired",
    700024: "the certificate assertion is outside its validity: check this machine's clock (NTP)",
    7000112: "the application is disabled in the tenant: an administrator must enable it (Enterprise applications)",
    1002012: "the scope is not valid: leave oauth2.scope empty (https://outlook.office365.com/.default is used)",
    70011: "the scope is not valid: leave oauth2.scope empty (https://outlook.office365.com/.default is used)",
    50034: "the mailbox user does not exist in the tenant: check mailbox.address",
}

_CODE = re.compile(r"AADSTS(\d+)")


def aadsts_codes(text: str, codes: list[int] | None = None) -> list[int]:
    """The AADSTS codes an answer carries: its `error_codes`, else those named in its description."""
    return list(codes or []) or [int(found) for found in _CODE.findall(text)]


def token_advice(provider: str, error: str, description: str, codes: list[int] | None = None) -> str:
    """Plain advice for a refusal by the token endpoint."""
    for code in aadsts_codes(description, codes):
        if code in AADSTS:
            return f"AADSTS{code}: {AADSTS[code]}"
    text = f"{error} {description}".lower()
    if provider == "google":
        if "unauthorized_client" in text:
            return ("domain-wide delegation is not set up for this service account: in the Google Admin console > "
                    "Security > API controls > Domain-wide delegation, add its client ID with the scope "
                    "https://mail.google.com/")
        if "invalid email" in text or "invalid user" in text:
            return "Google does not know the mailbox: check mailbox.address (a user of your Workspace domain)"
        if "invalid jwt signature" in text or "invalid_grant" in text:
            return ("Google refused the service-account key (deleted, disabled or from another project): create a "
                    "new JSON key and put it in MAILBOT_OAUTH2_SERVICE_ACCOUNT_FILE")
    if "invalid_client" in text:
        return "the client id or its secret (or certificate) is wrong or expired: check oauth2.client_id and the secret"
    if "invalid_scope" in text:
        return "the scope is not accepted: check oauth2.scope"
    return "check oauth2.client_id, the secret and the provider's settings for this app"


def mailbox_advice(provider: str, protocol: str) -> str:
    """Why a mail server refuses a token the provider just issued: the mailbox side of the set-up is missing."""
    if provider == "microsoft":
        permission = "IMAP.AccessAsApp" if protocol == "IMAP" else "SMTP.SendAsApp"
        extra = ("" if protocol == "IMAP" else "; and SMTP AUTH must be enabled for the mailbox "
                 "(Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false)")
        return (f"the token was issued but Exchange Online refused it: check the app has {permission} with admin "
                "consent, that New-ServicePrincipal was run with the ENTERPRISE application's object id, and "
                f"Add-MailboxPermission -Identity <mailbox> -User <service principal> -AccessRights FullAccess{extra} "
                "(docs/microsoft365.md)")
    if provider == "google":
        return ("the token was issued but Google refused it: check domain-wide delegation has the scope "
                "https://mail.google.com/ and that IMAP is on for the mailbox (docs/google.md)")
    return "the token was issued but the mail server refused it: check the mailbox may be used by this client"
