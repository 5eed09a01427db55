from __future__ import annotations


def test_it_records_a_five_megabyte_print_completely(session):
    # Past the gateway's default IOPub data rate limit (1 MB/s over 3 s), which drops
    # output without telling anyone unless the gateway runs with it off.
    result = session.execute("print('x' * 5_000_000)\nprint('end')", timeout_s=120)

    assert result.status == "ok"
    assert len(result.outputs) == 1
    text = result.outputs[0]["text"]
    assert len(text) == 5_000_000 + len("\nend\n")
    assert text.endswith("x\nend\n")
    assert text.count("x") == 5_000_000


def test_it_records_many_small_outputs_completely(session):
    result = session.execute("for i in range(20000): print(i, flush=True)", timeout_s=120)

    assert result.outputs[0]["text"].splitlines() == [str(i) for i in range(20000)]
