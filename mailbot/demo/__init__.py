"""`mailbot demo`: embedded IMAP/SMTP servers and the seed exchange they replay."""
