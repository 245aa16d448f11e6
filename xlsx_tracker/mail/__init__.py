"""mail: the office mailbox: fetching the returns over IMAP (mailbox), sending receipts and reminders over SMTP (sending)."""
