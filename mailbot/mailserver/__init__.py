"""The mail-server edge: IMAP (fetch, IDLE, the Sent folder)."""
