"""Real sample reports and speeches (copies of ../shared/seeds/), vendored so that a bare clone
has them: the demo data, the splitter's tests and the PDF benchmark read them from here."""

from pathlib import Path

SEED_TEXTS_DIR = Path(__file__).resolve().parent


def seed_text(name):
    """The text of one sample file, e.g. seed_text("report-community-branch-2023.txt")."""
    return (SEED_TEXTS_DIR / name).read_text(encoding="utf-8")
