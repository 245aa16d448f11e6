"""ledger: an embedded SQLite history of every returned file, its values and its problems."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from ..base import layout
from ..base.model import Carried, Problem, TrackerError
from ..base.problems import READER_CRASHED, READER_TIMEOUT
from ..base.workspace import LEDGER_FILE
from ..calendar.workdays import previous_month
from . import resubmission

ESTIMATED = "保存时间(推定)"  # a receipt time taken from the file's own saved time: an estimate, and said to be
BUSY_TIMEOUT = 30.0  # seconds to wait for a lock held by another reader (an antivirus scan, a backup)

SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    sha256 TEXT NOT NULL, month TEXT NOT NULL, unit TEXT NOT NULL, file_name TEXT NOT NULL,
    archive_path TEXT NOT NULL, size INTEGER NOT NULL, issued TEXT, saved_at TEXT,
    identity_source TEXT, master_version TEXT, received_at TEXT NOT NULL,
    outcome TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '', doubt TEXT NOT NULL DEFAULT '',
    receipt_time TEXT NOT NULL DEFAULT '', receipt_source TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (sha256, month)
);
CREATE TABLE IF NOT EXISTS row_values (
    sha256 TEXT NOT NULL, month TEXT NOT NULL, task_id TEXT NOT NULL, row_values TEXT NOT NULL,
    PRIMARY KEY (sha256, month, task_id)
);
CREATE TABLE IF NOT EXISTS evidence (
    sha256 TEXT NOT NULL, month TEXT NOT NULL, seq INTEGER NOT NULL, entry TEXT NOT NULL,
    PRIMARY KEY (sha256, month, seq)
);
CREATE TABLE IF NOT EXISTS liaison (
    sha256 TEXT NOT NULL, month TEXT NOT NULL, entry TEXT NOT NULL, PRIMARY KEY (sha256, month)
);
CREATE TABLE IF NOT EXISTS issues (
    month TEXT NOT NULL, unit TEXT NOT NULL, issued_at TEXT NOT NULL, master_version TEXT NOT NULL,
    deadline TEXT NOT NULL, rows TEXT NOT NULL,
    PRIMARY KEY (month, unit, issued_at)
);
CREATE TABLE IF NOT EXISTS issue_rows (digest TEXT NOT NULL PRIMARY KEY, rows TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS fetched (
    message_id TEXT NOT NULL, sha256 TEXT NOT NULL, month TEXT NOT NULL, path TEXT NOT NULL, received TEXT NOT NULL,
    PRIMARY KEY (message_id, sha256)
);
CREATE TABLE IF NOT EXISTS sent (
    month TEXT NOT NULL, kind TEXT NOT NULL, unit TEXT NOT NULL, digest TEXT NOT NULL, to_address TEXT NOT NULL,
    sent_at TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'sent', PRIMARY KEY (month, kind, unit, digest)
);
CREATE TABLE IF NOT EXISTS reviews (
    unit TEXT NOT NULL, task_id TEXT NOT NULL, month TEXT NOT NULL, decision TEXT NOT NULL, reason TEXT NOT NULL,
    reviewer TEXT NOT NULL, decided_at TEXT NOT NULL, claim TEXT NOT NULL, evidence TEXT NOT NULL,
    PRIMARY KEY (unit, task_id, month)
);
CREATE TABLE IF NOT EXISTS lights (
    month TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, light TEXT NOT NULL, reasons TEXT NOT NULL,
    PRIMARY KEY (month, kind, key)
);
CREATE TABLE IF NOT EXISTS written (
    path TEXT NOT NULL PRIMARY KEY, sha256 TEXT NOT NULL, written_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS problems (
    sha256 TEXT NOT NULL, month TEXT NOT NULL, seq INTEGER NOT NULL, unit TEXT, code TEXT NOT NULL,
    severity TEXT NOT NULL, file TEXT, sheet TEXT, cell TEXT, message TEXT NOT NULL,
    PRIMARY KEY (sha256, month, seq)
);
"""


@dataclass(frozen=True, slots=True)  # tens of thousands at province scale
class Submission:
    sha256: str
    month: str
    unit: str
    file_name: str
    archive_path: str
    size: int
    issued: str
    saved_at: str
    identity_source: str
    master_version: str
    received_at: str
    outcome: str  # "applied", "rejected", "material" (a PDF or other file sent beside) or "container" (a zip)
    reason: str = ""
    doubt: str = ""  # why this file may not be what it claims (its name names another unit)
    receipt_time: str = ""  # when the office received it: what timeliness is judged on
    receipt_source: str = ""  # how that is known (see merge.receipt)

    @property
    def order_key(self) -> tuple:
        """What the resubmission rule looks at, in its order (month.resubmission compares them; not a sort key)."""
        return (not self.doubt, self.issued or "", self.receipt_time, self.saved_at or "", self.received_at, self.file_name)


@dataclass
class Recorded:
    submission: Submission
    rows: dict[str, dict]
    evidence: list[dict]
    liaison: dict
    problems: list[Problem]

    def prepare(self, item) -> Prepared:
        """The insert parameters, serialised where the work is done (in a worker process)."""
        s = self.submission
        key = (s.sha256, s.month)
        return Prepared(
            s, item,
            [(*key, task_id, _dump(values)) for task_id, values in self.rows.items()],
            [(*key, seq, _dump(e)) for seq, e in enumerate(self.evidence)],
            [(*key, _dump(self.liaison))] if self.liaison else [],
            [(*key, seq, p.unit, p.code, p.severity, p.file, p.sheet, p.cell, p.message) for seq, p in enumerate(self.problems)],
        )


@dataclass(frozen=True)
class Prepared:
    submission: Submission
    item: object  # the inbox item the bytes come from, for the archive
    row_values: list[tuple]
    evidence: list[tuple]
    liaison: list[tuple]
    problems: list[tuple]
    data: bytes = field(default=b"", repr=False, compare=False)  # the bytes judged, on their way to the archive


def connect(path: Path) -> sqlite3.Connection:
    """The ledger, its tables made or brought up to date; a file that is not a ledger is refused in Chinese, untouched."""
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT)
    try:
        # A rollback journal, not WAL: WAL needs shared memory that network drives (where offices keep shared
        # folders) do not provide. Commands never overlap (the workspace lock), so WAL's concurrency is not needed.
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute("PRAGMA synchronous=FULL")
        conn.executescript(SCHEMA)
        _migrate(conn)
    except sqlite3.DatabaseError as exc:
        conn.close()
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            raise
        raise TrackerError(f"台账文件“{path}”无法打开({exc}):它已损坏或不是本工具的台账。请从备份中恢复该文件"
                           "(本工具没有改动它)。") from None
    return conn


def _migrate(conn: sqlite3.Connection) -> None:
    """Columns added since the first release, added to a ledger written by it."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(submissions)")}
    for column in ("doubt", "receipt_time", "receipt_source"):  # in the order of Submission's fields
        if column not in columns:
            conn.execute(f"ALTER TABLE submissions ADD COLUMN {column} TEXT NOT NULL DEFAULT ''")
    if "state" not in {row[1] for row in conn.execute("PRAGMA table_info(sent)")}:  # every earlier row was sent
        conn.execute("ALTER TABLE sent ADD COLUMN state TEXT NOT NULL DEFAULT 'sent'")


@contextmanager
def transaction(conn: sqlite3.Connection):
    """All or nothing: a crash inside leaves the ledger as it was before."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def known_hashes(conn: sqlite3.Connection, month: str) -> set[str]:
    return {sha for (sha,) in conn.execute("SELECT sha256 FROM submissions WHERE month=?", (month,))}


RETRIED_CODES = (READER_CRASHED, READER_TIMEOUT)


def failed_reads(conn: sqlite3.Connection, month: str) -> set[str]:
    """Files whose reader crashed or ran out of time: read again by the next merge."""
    marks = ",".join("?" * len(RETRIED_CODES))
    return {sha for (sha,) in conn.execute(f"SELECT DISTINCT sha256 FROM problems WHERE month=? AND code IN ({marks})",
                                           (month, *RETRIED_CODES))}


def forget(conn: sqlite3.Connection, sha256: str, month: str) -> None:
    """Remove a file's record (before it is recorded again from a new read)."""
    for table in ("submissions", "row_values", "evidence", "liaison", "problems"):
        conn.execute(f"DELETE FROM {table} WHERE sha256=? AND month=?", (sha256, month))


def record(conn: sqlite3.Connection, item: Prepared) -> None:
    s = item.submission
    conn.execute("INSERT INTO submissions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                 (s.sha256, s.month, s.unit, s.file_name, s.archive_path, s.size, s.issued, s.saved_at,
                  s.identity_source, s.master_version, s.received_at, s.outcome, s.reason, s.doubt,
                  s.receipt_time, s.receipt_source))
    conn.executemany("INSERT INTO row_values VALUES (?,?,?,?)", item.row_values)
    conn.executemany("INSERT INTO evidence VALUES (?,?,?,?)", item.evidence)
    conn.executemany("INSERT INTO liaison VALUES (?,?,?)", item.liaison)
    conn.executemany("INSERT INTO problems VALUES (?,?,?,?,?,?,?,?,?,?)", item.problems)


def _dump(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def submissions(conn: sqlite3.Connection, month: str) -> list[Submission]:
    rows = conn.execute("SELECT * FROM submissions WHERE month=? ORDER BY unit, file_name, sha256", (month,)).fetchall()
    return [Submission(*row) for row in rows]


def winners(subs: list[Submission]) -> dict[str, Submission]:
    """The winning applied submission of each unit, by the resubmission rule (month.resubmission: times of one kind only)."""
    return resubmission.winners(subs)


def accepted(conn: sqlite3.Connection, month: str) -> dict[str, Submission]:
    """The winning applied submission of each unit for the month."""
    return winners(submissions(conn, month))


SHARED_TEXT = 24  # characters: short cell texts are interned, progress narratives are not


def _shared_strings(pairs: list[tuple[str, object]]) -> dict:
    # column names, statuses, dates and names repeat across tens of thousands of rows: one string object each
    return {sys.intern(k): sys.intern(v) if isinstance(v, str) and len(v) <= SHARED_TEXT else v for k, v in pairs}

_decode_values = json.JSONDecoder(object_pairs_hook=_shared_strings).decode  # one task row's values, as recorded


def row_values(conn: sqlite3.Connection, sha256: str, month: str) -> dict[str, dict]:
    rows = conn.execute("SELECT task_id, row_values FROM row_values WHERE sha256=? AND month=? ORDER BY task_id", (sha256, month))
    return {task_id: _decode_values(values) for task_id, values in rows}


class Contents(NamedTuple):
    """What one recorded file gave, decoded: its task rows' values, its evidence entries, its liaison entry."""

    values: dict[str, dict]  # task id -> column -> value
    evidence: list[dict]
    liaison: dict


def contents_by_file(conn: sqlite3.Connection, month: str, files: dict) -> dict:
    """key -> Contents of the file given under that key (a Submission), in as few queries as SQLite allows."""
    values: dict[str, dict[str, dict]] = {sub.sha256: {} for sub in files.values()}
    for sha, task_id, text in rows_for(conn, "SELECT sha256, task_id, row_values FROM row_values WHERE month=? AND sha256 IN ({marks}) "
                                             "ORDER BY sha256, task_id", (month,), values):
        values[sha][task_id] = _decode_values(text)
    evidence, liaison = _by_file(conn, "evidence", month, files), _by_file(conn, "liaison", month, files)
    return {key: Contents(values[sub.sha256], evidence[key], liaison[key][0] if liaison[key] else {}) for key, sub in files.items()}


def _by_file(conn: sqlite3.Connection, table: str, month: str, files: dict[str, Submission]) -> dict[str, list]:
    """key -> its file's decoded entries of table (evidence or liaison): a few queries by file hash, not one per file."""
    order = "seq" if table == "evidence" else "rowid"  # a file has one liaison entry
    texts: dict[str, list[str]] = {}
    for sha256, entry in rows_for(conn, f"SELECT sha256, entry FROM {table} WHERE month=? AND sha256 IN ({{marks}}) "
                                        f"ORDER BY sha256, {order}", (month,), {sub.sha256 for sub in files.values()}):
        texts.setdefault(sha256, []).append(entry)
    return {key: [_decode_values(entry) for entry in texts.get(sub.sha256, ())] for key, sub in files.items()}


def rows_for(conn: sqlite3.Connection, sql: str, params: tuple, keys) -> list[tuple]:
    """The rows of sql for every key, its {marks} filled with as many as one query may take (999 on old SQLite)."""
    wanted, found = sorted(keys), []
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        found.extend(conn.execute(sql.format(marks=",".join("?" * len(chunk))), (*params, *chunk)))
    return found


def problems(conn: sqlite3.Connection, month: str, subs: list[Submission], winning: dict[str, Submission]) -> list[Problem]:
    """Problems of the month's files that count: rejected files, materials, each unit's winner, and doubted files."""
    counted = {s.sha256 for s in subs if s.outcome in ("rejected", "material", "container") or s.doubt} | {s.sha256 for s in winning.values()}
    rows = conn.execute("SELECT sha256, code, message, file, sheet, cell, unit, severity FROM problems "
                        "WHERE month=? ORDER BY file, sha256, seq", (month,)).fetchall()
    return [Problem(*row[1:]) for row in rows if row[0] in counted]


def months(conn: sqlite3.Connection) -> list[str]:
    return [m for (m,) in conn.execute("SELECT DISTINCT month FROM submissions ORDER BY month")]


@dataclass(frozen=True)
class MonthRecords:
    """What the ledger holds for one month, and the months before it, as plain data: the input of the month state."""

    month: str
    accepted: dict[str, Submission]  # unit -> winning submission
    superseded: list[Submission]
    values: dict[str, dict[str, dict]]  # unit -> task id -> editable values
    evidence: dict[str, list[dict]]  # unit -> evidence entries
    problems: list[Problem]  # of the files that count (rejected files, materials, winners, doubted files)
    liaison_history: list[tuple[str, str, dict]] = ()  # (month, unit, entry) of accepted returns up to this month, in order
    submissions: list[Submission] = ()  # every file recorded for the month, whatever its fate
    earlier_values: list[tuple[str, dict[str, dict[str, dict]]]] = ()  # (month, unit -> task id -> values), oldest first
    earlier_lights: list[tuple[str, dict[str, str]]] = ()  # (month, unit -> light) as kept for earlier months, oldest first
    reviews: dict = field(default_factory=dict)  # (unit, task id) -> [(month, 通过/退回, reason, claim text)] up to this month
    carried_evidence: dict = field(default_factory=dict)  # unit -> evidence of its last accepted return before this month


def load_month(conn: sqlite3.Connection, month: str, contents=contents_by_file) -> MonthRecords:
    """Read one month, with what earlier months say (liaisons, statuses, texts, planned dates).

    contents(conn, month, unit -> file) gives what each file gave (month.values_cache keeps it decoded)."""
    subs = submissions(conn, month)
    winning = winners(subs)
    earlier = {m: accepted(conn, m) for m in months(conn) if m < month}
    given = {m: contents(conn, m, files) for m, files in [*earlier.items(), (month, winning)]}  # earlier months first
    return MonthRecords(
        month=month,
        accepted=winning,
        superseded=[s for s in subs if s.outcome == "applied" and s is not winning.get(s.unit)],
        submissions=subs,
        values={unit: c.values for unit, c in given[month].items()},
        evidence={unit: c.evidence for unit, c in given[month].items()},
        problems=problems(conn, month, subs, winning),
        liaison_history=[(m, unit, c.liaison) for m, of_month in given.items() for unit, c in sorted(of_month.items()) if c.liaison],
        earlier_values=[(m, {unit: c.values for unit, c in given[m].items()}) for m in earlier],
        earlier_lights=lights_before(conn, month),
        reviews=reviews_until(conn, month),
        carried_evidence=_last_evidence([given[m] for m in earlier]),
    )


def _last_evidence(earlier: list[dict[str, Contents]]) -> dict[str, list[dict]]:
    """Each unit's evidence entries as its last accepted return before the month listed them (split prefilled them)."""
    found: dict[str, list[dict]] = {}
    for of_month in reversed(earlier):
        for unit, given in of_month.items():
            found.setdefault(unit, given.evidence)
    return found


def carried(conn: sqlite3.Connection, month: str) -> dict[str, Carried]:
    """Each unit's most recent accepted values before this month, to prefill its next workbook, with the office's
    last decision on each claim (shown in the locked 审核意见 column, never written into the unit's own cells)."""
    found = _carried_values(conn, month)
    for (unit, task_id), decisions in reviews_until(conn, previous_month(month)).items():
        passed = [d for d in decisions if d[1] == "通过"]
        last = passed[-1] if passed else decisions[-1]  # a pass closes the task for good
        found.setdefault(unit, Carried()).reviews[task_id] = (last[1], last[2])
    return found


def _carried_values(conn: sqlite3.Connection, month: str) -> dict[str, Carried]:
    found: dict[str, Carried] = {}
    for earlier in reversed([m for m in months(conn) if m < month]):
        files = {unit: sub for unit, sub in accepted(conn, earlier).items() if unit not in found}
        for unit, given in contents_by_file(conn, earlier, files).items():
            found[unit] = Carried(given.values, [{k: v for k, v in e.items() if k in layout.EVIDENCE_COLUMNS} for e in given.evidence],
                                  {k: v for k, v in given.liaison.items() if k in layout.LIAISON_COLUMNS})
    return found


def record_issue(conn: sqlite3.Connection, month: str, unit: str, issued_at: str, master_version: str, deadline: str,
                 rows: list[list]) -> None:
    """What split gave one unit for the month: the snapshot every return of that workbook is judged against. Units
    given the same rows share one stored text (issue_rows, by its SHA-256): a province's 3,200 are a few dozen."""
    text = _dump(rows)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    conn.execute("INSERT OR IGNORE INTO issue_rows VALUES (?,?)", (digest, text))
    conn.execute("INSERT OR REPLACE INTO issues VALUES (?,?,?,?,?,?)", (month, unit, issued_at, master_version, deadline, SHARED_ROWS + digest))


SHARED_ROWS = "sha256:"  # an issue's rows kept in issue_rows; a ledger written before holds the JSON text itself


def issues(conn: sqlite3.Connection, month: str) -> dict[str, dict[str, str]]:
    """unit -> issued time -> snapshot rows as JSON text, for the month.

    Kept as text, decoded when a return of that issue is judged; units given the same rows share one text.
    Decoded, 3,200 units' snapshots took 100 MB.
    """
    found: dict[str, dict[str, str]] = {}
    shared: dict[str, str] = {}
    listed = conn.execute("SELECT unit, issued_at, rows FROM issues WHERE month=?", (month,)).fetchall()
    texts = dict(rows_for(conn, "SELECT digest, rows FROM issue_rows WHERE digest IN ({marks})", (),
                          {rows[len(SHARED_ROWS):] for _, _, rows in listed if rows.startswith(SHARED_ROWS)}))
    for unit, issued_at, rows in listed:
        text = texts.get(rows[len(SHARED_ROWS):]) if rows.startswith(SHARED_ROWS) else rows
        if text is None:  # never judged against nothing: the ledger lost what split gave the unit
            raise TrackerError(f"台账中{unit}于 {issued_at} 下发的内容缺失,无法核对其报回的文件。请从备份恢复 {LEDGER_FILE} 后重试。")
        found.setdefault(unit, {})[issued_at] = shared.setdefault(text, text)
    return found


def issue_sources(conn: sqlite3.Connection, month: str) -> dict[str, tuple[str, str]]:
    """unit -> (master version, deadline) its latest issue of the month was written from."""
    rows = conn.execute("SELECT unit, master_version, deadline FROM issues WHERE month=? ORDER BY issued_at", (month,))
    return {unit: (version, deadline) for unit, version, deadline in rows}


def was_issued(conn: sqlite3.Connection, month: str) -> bool:
    return conn.execute("SELECT 1 FROM issues WHERE month=? LIMIT 1", (month,)).fetchone() is not None


def keep_lights(conn: sqlite3.Connection, month: str, kind: str, grades: list[tuple[str, str, list[str]]]) -> None:
    """A month's grades (unit or indicator, light, reasons), kept so that later months count red months from them."""
    conn.execute("DELETE FROM lights WHERE month=? AND kind=?", (month, kind))
    conn.executemany("INSERT INTO lights VALUES (?,?,?,?,?)", [(month, kind, key, light, _dump(reasons)) for key, light, reasons in grades])


def lights_of(conn: sqlite3.Connection, month: str) -> dict[str, str]:
    """The unit grades kept for month (unit -> light); empty when none were kept."""
    return dict(conn.execute("SELECT key, light FROM lights WHERE kind='unit' AND month=?", (month,)))


def written_digest(conn: sqlite3.Connection, path: str) -> str | None:
    """The SHA-256 of a document as the tool last wrote it (path relative to the workspace), or None."""
    row = conn.execute("SELECT sha256 FROM written WHERE path=?", (path,)).fetchone()
    return row[0] if row else None


def record_written(conn: sqlite3.Connection, path: str, sha256: str, written_at: str) -> None:
    conn.execute("INSERT OR REPLACE INTO written VALUES (?,?,?)", (path, sha256, written_at))


def lights_before(conn: sqlite3.Connection, month: str) -> list[tuple[str, dict[str, str]]]:
    found: dict[str, dict[str, str]] = {}
    for m, key, light in conn.execute("SELECT month, key, light FROM lights WHERE kind='unit' AND month<? ORDER BY month", (month,)):
        found.setdefault(m, {})[key] = light
    return list(found.items())


def record_review(conn: sqlite3.Connection, unit: str, task_id: str, month: str, decision: str, reason: str, reviewer: str,
                  claim: dict, evidence: list, at: str) -> None:
    """The office's decision on a claim: who, when (at, the office's time), on which claim and which evidence (a later
    decision replaces it)."""
    conn.execute("INSERT OR REPLACE INTO reviews VALUES (?,?,?,?,?,?,?,?,?)",
                 (unit, task_id, month, decision, reason, reviewer, at, _dump(claim), _dump(evidence)))


def reviews_until(conn: sqlite3.Connection, month: str) -> dict[tuple[str, str], list[tuple[str, str, str, str]]]:
    """(unit, task id) -> [(month, 通过/退回, reason, the 本月工作进展 of the claim decided)], oldest first."""
    found: dict[tuple[str, str], list[tuple[str, str, str, str]]] = {}
    for unit, task_id, m, decision, reason, claim in conn.execute(
            "SELECT unit, task_id, month, decision, reason, claim FROM reviews WHERE month<=? ORDER BY month", (month,)):
        found.setdefault((unit, task_id), []).append((m, decision, reason, (json.loads(claim) or {}).get("本月工作进展") or ""))
    return found
