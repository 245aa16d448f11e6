"""master: the office's inputs: the master task list (tasklist, built from the seed text by seed), the unit
registry and aliases (units), the settings, the liaison roster, value rules (values) and what each unit is
issued from the list (issued)."""
