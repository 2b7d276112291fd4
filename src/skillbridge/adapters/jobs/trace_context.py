"""The trace context through the job queue: the W3C ``traceparent`` of the code that queued a job travels in
the job's labels, and the run continues that trace in a span of its own. Added to the broker only when
tracing is on (this module imports OpenTelemetry)."""

from __future__ import annotations

from typing import Any

from opentelemetry import context, propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from taskiq import TaskiqMessage, TaskiqMiddleware, TaskiqResult

#: The W3C trace context headers, carried as labels.
_CARRIED = ("traceparent", "tracestate")
_tracer = trace.get_tracer("skillbridge.jobs")


class TraceContextMiddleware(TaskiqMiddleware):
    """Inject the current trace context when a job is queued; run the job in a consumer span of that trace."""

    def __init__(self) -> None:
        super().__init__()
        self._running: dict[str, tuple[trace.Span, object]] = {}

    def pre_send(self, message: TaskiqMessage) -> TaskiqMessage:
        carrier: dict[str, str] = {}
        propagate.inject(carrier)
        message.labels.update(carrier)
        return message

    def pre_execute(self, message: TaskiqMessage) -> TaskiqMessage:
        carrier = {key: str(message.labels[key]) for key in _CARRIED if key in message.labels}
        parent = propagate.extract(carrier)
        span = _tracer.start_span(
            f"job {message.task_name}",
            context=parent,
            kind=SpanKind.CONSUMER,
            attributes={"messaging.system": "taskiq", "messaging.message.id": message.task_id},
        )
        token = context.attach(trace.set_span_in_context(span, parent))
        self._running[message.task_id] = (span, token)
        return message

    def post_execute(self, message: TaskiqMessage, result: TaskiqResult[Any]) -> None:
        running = self._running.pop(message.task_id, None)
        if running is None:
            return
        span, token = running
        if result.is_err:
            span.set_status(Status(StatusCode.ERROR, type(result.error).__name__))
        span.end()
        context.detach(token)  # type: ignore[arg-type]  # the token attach() gave
