"""Dependencies point down: portal/ and municipalities/, which every app builds on, import no
feature app.

Shared code that needs a feature app's part takes it from a registry the app fills in its
AppConfig.ready() (portal.mail's builders, portal.retention) or reads models through
django.apps; an import would make a cycle (the app imports portal back).
"""

import ast
from pathlib import Path

from django.conf import settings

FEATURE_APPS = frozenset({"organizations", "seminars", "summits", "accounts"})
SHARED_PACKAGES = ("portal", "municipalities")

# The upward imports there are today: pages that compose the feature apps' selectors. Do not
# add to this; a new need goes through a registry. Remove an entry once its import is gone.
ALLOWED = {
    # The home page: featured case studies, upcoming seminars and summits.
    "portal/views.py": {"organizations.selectors", "seminars.selectors", "summits.selectors"},
    # A municipality's page: its organizations (with the directory's page cache and search
    # normalization), its seminar and summit participation.
    "municipalities/views.py": {
        "organizations",
        "organizations.views",
        "seminars.selectors",
        "summits.selectors",
    },
}


def feature_imports(source: str, filename: str = "<source>") -> list[tuple[int, str]]:
    """(line, module) of every absolute import of a feature app in ``source``, at any depth."""
    found = []
    for node in ast.walk(ast.parse(source, filename=filename)):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
        else:
            continue
        found += [(node.lineno, module) for module in modules if module.split(".")[0] in FEATURE_APPS]
    return sorted(found)


def shared_sources(root: Path) -> list[Path]:
    """Every .py of the shared packages under ``root``, migrations and tests left out."""
    return sorted(
        path
        for package in SHARED_PACKAGES
        for path in (root / package).rglob("*.py")
        if not {"migrations", "tests"} & set(path.relative_to(root).parts) and not path.name.startswith("test_")
    )


def upward_imports(root: Path, allowed: dict[str, set[str]]) -> list[str]:
    """``file:line module`` of every feature-app import in the shared packages not in ``allowed``."""
    found = []
    for path in shared_sources(root):
        name = path.relative_to(root).as_posix()
        for line, module in feature_imports(path.read_text(encoding="utf-8"), name):
            if module not in allowed.get(name, set()):
                found.append(f"{name}:{line} {module}")
    return found


def test_shared_packages_import_no_feature_app_beyond_the_allowed():
    assert upward_imports(Path(settings.BASE_DIR), ALLOWED) == []


def test_every_allowed_import_still_exists():
    root = Path(settings.BASE_DIR)
    present = {name: {module for _, module in feature_imports((root / name).read_text(encoding="utf-8"))} for name in ALLOWED}

    assert {name: modules - present[name] for name, modules in ALLOWED.items()} == {name: set() for name in ALLOWED}


def test_upward_imports_reports_each_feature_import_with_its_file_and_line(tmp_path):
    (tmp_path / "portal" / "migrations").mkdir(parents=True)
    (tmp_path / "municipalities").mkdir()
    (tmp_path / "portal" / "leaky.py").write_text(
        "from django.db import models\n"
        "from seminars.models import X\n"
        "from . import mail\n"
        "import summits.services, portal.tokens\n"
        "\n"
        "def later():\n"
        "    from accounts.services import login_records_purge\n",
        encoding="utf-8",
    )
    (tmp_path / "portal" / "migrations" / "0001_initial.py").write_text("import seminars.models\n", encoding="utf-8")
    (tmp_path / "municipalities" / "views.py").write_text(
        "from organizations import selectors\nfrom organizations.views import not_found\n", encoding="utf-8"
    )

    found = upward_imports(tmp_path, {"municipalities/views.py": {"organizations"}})

    assert found == [
        "municipalities/views.py:2 organizations.views",
        "portal/leaky.py:2 seminars.models",
        "portal/leaky.py:4 summits.services",
        "portal/leaky.py:7 accounts.services",
    ]
