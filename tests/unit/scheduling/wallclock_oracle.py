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
        origin_minute = int(self.origin.timestamp()) // 60

        def offset_minutes(index: int) -> int:
            offset = (self.origin + timedelta(minutes=index)).astimezone(zone).utcoffset()
            assert offset is not None
            return int(offset.total_seconds()) // 60

        # The offset is read every minute only in hours where it changes (no zone changes twice an hour).
        offsets = []
        for hour_start in range(0, minutes, 60):
            first, last = offset_minutes(hour_start), offset_minutes(min(hour_start + 59, minutes - 1))
            if first == last:
                offsets.extend([first] * min(60, minutes - hour_start))
            else:
                offsets.extend(offset_minutes(i) for i in range(hour_start, min(hour_start + 60, minutes)))
        epoch_ordinal = date(1970, 1, 1).toordinal()
        labels = [epoch_ordinal * 1440 + origin_minute + i + offsets[i] for i in range(minutes)]
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
