"""Problems as plain rows of the fields a test compares (code, sheet, cell, …), in their order."""


def fields(problems, keys: list[str]) -> list[list[str]]:
    return [[getattr(p, key) for key in keys] for p in problems]
