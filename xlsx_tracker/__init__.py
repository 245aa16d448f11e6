"""xlsx-tracker: split the master task list, merge returned workbooks, report the monthly 调度."""

__version__ = "0.1.0"
