"""calendar: working days by the State Council's holiday arrangements (workdays), and importing next year's
arrangements from the notice as published (notice_text reads it, holiday_notice checks and writes it)."""
