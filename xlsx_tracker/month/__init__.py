"""month: one month's work: the run (what a command needs about the month), split, merge, the ledger, and the
month state computed from the ledger by pure functions, by job: rows, scoring, lights, follow-ups, figures."""
