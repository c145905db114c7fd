"""Ark's error table (contract section 6) and the exceptions the Ark client raises.

An error body is ``{"error": {"code", "message", "param", "type"}}``; the server's request id is
appended to ``message`` ("… Request id: 0217…") and may come in a header. Codes come in
families: ``InvalidParameter.{P}``, ``InputImageSensitiveContentDetected.PrivacyInformation``…
are looked up by the exact code first, then by the part before the first dot.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from jimeng_tui.domain.errors import JimengError, ValidationError
from jimeng_tui.services.base import Outcome


@dataclass(frozen=True)
class ArkErrorInfo:
    code: str
    http_status: int
    submit: Outcome  # what a create may do after this answer (it made no task)
    hint: str
    read_again: bool = False  # a get/list/delete may simply be asked again


_N, _SLOWER, _WAIT = Outcome.NO_RETRY, Outcome.SLOWER, Outcome.WHEN_TASK_ENDS
_REVIEW = "(a task refused or failed in review is not billed)"

ERRORS: dict[str, ArkErrorInfo] = {
    e.code: e
    for e in (
        ArkErrorInfo("MissingParameter", 400, _N, "A required field is missing (see `param`)."),
        ArkErrorInfo(
            "InvalidParameter",
            400,
            _N,
            "The service refused a field (named in the message): change it for this model.",
        ),
        ArkErrorInfo(
            "InvalidImageURL",
            400,
            _N,
            "An image link or its data could not be used: check that the link opens, or give "
            "a local image file.",
        ),
        ArkErrorInfo(
            "InputTextSensitiveContentDetected",
            400,
            _N,
            f"The prompt failed content review: reword it {_REVIEW}.",
        ),
        ArkErrorInfo(
            "InputImageSensitiveContentDetected",
            400,
            _N,
            "An input image failed content review (.PrivacyInformation: a real person's face; "
            ".PolicyViolation: copyright): use another image.",
        ),
        ArkErrorInfo(
            "InputVideoSensitiveContentDetected",
            400,
            _N,
            "An input video failed content review: use another one.",
        ),
        ArkErrorInfo(
            "InputAudioSensitiveContentDetected",
            400,
            _N,
            "An input sound failed content review: use another one.",
        ),
        ArkErrorInfo(
            "OutputVideoSensitiveContentDetected",
            400,
            _N,
            f"The generated video failed content review: change the prompt and run it again "
            f"{_REVIEW}.",
        ),
        ArkErrorInfo(
            "ContentSecurityDetectionError",
            400,
            Outcome.RETRY,
            "The service's content review itself failed; trying again may pass.",
            read_again=True,
        ),
        ArkErrorInfo(
            "AuthenticationError",
            401,
            _N,
            "The Ark API key was refused: check [credentials] ark_api_key in config.toml or "
            "the ARK_API_KEY variable (jimeng-tui config).",
        ),
        ArkErrorInfo("AccessDenied", 403, _N, "This API key may not use this model or endpoint."),
        ArkErrorInfo(
            "OperationDenied",
            403,
            _N,
            "The service is not activated for the model (ServiceNotOpen) or the account is "
            "overdue (ServiceOverdue): see the Ark console.",
        ),
        ArkErrorInfo(
            "AccountOverdueError", 403, _N, "The Ark account is overdue: top it up in the console."
        ),
        ArkErrorInfo(
            "InvalidEndpointOrModel",
            404,
            _N,
            "The model or endpoint is not known: give a dated model id "
            "(e.g. doubao-seedance-2-0-260128) or an ep-… endpoint of your account.",
        ),
        ArkErrorInfo(
            "ModelNotOpen", 404, _N, "Enable this model for your account in the Ark console."
        ),
        ArkErrorInfo("NotFound", 404, _N, "The service does not know this task or resource."),
        ArkErrorInfo(
            "TaskRunningCannotCancel",  # 3P-FK only (409); the official list lacks it
            409,
            _N,
            "A running task cannot be cancelled; it will finish (and be billed).",
        ),
        *(
            ArkErrorInfo(code, 429, _SLOWER, "Too many requests per minute: slowing down.", True)
            for code in (
                "RateLimitExceeded",
                "ModelAccountRpmRateLimitExceeded",
                "APIAccountRpmRateLimitExceeded",
                "AccountRateLimitExceeded",
                "ServerOverloaded",
                "RequestBurstTooFast",
            )
        ),
        ArkErrorInfo(
            "QuotaExceeded",
            429,
            _WAIT,
            f"The account's queue is full ({120} queued tasks) or its free quota is used up: "
            "waiting for a task to end.",
            True,
        ),
        ArkErrorInfo(
            "InflightBatchsizeExceeded",
            429,
            _WAIT,
            "Too many tasks at once for the account's balance: waiting for a task to end.",
            True,
        ),
        ArkErrorInfo(
            "SetLimitExceeded",
            429,
            _N,
            "A spending or rate limit set in the Ark console was reached: raise it there.",
        ),
        ArkErrorInfo(
            "InternalServiceError", 500, Outcome.UNKNOWN, "The service failed.", read_again=True
        ),
    )
}

ERROR_HINTS: tuple[tuple[str, str], ...] = tuple((c, e.hint) for c, e in ERRORS.items())

_REQUEST_ID = re.compile(r"Request id:\s*([A-Za-z0-9_-]+)", re.IGNORECASE)
REQUEST_ID_HEADERS = ("x-request-id", "x-tt-logid", "x-client-request-id")


def error_info(code: str) -> ArkErrorInfo | None:
    """The table row of ``code``, or of its family (the part before the first dot)."""
    return ERRORS.get(code) or ERRORS.get(code.split(".", 1)[0])


def request_id_in(message: str) -> str | None:
    found = _REQUEST_ID.search(message)
    return found.group(1) if found else None


def request_id_of(headers: Mapping[str, str], message: str = "") -> str | None:
    """The server's request id: the one appended to the message, else a response header
    (which header the server sends is unverified: ``X-Request-Id`` is the SDK's guess)."""
    found = request_id_in(message)
    if found:
        return found
    for name in REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return value
    return None


class ImageError(ValidationError):
    """An image input cannot be sent to Ark."""


class ArkApiError(JimengError):
    """An error answer from Ark (``http_status`` and the body's ``error`` object)."""

    def __init__(
        self,
        http_status: int,
        code: str,
        message: str,
        *,
        param: str = "",
        error_type: str = "",
        request_id: str | None = None,
    ) -> None:
        self.http_status, self.code, self.message = http_status, code, message  # the answer
        self.param, self.error_type, self.request_id = param, error_type, request_id
        info = error_info(code)
        self.hint = info.hint if info else ""
        text = f"HTTP {http_status} {code}: {message}" if message else f"HTTP {http_status} {code}"
        if self.hint:
            text += f" — {self.hint}"
        super().__init__(text)

    @property
    def submit_outcome(self) -> Outcome:
        """What a create may do after this answer. A 5xx may have made a task: UNKNOWN."""
        if self.http_status >= 500:
            return Outcome.UNKNOWN
        info = error_info(self.code)
        if info is not None and info.submit is not Outcome.UNKNOWN:
            return info.submit
        if self.http_status == 429:  # an unlisted limit: the request was refused, slow down
            return Outcome.SLOWER
        return Outcome.NO_RETRY

    @property
    def read_again(self) -> bool:
        """Whether a get/list/delete may simply be sent again after this answer."""
        info = error_info(self.code)
        return self.http_status >= 500 or self.http_status == 429 or bool(info and info.read_again)


class CreateOutcomeUnknown(JimengError):
    """A create was sent and no usable answer came: a task may or may not exist.

    Never re-sent (a duplicate is a second paid video); the user decides (``jimeng-tui tasks``
    lists what the account made around that time).
    """

    def __init__(self, message: str) -> None:
        super().__init__(
            f"{message} — the create was sent but no usable answer came, so a task may exist. "
            "It was not sent again: see `jimeng-tui tasks` to adopt it, or submit again."
        )
