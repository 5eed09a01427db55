from __future__ import annotations


def test_it_reports_errors_with_name_value_and_traceback(session):
    result = session.execute("print('before', flush=True)\n{}['missing']", timeout_s=30)

    assert result.status == "error"
    assert result.error == "KeyError: 'missing'"
    before, error = result.outputs
    assert before["text"] == "before\n"
    assert error["output_type"] == "error"
    assert error["ename"] == "KeyError"
    assert error["evalue"] == "'missing'"
    assert any("missing" in line for line in error["traceback"])
    assert result.execution_count is not None


def test_the_session_goes_on_after_an_error(session):
    session.execute("1 / 0", timeout_s=30)

    result = session.execute("'still here'", timeout_s=30)

    assert result.status == "ok"
    assert result.outputs[0]["data"]["text/plain"] == "'still here'"
