"""The one outbox engine's shared words: every outbox's states are the engine's states."""

import pytest

from accounting.outbox.models import State
from accounting.outbox.results import batch_key
from accounting.payouts.models import PaymentState
from accounting.sync.models import SyncState


@pytest.mark.parametrize("states", [SyncState, PaymentState])
def test_each_outbox_names_the_engines_states(states):
    # only documents stop for Onport's own checks, change after sync, or are voided before sending
    engine_states = set(State.values) - {State.NEEDS_ATTENTION, State.CHANGED, State.CANCELLED}
    assert engine_states <= set(states.values)
    assert set(states.values) <= set(State.values)


class _Row:
    def __init__(self, id: int, attempts: int):
        self.id, self.attempts = id, attempts


def test_a_batch_key_changes_with_the_rows_their_contents_and_the_attempt():
    rows = [_Row(1, 1), _Row(2, 1)]
    key = batch_key("bills", rows, lambda row: "v1")

    assert key == batch_key("bills", rows, lambda row: "v1")  # a replay of the same request
    assert key.startswith("onport-bills-") and len(key) <= 128
    assert key != batch_key("bills", rows, lambda row: "v2")
    assert key != batch_key("bills", [_Row(1, 2), _Row(2, 1)], lambda row: "v1")
    assert key != batch_key("bills", rows[:1], lambda row: "v1")
