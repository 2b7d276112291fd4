"""The OpenAI roadmap generator: structured output, a bounded time budget, careful retries, a circuit
breaker, and the offline catalog whenever the AI cannot give a good answer in time."""

from __future__ import annotations

import asyncio
import email.utils
import math
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import structlog
from openai import (
    APIConnectionError,
    APIStatusError,
    AsyncOpenAI,
    AuthenticationError,
    PermissionDeniedError,
    RateLimitError,
)
from openai.types.chat import ChatCompletion, ChatCompletionMessageParam
from prometheus_client import Counter

from skillbridge.adapters.ai.answer import MAX_AI_MODULES, MIN_AI_MODULES, AnswerRejected, parse_answer, response_format
from skillbridge.adapters.ai.catalog_generator import FALLBACK_GENERATOR, CatalogRoadmapGenerator
from skillbridge.adapters.ai.prompts.loader import Prompt, load_prompt
from skillbridge.application.ports.roadmap_generator import RoadmapDraft, RoadmapGenerator
from skillbridge.domain.errors import DependencyUnavailable, InvalidInput
from skillbridge.domain.roadmaps.model import Generation, Module, TokenUsage
from skillbridge.domain.roadmaps.request import RoadmapRequest
from skillbridge.domain.texts import N_
from skillbridge.resilience.circuit_breaker import CircuitBreaker

OPENAI_GENERATOR = "openai"
#: Exponential backoff between retries without a Retry-After: 0.5 s, 1 s, 2 s ... (with jitter), at most 4 s.
_BACKOFF_BASE_SECONDS = 0.5
_BACKOFF_MAX_SECONDS = 4.0
#: Below this much time left, another call cannot finish: fall back at once.
_MIN_CALL_SECONDS = 0.25
#: Statuses worth retrying besides 5xx: request timeout and lock timeout (what the SDK itself retries).
_RETRY_STATUSES = frozenset({408, 409})

logger = structlog.get_logger("skillbridge.ai")


@dataclass(frozen=True, slots=True)
class OpenAIOptions:
    """How the generator talks to the API (filled from settings by the composition root).

    ``timeout_seconds`` bounds one HTTP call; ``budget_seconds`` bounds the whole generation, retries and
    waits included, so the HTTP request that asked for a roadmap always answers in time.
    """

    model: str = "gpt-4o-mini"
    prompt_version: str = "v2"
    timeout_seconds: float = 8.0
    max_retries: int = 2
    budget_seconds: float = 20.0
    temperature: float = 0.2


class _GiveUp(Exception):
    """The AI will not give a usable answer this time; ``trip`` when retrying cannot help (key, quota)."""

    def __init__(self, reason: str, *, trip: bool = False, usage: TokenUsage | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.trip = trip
        self.usage = usage


def retry_after_seconds(headers: Any) -> float | None:
    """The wait a response asks for: ``retry-after-ms``, or ``Retry-After`` in seconds or as an HTTP date."""
    raw_ms = headers.get("retry-after-ms")
    if raw_ms is not None:
        try:
            value = float(raw_ms) / 1000
        except ValueError:
            value = math.nan
        if math.isfinite(value) and value >= 0:
            return value
    raw = headers.get("retry-after")
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        parsed = email.utils.parsedate_tz(raw)
        if parsed is None:
            return None
        value = email.utils.mktime_tz(parsed) - time.time()
    return max(0.0, value) if math.isfinite(value) else None


def _is_quota_exhausted(error: APIStatusError) -> bool:
    """A 429 that is not a rate limit but an empty account: retrying cannot help."""
    return error.code == "insufficient_quota" or getattr(error, "type", None) == "insufficient_quota"


#: Tokens spent, answered or not: the bill, not the value.
TOKENS = Counter("skillbridge_openai_tokens_total", "OpenAI tokens spent, by model and kind", ["model", "kind"])


def _count_tokens(model: str, completion: ChatCompletion) -> None:
    if completion.usage is not None:
        TOKENS.labels(model, "prompt").inc(completion.usage.prompt_tokens)
        TOKENS.labels(model, "completion").inc(completion.usage.completion_tokens)


def _add(total: TokenUsage | None, completion: ChatCompletion) -> TokenUsage | None:
    usage = completion.usage
    if usage is None:
        return total
    base = total or TokenUsage()
    return TokenUsage(
        prompt_tokens=base.prompt_tokens + usage.prompt_tokens,
        completion_tokens=base.completion_tokens + usage.completion_tokens,
        total_tokens=base.total_tokens + usage.total_tokens,
    )


class OpenAIRoadmapGenerator(RoadmapGenerator):
    """:class:`RoadmapGenerator` on the OpenAI Chat Completions API (or any server speaking it at ``base_url``).

    Rules:
    - one call at most ``timeout_seconds``; the whole generation at most ``budget_seconds``;
    - 429 (rate limit), 408, 409, 5xx, timeouts and connection errors are retried up to ``max_retries``
      times, after the server's ``Retry-After`` when it sends one, else after an exponential backoff; a
      wait that would overrun the budget is not made (the catalog answers instead);
    - 400, 401, 403, 404, 422 and ``insufficient_quota`` are not retried; 401, 403 and
      ``insufficient_quota`` open the circuit breaker at once (a bad key or an empty account does not heal);
    - an answer is checked (``parse_answer``); a rejected answer is retried once, telling the model why,
      then the catalog takes over;
    - every generation that ends in the catalog counts as a failure for the circuit breaker; while it is
      open, the catalog answers without calling the API;
    - the roadmap records the generator (``openai``, or ``catalog-fallback``), model, prompt version and the
      tokens spent, rejected answers included;
    - a domain the AI could not cover and the catalog does not know gives DependencyUnavailable (the
      request was fine; the service that could answer it is not).
    """

    def __init__(
        self,
        client: AsyncOpenAI,
        fallback: CatalogRoadmapGenerator,
        options: OpenAIOptions | None = None,
        breaker: CircuitBreaker | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._client = client
        self._fallback = fallback
        self._options = options or OpenAIOptions()
        self._breaker = breaker or CircuitBreaker("openai")
        self._prompt: Prompt = load_prompt(self._options.prompt_version)
        self._clock = clock
        self._sleep = sleep

    @classmethod
    def connect(
        cls,
        *,
        api_key: str,
        base_url: str | None,
        fallback: CatalogRoadmapGenerator,
        options: OpenAIOptions,
        breaker: CircuitBreaker | None = None,
    ) -> OpenAIRoadmapGenerator:
        """A generator with its own client. The SDK's own retries are off: this class retries, knowing its
        budget and which errors are worth it."""
        client = AsyncOpenAI(api_key=api_key, base_url=base_url, timeout=options.timeout_seconds, max_retries=0)
        return cls(client, fallback, options, breaker)

    @property
    def model(self) -> str:
        return self._options.model

    @property
    def prompt_version(self) -> str:
        return self._prompt.version

    @property
    def breaker(self) -> CircuitBreaker:
        return self._breaker

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.close()

    async def generate(self, request: RoadmapRequest) -> RoadmapDraft:
        if not self._breaker.allow():
            return self._fall_back(request, "circuit breaker open", None)
        try:
            modules, usage = await self._ask(request, self._clock() + self._options.budget_seconds)
        except _GiveUp as failure:
            if failure.trip:
                self._breaker.trip()
            else:
                self._breaker.record_failure()
            return self._fall_back(request, failure.reason, failure.usage)
        self._breaker.record_success()
        generation = Generation(OPENAI_GENERATOR, self._options.model, self._prompt.version, usage or TokenUsage())
        return RoadmapDraft(domain=request.domain, modules=modules, generation=generation)

    def _fall_back(self, request: RoadmapRequest, reason: str, usage: TokenUsage | None) -> RoadmapDraft:
        logger.warning("roadmap_ai_fallback", reason=reason, model=self._options.model, domain=request.domain)
        try:
            draft = self._fallback.plan(request, generator=FALLBACK_GENERATOR)
        except InvalidInput as unknown:
            raise DependencyUnavailable(
                N_(
                    "the AI roadmap generator is unavailable and the offline catalog does not cover {domain}; "
                    "try again later or pick a domain from /api/v1/domains"
                ),
                params={"domain": repr(request.domain)},
            ) from unknown
        generation = Generation(FALLBACK_GENERATOR, None, draft.generation.prompt_version, usage)
        return RoadmapDraft(domain=draft.domain, modules=draft.modules, generation=generation)

    def _messages(self, request: RoadmapRequest) -> list[ChatCompletionMessageParam]:
        user = self._prompt.user.substitute(
            domain=request.domain.replace("-", " "),
            skill_level=request.skill_level.value,
            hours_per_week=request.hours_per_week,
            low_bandwidth="yes" if request.low_bandwidth else "no",
            language=request.language,
            min_modules=MIN_AI_MODULES,
            max_modules=MAX_AI_MODULES,
        )
        return [{"role": "system", "content": self._prompt.system}, {"role": "user", "content": user}]

    def _wait_before_retry(self, attempt: int, deadline: float, asked: float | None, reason: str) -> float:
        """The seconds to wait before retry number ``attempt``; raises _GiveUp when none is left."""
        if attempt > self._options.max_retries:
            raise _GiveUp(f"{reason}; no retries left")
        backoff = min(_BACKOFF_MAX_SECONDS, _BACKOFF_BASE_SECONDS * 2 ** (attempt - 1)) * (1 - 0.25 * random.random())  # noqa: S311
        delay = asked if asked is not None else backoff
        if self._clock() + delay + _MIN_CALL_SECONDS > deadline:
            raise _GiveUp(f"{reason}; waiting {delay:.1f}s would overrun the time budget")
        return delay

    async def _call(self, messages: list[ChatCompletionMessageParam], deadline: float) -> ChatCompletion:
        remaining = deadline - self._clock()
        if remaining < _MIN_CALL_SECONDS:
            raise _GiveUp("the time budget is spent")
        return await self._client.chat.completions.create(
            model=self._options.model,
            messages=messages,
            response_format=response_format(),
            temperature=self._options.temperature,
            timeout=min(self._options.timeout_seconds, remaining),
        )

    async def _ask(self, request: RoadmapRequest, deadline: float) -> tuple[tuple[Module, ...], TokenUsage | None]:
        messages = self._messages(request)
        usage: TokenUsage | None = None
        retries = 0
        rejected = False
        while True:
            try:
                completion = await self._call(messages, deadline)
            except (AuthenticationError, PermissionDeniedError) as error:
                raise _GiveUp(
                    f"the API refused the credentials ({error.status_code})", trip=True, usage=usage
                ) from error
            except RateLimitError as error:
                if _is_quota_exhausted(error):
                    raise _GiveUp("the API quota is exhausted", trip=True, usage=usage) from error
                retries += 1
                await self._sleep(self._retry_delay(retries, deadline, error, "rate limited (429)", usage))
                continue
            except APIStatusError as error:
                if error.status_code < 500 and error.status_code not in _RETRY_STATUSES:
                    raise _GiveUp(f"the API rejected the request ({error.status_code})", usage=usage) from error
                retries += 1
                await self._sleep(self._retry_delay(retries, deadline, error, f"API error {error.status_code}", usage))
                continue
            except APIConnectionError as error:  # timeouts included
                retries += 1
                reason = "timed out" if "timed out" in str(error).lower() else "connection failed"
                try:
                    delay = self._wait_before_retry(retries, deadline, None, reason)
                except _GiveUp as give_up:
                    give_up.usage = usage
                    raise
                await self._sleep(delay)
                continue
            usage = _add(usage, completion)
            _count_tokens(self._options.model, completion)
            choice = completion.choices[0] if completion.choices else None
            content = choice.message.content if choice else None
            try:
                if choice is not None and choice.finish_reason == "length":
                    raise AnswerRejected(["the answer was cut off (length limit)"])
                if choice is not None and choice.message.refusal:
                    raise AnswerRejected(["the model refused"])
                return parse_answer(content, language=request.language), usage
            except AnswerRejected as rejection:
                logger.info("roadmap_ai_answer_rejected", reasons=rejection.reasons[:5], retried=not rejected)
                if rejected:
                    raise _GiveUp("the answer was rejected twice", usage=usage) from rejection
                rejected = True
                correction = self._prompt.correction.substitute(reasons="; ".join(rejection.reasons[:10]))
                messages = [
                    *messages,
                    {"role": "assistant", "content": content or ""},
                    {"role": "user", "content": correction},
                ]

    def _retry_delay(
        self, attempt: int, deadline: float, error: APIStatusError, reason: str, usage: TokenUsage | None
    ) -> float:
        try:
            return self._wait_before_retry(attempt, deadline, retry_after_seconds(error.response.headers), reason)
        except _GiveUp as give_up:
            give_up.usage = usage
            raise give_up from error
