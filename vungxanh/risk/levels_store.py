"""Writing millions of stored levels fast: the two bulk paths of `actions.do_recompute_levels`.

A year of a country is some four million rows. Building a Python tuple per row and sending it
through the driver is most of the cost, so each database gets its fastest path:

- PostgreSQL: `COPY … FROM STDIN (FORMAT binary)`, the rows laid out by NumPy in the binary copy
  format (one structured array per pattern of NULL columns), never as Python objects;
- SQLite: one `executemany` of `INSERT`, or of `INSERT … ON CONFLICT DO UPDATE` over stored rows
  (an upsert updates a row in place and leaves its index entries alone, where delete-then-insert
  would rewrite every index).

Both take the columns as arrays, in the order of `COLUMNS`, and the ruleset version of them all.
"""

from __future__ import annotations

import itertools
import struct
from collections.abc import Sequence
from typing import Any, cast

import numpy as np
import numpy.typing as npt
from django.db import connection

# Column, its PostgreSQL binary type (big-endian), whether it may be NULL (given as NaN).
COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("area_id", ">i8", False),
    ("date", ">i4", False),  # days since 2000-01-01
    ("level", ">i2", False),
    ("computed_level", ">i2", False),
    ("ruleset_version_id", ">i8", False),
    ("reason", ">i2", False),
    ("value", ">f8", False),
    ("cases", ">i4", False),
    ("rate", ">f8", True),
    ("coverage", ">f8", True),
    ("treatment_ok", "u1", False),
    ("floored", "u1", False),
    ("is_parent", "u1", False),
)
UPDATED = [name for name, _, _ in COLUMNS if name not in ("area_id", "date")]
PG_EPOCH = np.datetime64("2000-01-01", "D")
COPY_CHUNK = 500_000  # rows per write: a chunk of the binary buffer is ~50 MB


def insert_levels(
    table: str, columns: dict[str, npt.NDArray[Any]], version_id: int, replace: bool
) -> None:
    """SQLite: insert the rows; with `replace`, update those of the same area and day in place
    (an upsert costs half as much again as a plain insert, so it is used only when needed)."""
    names = [name for name, _, _ in COLUMNS]
    lists = []
    for name in names:
        if name == "ruleset_version_id":
            lists.append(itertools.repeat(version_id))
        elif name == "date":
            lists.append(np.datetime_as_string(columns["day"], unit="D").tolist())
        else:
            # A NaN float is bound as NULL by SQLite: rate and coverage need no conversion.
            lists.append(columns[name].tolist())
    sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))})"  # noqa: S608
    if replace:
        sql += " ON CONFLICT (area_id, date) DO UPDATE SET " + ", ".join(
            f"{name} = excluded.{name}" for name in UPDATED
        )
    rows = zip(*lists, strict=False)  # the repeated version is endless: the arrays end it
    with connection.cursor() as cursor:
        # Django's SQLite cursor takes any iterable (it peeks at the first row): no list of
        # millions of tuples is built.
        cursor.executemany(sql, cast(Sequence[Any], rows))


def copy_levels(table: str, columns: dict[str, npt.NDArray[Any]], version_id: int) -> None:
    """PostgreSQL: COPY the rows in the binary format (the table must hold none of them)."""
    names = ", ".join(name for name, _, _ in COLUMNS)
    n = len(columns["area_id"])
    sql = f"COPY {table} ({names}) FROM STDIN (FORMAT binary)"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        copy.write(b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0))
        for lo in range(0, n, COPY_CHUNK):
            part = {k: v[lo : lo + COPY_CHUNK] for k, v in columns.items()}
            copy.write(_binary_rows(part, version_id))
        copy.write(struct.pack(">h", -1))


def _binary_rows(columns: dict[str, npt.NDArray[Any]], version_id: int) -> bytes:
    """The rows in PostgreSQL's binary COPY layout: per row, the field count, then each field's
    length (-1: NULL, no data) and big-endian value. NULLs change a row's width, so the rows are
    grouped by which nullable columns are NULL, one fixed-width structured array per group."""
    nullable = [name for name, _, can_be_null in COLUMNS if can_be_null]
    null = {name: np.isnan(columns[name]) for name in nullable}
    pattern = np.zeros(len(columns["area_id"]), dtype=np.int64)
    for i, name in enumerate(nullable):
        pattern |= null[name].astype(np.int64) << i
    parts = []
    for p in np.unique(pattern):
        rows = np.flatnonzero(pattern == p)
        is_null = {name: bool(int(p) >> i & 1) for i, name in enumerate(nullable)}
        fields: list[tuple[str, str]] = [("count", ">i2")]
        for name, kind, _ in COLUMNS:
            fields.append((f"{name}_length", ">i4"))
            if not is_null.get(name, False):
                fields.append((name, kind))
        out = np.empty(len(rows), dtype=np.dtype(fields))
        out["count"] = len(COLUMNS)
        for name, kind, _ in COLUMNS:
            if is_null.get(name, False):
                out[f"{name}_length"] = -1
                continue
            out[f"{name}_length"] = np.dtype(kind).itemsize
            if name == "ruleset_version_id":
                out[name] = version_id
            elif name == "date":
                out[name] = (columns["day"][rows] - PG_EPOCH).astype(np.int64)
            else:
                out[name] = columns[name][rows]
        parts.append(out.tobytes())
    return b"".join(parts)
