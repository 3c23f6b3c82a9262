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
