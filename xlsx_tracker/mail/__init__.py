"""mail: the office mailbox: fetching the returns over IMAP, sending receipts and reminders over SMTP."""
