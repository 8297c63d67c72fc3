"""Mail as RFC 5322 text: parsing inbound messages into values. Pure: no I/O."""
