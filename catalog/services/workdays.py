"""Working days (hari kerja) as Indonesian government offices count them: Monday to Friday,
except the national holidays listed in services/data/holidays.csv.

That file is a setting, not code: the Dinas admin updates it each year when the SKB 3 Menteri on
national holidays is signed (a deployment may point HOLIDAYS_CSV at its own copy, e.g. in the
instance folder). It is re-read when it changes, so an edit needs no restart.
"""

import csv
import os
import threading
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from flask import current_app, has_app_context

from catalog.formatting import JAKARTA

DEFAULT_HOLIDAYS = Path(__file__).parent / "data" / "holidays.csv"
SATURDAY = 5

_lock = threading.Lock()
_cache: dict[str, tuple[float, frozenset[date]]] = {}


def holidays_path() -> Path:
    configured = current_app.config.get("HOLIDAYS_CSV") if has_app_context() else None
    return Path(configured) if configured else DEFAULT_HOLIDAYS


def read_holidays(path: Path) -> frozenset[date]:
    """The dates of a holidays file ("date,name" rows, "#" comment lines)."""
    days = set()
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(line for line in handle if line.strip() and not line.lstrip().startswith("#"))
        for row in rows:
            if row and row[0].strip() != "date":
                days.add(date.fromisoformat(row[0].strip()))
    return frozenset(days)


def holidays() -> frozenset[date]:
    """The national holidays in force (cached until the file changes)."""
    path = holidays_path()
    key = str(path)
    mtime = os.stat(path).st_mtime
    cached = _cache.get(key)
    if cached is not None and cached[0] == mtime:
        return cached[1]
    with _lock:
        days = read_holidays(path)
        _cache[key] = (mtime, days)
    return days


def is_working_day(day: date, off: frozenset[date] | None = None) -> bool:
    off = holidays() if off is None else off
    return day.weekday() < SATURDAY and day not in off


def add_working_days(day: date, n: int, off: frozenset[date] | None = None) -> date:
    """The n-th working day after `day` (`day` itself never counts, working or not).

    add_working_days(Friday, 1) is the next Monday (or Tuesday when Monday is a holiday)."""
    if n < 0:
        raise ValueError("n must not be negative")
    off = holidays() if off is None else off
    current = day
    left = n
    while left:
        current += timedelta(days=1)
        if is_working_day(current, off):
            left -= 1
    return current


def after_working_days(moment: datetime, n: int, off: frozenset[date] | None = None) -> datetime:
    """The same Jakarta wall-clock time on the n-th working day after `moment`'s Jakarta date:
    a deadline of Friday 15.00 WIB plus 3 working days is Wednesday 15.00 WIB. Returned in UTC
    like every stored timestamp."""
    local = moment.astimezone(JAKARTA)
    day = add_working_days(local.date(), n, off)
    return datetime.combine(day, local.timetz()).astimezone(timezone.utc)
