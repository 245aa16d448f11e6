"""outputs: the month's documents, each a view of the one month state: the 调度 report, the 通报, receipts and
reminders (notices), the review sheet, the 工作台账; `documents` is the one list every command writes through.
No document imports another (an import-linter contract)."""
