"""An independent reading of §4.3 for tests: walk real time minute by minute and watch the wall clock.

A range start is the first instant at which the wall clock has reached the local time. A range end
is the last instant showing that time, when it is shown; otherwise the first instant past it after
which the clock never goes back below it. This gives the earlier occurrence for starts, the later
for ends, and the transition instant inside a gap, without using `fold` or the code under test.
Transitions of the zones used are on whole minutes.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from fortytwo.domain.scheduling import get_zone


class WallClock:
    def __init__(self, timezone: str, first_day: date, last_day: date) -> None:
        zone: ZoneInfo = get_zone(timezone)
        self.origin = datetime(first_day.year, first_day.month, first_day.day, tzinfo=UTC) - timedelta(days=2)
        minutes = ((last_day - first_day).days + 5) * 1440
        labels = []
        for index in range(minutes):
            local = (self.origin + timedelta(minutes=index)).astimezone(zone)
            labels.append(local.date().toordinal() * 1440 + local.hour * 60 + local.minute)
        self.labels = labels
        running = labels[0]
        self.reached = []
        for label in labels:
            running = max(running, label)
            self.reached.append(running)
        settled = [0] * len(labels)
        running = labels[-1]
        for index in range(len(labels) - 1, -1, -1):
            running = min(running, labels[index])
            settled[index] = running
        self.settled = settled

    def _instant(self, index: int) -> datetime:
        if not 0 < index < len(self.labels):
            raise ValueError("outside the oracle's range")
        return self.origin + timedelta(minutes=index)

    def start(self, day: date, minute: int) -> datetime:
        return self._instant(bisect_left(self.reached, day.toordinal() * 1440 + minute))

    def end(self, day: date, minute: int) -> datetime:
        label = day.toordinal() * 1440 + minute
        past = bisect_left(self.settled, label + 1)  # from here on the clock stays past the label
        return self._instant(past - 1 if self.settled[past - 1] == label else past)

    def wall(self, instant: datetime) -> tuple[date, int]:
        label = self.labels[int((instant - self.origin) / timedelta(minutes=1))]
        return date.fromordinal(label // 1440), label % 1440
