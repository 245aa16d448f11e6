"""cli: the command line. It parses, calls the library and prints in Chinese; `main` is the entry point."""
