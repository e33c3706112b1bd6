from django.core.checks import Tags, Warning, register
from django.db import connections


def database_ctype(connection) -> str | None:
    """The LC_CTYPE of the current PostgreSQL database, or None on other backends."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT datctype FROM pg_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def is_utf8_ctype(ctype: str) -> bool:
    """「C.UTF-8」, 「ja_JP.utf8」 and 「en_US.UTF-8@euro」 are UTF-8; 「C」 and 「POSIX」 are not."""
    return "utf8" in ctype.lower().replace("-", "")


@register(Tags.database)
def check_trigram_ctype(app_configs=None, databases=None, **kwargs):
    """pg_trgm treats non-ASCII letters as word characters only under a UTF-8 LC_CTYPE; under
    "C" or "POSIX" every Japanese character is a separator and partial-match search finds nothing
    through the index."""
    warnings = []
    for alias in databases or ():
        ctype = database_ctype(connections[alias])
        if ctype is not None and not is_utf8_ctype(ctype):
            warnings.append(
                Warning(
                    f"Database '{alias}' has LC_CTYPE {ctype!r}; the pg_trgm search index needs a UTF-8 "
                    "locale such as C.UTF-8 for Japanese text.",
                    hint="Create the database with: CREATE DATABASE … TEMPLATE template0 ENCODING 'UTF8' "
                    "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'.",
                    id="organizations.W001",
                )
            )
    return warnings
