from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper


class PathField(models.CharField):
    """A materialized path, compared byte by byte on every database.

    PostgreSQL's default collation (e.g. en_US.UTF-8) ignores punctuation when it sorts, which
    would break the range query of a subtree; "C" compares bytes. SQLite's default, BINARY,
    already does.
    """

    def db_parameters(self, connection: BaseDatabaseWrapper) -> dict[str, Any]:
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params
