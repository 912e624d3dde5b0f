"""onport.locks: one holder at a time, across processes with Redis and inside the process without it."""

import time

from onport.locks import exclusive, one_of


def test_a_second_holder_is_refused_until_the_first_lets_go(store):
    with exclusive("test-lock-a", seconds=5) as first:
        assert first is not None
        with exclusive("test-lock-a", seconds=5) as second:
            assert second is None
    with exclusive("test-lock-a", seconds=5) as again:
        assert again is not None


def test_an_expired_lock_taken_by_another_is_not_released_by_the_first(store):
    # given a holder whose lock expired while it worked, and another worker that took the lock since
    slow_holder = exclusive("test-lock-b", seconds=0.2)
    assert slow_holder.__enter__() is not None
    time.sleep(0.4)
    with exclusive("test-lock-b", seconds=5) as other:
        assert other is not None
        # when the slow holder finishes and lets go
        slow_holder.__exit__(None, None, None)
        # then the other worker still holds the lock
        with exclusive("test-lock-b", seconds=5) as third:
            assert third is None


def test_extend_keeps_the_lock_past_its_first_timeout(store):
    with exclusive("test-lock-c", seconds=3) as held:
        time.sleep(1.5)
        held.extend()
        time.sleep(1.6)  # past the first timeout, and 1.4 s within the extended one (a busy machine may be late)
        with exclusive("test-lock-c", seconds=5) as other:
            assert other is None


def test_one_of_lets_as_many_holders_in_as_it_has_slots_and_frees_a_slot_on_release(store):
    with one_of("test-slots", slots=2, seconds=5) as first, one_of("test-slots", slots=2, seconds=5) as second:
        assert first is not None and second is not None
        with one_of("test-slots", slots=2, seconds=5) as third:
            assert third is None
    with one_of("test-slots", slots=2, seconds=5) as again:
        assert again is not None
