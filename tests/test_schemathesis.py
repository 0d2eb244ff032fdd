"""The API against its own OpenAPI schema (schemathesis, in-process through Django's WSGI application).

Every operation of /api/schema/ gets generated requests (valid and invalid bodies, parameters, ids)
from a staff administrator with data in its subtree; no response may be a server error or break the
schema (status code documented, content type, body). Then the stateful phase chains calls along the
links schemathesis infers between operations (create → read → update → delete of the same record).
Bounded and reproducible: few examples per operation, `derandomize=True`, no example database.
SHANGHUI_SCHEMATHESIS_EXAMPLES raises the number of examples for a deeper run by hand.
"""
import logging
import os
import time

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from tests.test_isolation import BUILDERS

EXAMPLES = int(os.environ.get("SHANGHUI_SCHEMATHESIS_EXAMPLES", "5"))
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
# Operations left out, and why.
EXCLUDED = {
    # Throttled per address and counted by axes: fuzzing it only locks accounts; tests/test_api.py covers it.
    "POST /api/auth/token/",
}


def _settings(**extra):
    return hypothesis.settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                               suppress_health_check=list(HealthCheck), print_blob=False, **extra)


@pytest.fixture
def in_test_transaction():
    """Keep the test's connection across requests, as Django's test client does.

    The WSGI handler closes "old" connections at each request; inside the test's transaction the
    autocommit flag differs from the settings', so PostgreSQL's connection would be dropped.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz(users, tree, settings, in_test_transaction):
    """The schema loaded from the application, and the headers of a staff administrator of 杭州 with data."""
    settings.SECURE_SSL_REDIRECT = False
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        k: "100000/min" for k in settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {})}}
    cache.clear()
    for build in BUILDERS.values():
        build(tree["sc"], users["zj_admin"], "杭州")
        build(tree["wzc"], users["zj_admin"], "温州")  # out of scope: must stay 404, never 500
    token, _ = Token.objects.get_or_create(user=users["hz_admin"])
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    # After the application is built (it configures logging): 4xx answers are expected here, not news;
    # the server errors' exceptions are kept to say what broke.
    logger = logging.getLogger("django.request")
    logger.setLevel(logging.ERROR)
    logger.addHandler(SERVER_ERRORS)
    SERVER_ERRORS.records.clear()
    yield schema, {"Authorization": f"Token {token.key}"}
    logger.removeHandler(SERVER_ERRORS)


class _ServerErrors(logging.Handler):
    """The exceptions behind 5xx answers (Django logs them on django.request with exc_info)."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records = []

    def emit(self, record):
        if record.exc_info:
            self.records.append(f"{record.getMessage()}: {record.exc_info[0].__name__}: {record.exc_info[1]}")

    def take(self) -> str:
        """The exceptions seen since the last call."""
        seen, self.records[:] = list(self.records), []
        return "\n".join(dict.fromkeys(seen))


SERVER_ERRORS = _ServerErrors()


def _operations(schema):
    for result in schema.get_all_operations():
        op = result.ok()
        if op.label not in EXCLUDED:
            yield op


def test_every_operation_answers_within_its_schema(fuzz):
    schema, headers = fuzz
    failures, timings = [], []
    for op in _operations(schema):
        @_settings()
        @hypothesis.given(case=op.as_strategy())
        def run(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        started = time.monotonic()
        try:
            run()
        except BaseException as e:  # noqa: BLE001 - every operation's failures are collected, then reported together
            if isinstance(e, KeyboardInterrupt):
                raise
            failures.append(f"{op.label}: {str(e)[:2000]}\n{SERVER_ERRORS.take()}")
        SERVER_ERRORS.take()
        timings.append((time.monotonic() - started, op.label))
    slowest = ", ".join(f"{label} {t:.1f}s" for t, label in sorted(timings, reverse=True)[:5])
    print(f"schemathesis: {len(timings)} operations, slowest: {slowest}")
    assert not failures, "\n\n".join(failures)


def test_stateful_sequences_answer_within_the_schema(fuzz):
    schema, headers = fuzz
    schema = schema.exclude(method="POST", path="/api/auth/token/")
    machine = schema.as_state_machine()
    # Links inferred between operations (≈ 970 today): the sequences really chain created records.
    assert schema.statistic.transitions.total >= 300

    class Machine(machine):
        """Calls as the administrator; the same checks as the stateless phase."""

        def get_call_kwargs(self, case):
            return {"headers": headers}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS, headers=headers)

    try:
        Machine.run(settings=_settings(stateful_step_count=5))
    except BaseException as e:  # noqa: BLE001 - schemathesis raises failure groups; add the server's exceptions
        if isinstance(e, KeyboardInterrupt):
            raise
        raise AssertionError(f"{e}\n{SERVER_ERRORS.take()}") from e
