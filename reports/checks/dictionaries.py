"""The checks' dictionaries are data files (reports/checks/data/*.txt). An administrator of the
server extends them without code: files of the same names in the directory named by the setting
REPORT_CHECK_DICTIONARY_DIR add their lines to the built-in ones. Files are re-read when changed."""

import os
from pathlib import Path

from django.conf import settings

DATA_DIR = Path(__file__).resolve().parent / "data"
_cache = {}


def _directories():
    extra = getattr(settings, "REPORT_CHECK_DICTIONARY_DIR", "") if settings.configured else ""
    return [DATA_DIR] + ([Path(extra)] if extra else [])


def lines(name):
    """The non-comment lines of data file `name` (built-in first, then the extra directory's)."""
    paths = [directory / name for directory in _directories()]
    stamp = tuple((str(p), os.stat(p).st_mtime_ns) for p in paths if p.is_file())
    cached = _cache.get(name)
    if cached and cached[0] == stamp:
        return cached[1]
    result = []
    for path_text, _mtime in stamp:
        for line in Path(path_text).read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                result.append(line)
    _cache[name] = (stamp, result)
    return result


def parsed(name, parse):
    """parse(lines) cached along with the lines: rebuilt only when a file changed."""
    raw = lines(name)
    key = ("parsed", name, parse)
    cached = _cache.get(key)
    if cached and cached[0] is raw:
        return cached[1]
    value = parse(raw)
    _cache[key] = (raw, value)
    return value
