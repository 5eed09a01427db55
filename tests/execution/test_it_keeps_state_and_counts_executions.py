from __future__ import annotations


def test_it_keeps_state_between_blocks_of_one_session(session):
    first = session.execute("total = 40", timeout_s=30)
    second = session.execute("total += 2\ntotal", timeout_s=30)

    assert first.status == "ok"
    assert first.outputs == ()
    assert second.outputs[0]["data"]["text/plain"] == "42"


def test_it_increments_the_execution_count(session):
    counts = [session.execute("1", timeout_s=30).execution_count for _ in range(3)]

    assert counts == [counts[0], counts[0] + 1, counts[0] + 2]
    assert counts[0] >= 1


def test_it_measures_each_block(session):
    result = session.execute("import time; time.sleep(0.2)", timeout_s=30)

    assert result.duration_ms >= 200
