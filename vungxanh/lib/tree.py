"""Materialized paths: "/56/568/22327/" is commune 22327 of district 568 of province 56.

A subtree is every path in [path, upper_bound(path)): one range over one B-tree index, on SQLite
and PostgreSQL alike (the path columns use a binary collation, see `areas.fields.PathField`).
A string in that range must start with `path`, whatever characters the segments hold, as long
as no segment holds the separator.
"""

SEPARATOR = "/"


def child_path(parent_path: str | None, segment: str) -> str:
    if SEPARATOR in segment or not segment:
        raise ValueError(f"invalid path segment {segment!r}")
    return f"{parent_path or SEPARATOR}{segment}{SEPARATOR}"


def upper_bound(path: str) -> str:
    """The smallest string greater than every path that starts with `path`."""
    if not path.endswith(SEPARATOR):
        raise ValueError(f"a path ends with {SEPARATOR!r}: {path!r}")
    return path[:-1] + chr(ord(SEPARATOR) + 1)


def is_within(path: str, ancestor_path: str) -> bool:
    return path.startswith(ancestor_path)


def minimal_cover(paths: list[str]) -> list[str]:
    """Drop every path that lies inside another one of the list."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not kept or not path.startswith(kept[-1]):
            kept.append(path)
    return kept


def segments(path: str) -> list[str]:
    return [s for s in path.split(SEPARATOR) if s]
