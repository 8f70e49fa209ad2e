"""The bandwidth cap: a token bucket paced by a clock the test drives (no real waiting)."""

from __future__ import annotations

from pathlib import Path

from app.library import Library
from app.sync.downloads import BURST_SECONDS, CHUNK_SIZE, TokenBucket, _LiveCap


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept += seconds
        self.now += seconds


def test_the_bucket_holds_the_rate_over_many_chunks() -> None:
    clock = FakeClock()
    bucket = TokenBucket(lambda: 10_000, clock, clock.sleep)
    for _ in range(100):
        bucket.consume(1_000)
    # 100 000 bytes at 10 000 B/s: ten seconds, the first chunk's wait included.
    assert abs(clock.slept - 10.0) < 1e-6


def test_no_cap_never_waits_and_a_pause_saves_up_only_a_burst() -> None:
    clock = FakeClock()
    rate = [0]
    bucket = TokenBucket(lambda: rate[0], clock, clock.sleep)
    bucket.consume(10**9)
    assert clock.slept == 0
    rate[0] = 1_000
    bucket.consume(0)
    clock.now += 3600  # an hour idle saves no more than the burst
    bucket.consume(int(1_000 * BURST_SECONDS) + 1_000)
    assert abs(clock.slept - 1.0) < 1e-6


def test_chunks_are_small_enough_for_short_waits() -> None:
    assert TokenBucket(lambda: 0).chunk_size() == CHUNK_SIZE
    assert TokenBucket(lambda: 8 * 1024).chunk_size() == 2 * 1024
    assert TokenBucket(lambda: 100).chunk_size() == 1024


def test_the_cap_follows_the_settings_file_as_it_changes(tmp_path: Path) -> None:
    with Library(tmp_path / "a") as library, Library(tmp_path / "a") as other:
        cap = _LiveCap(library.settings)
        assert cap.bytes_per_second() == 0
        other.settings.set("bandwidth_limit_kbps", 64)  # another window or process
        assert cap.bytes_per_second() == 64 * 1024
        other.settings.set("bandwidth_limit_kbps", 0)
        assert cap.bytes_per_second() == 0
