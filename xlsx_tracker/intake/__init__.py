"""intake: reading whatever comes back without trusting it: the inbox listing (inbox, saved mail by mailparse),
zip safety (zipsafe), one worker process per read (isolate), a file's real format (sniff), its sheets (reader),
情况说明 documents (explanation), and the check of a return against what was issued (reconcile)."""
