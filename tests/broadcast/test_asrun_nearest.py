"""Matching an as-run line to a planned airing: the nearest in time that the line
may confirm, one still waiting for a confirmation first."""

from __future__ import annotations

from datetime import datetime, timedelta

from broadcast.asrun import AsRunLine, _Candidate, _nearest
from broadcast.services import LOCAL_TZ

T = datetime(2026, 11, 30, 12, 0, tzinfo=LOCAL_TZ)


def _line(at: datetime) -> AsRunLine:
    return AsRunLine(line=2, start=at, content_id=7, raw_what="7", duration=None)


def _c(pk, minutes, *, flexible=False, status="planned") -> _Candidate:
    return _Candidate(pk, T + timedelta(minutes=minutes), flexible, status)


def test_the_nearest_waiting_airing_wins_on_either_side():
    cands = [_c(1, -50), _c(2, -10), _c(3, 15), _c(4, 60)]
    assert _nearest(cands, _line(T), set()).pk == 2
    assert _nearest(cands, _line(T + timedelta(minutes=5)), set()).pk == 3


def test_on_equal_distance_the_earlier_airing_wins():
    cands = [_c(1, -10), _c(2, -10), _c(3, 10)]
    assert _nearest(cands, _line(T), set()).pk == 1


def test_taken_airings_are_skipped():
    cands = [_c(1, -10), _c(2, 5), _c(3, 30)]
    assert _nearest(cands, _line(T), {2}).pk == 1
    assert _nearest(cands, _line(T), {1, 2}).pk == 3


def test_a_waiting_airing_farther_away_beats_a_confirmed_one_nearby():
    cands = [_c(1, 1, status="aired"), _c(2, 90)]
    assert _nearest(cands, _line(T), set()).pk == 2
    # With nothing waiting, the nearest confirmed one (a re-import's duplicate).
    assert (
        _nearest(
            [_c(1, 1, status="aired"), _c(5, 30, status="aired")], _line(T), set()
        ).pk
        == 1
    )


def test_fixed_slots_match_only_within_three_hours_flexible_ones_all_day():
    far = [_c(1, -4 * 60)]
    assert _nearest(far, _line(T), set()) is None
    flexible = [_c(2, -11 * 60, flexible=True)]  # 01:00 the same day
    assert _nearest(flexible, _line(T), set()).pk == 2
    assert _nearest([], _line(T), set()) is None
