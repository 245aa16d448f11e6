"""web: the local page (`xlsx-tracker serve`). Like the command line it parses, calls the library and shows what
the library says; it adds no rule of its own. A page per step of the month, one job at a time in the background."""
