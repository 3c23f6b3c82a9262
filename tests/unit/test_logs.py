import logging

from app.logs import StripQueryStrings


def test_request_log_lines_lose_their_query_strings():
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '%s - - [%s] %s',
                               ("127.0.0.1", "now",
                                '"GET /api/v1/people?name=margaret&dob=1941-07-19 HTTP/1.1" 200 -'),
                               None)
    assert StripQueryStrings().filter(record)
    line = record.getMessage()
    assert "margaret" not in line and "1941" not in line
    assert '"GET /api/v1/people?… HTTP/1.1" 200' in line


def test_engine_records_carry_no_task_data_even_when_the_root_logs_debug(caplog):
    from app import logs
    from app.engine import diagrams, runner
    from tests.unit.bpmn_snippets import user_then_service

    logs.install()
    model = diagrams.load_model(user_then_service())
    with caplog.at_level(logging.DEBUG):
        logging.getLogger().setLevel(logging.DEBUG)
        runner.start(model, {"person_name": "Margaret Example"}, runner.EngineContext({}))
    assert not [r for r in caplog.records if r.name.startswith("spiff")]
    assert "Margaret" not in caplog.text
