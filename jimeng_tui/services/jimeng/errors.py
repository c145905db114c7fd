"""The service's error table (api-contract.md, "Responses") and the exceptions the client raises.

One place for every code: the client maps answers to exceptions here, the sandbox answers with
these codes and messages, the runner asks ``retry`` what it may do.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from jimeng_tui.domain.errors import JimengError, ValidationError
from jimeng_tui.services.base import TransportError as TransportError


class Retry(Enum):
    """What a caller may do after an error."""

    NO = "no"  # retrying cannot help (or the user must change the input)
    YES = "yes"  # a new attempt may succeed
    SLOWER = "slower"  # QPS limit: slow the request rate, then try again
    WHEN_TASK_ENDS = "when_task_ends"  # concurrency limit: wait until a running task finishes


@dataclass(frozen=True)
class ErrorInfo:
    code: int
    http_status: int
    message: str
    retry: Retry
    hint: str = ""


BUSINESS_ERRORS: dict[int, ErrorInfo] = {
    e.code: e
    for e in (
        ErrorInfo(
            50411, 400, "Pre Img Risk Not Pass", Retry.NO, "The input image failed content review."
        ),
        ErrorInfo(
            50412,
            400,
            "Text Risk Not Pass",
            Retry.NO,
            "The prompt failed content review: reword it.",
        ),
        ErrorInfo(
            50413,
            400,
            "Post Text Risk Not Pass",
            Retry.NO,
            "The prompt holds sensitive or copyrighted words: reword it.",
        ),
        ErrorInfo(
            50511,
            400,
            "Post Img Risk Not Pass",
            Retry.YES,
            "A generated image failed review; running it again may pass.",
        ),
        ErrorInfo(50512, 400, "Post Text Risk Not Pass", Retry.NO, "Generated text failed review."),
        ErrorInfo(
            50516,
            400,
            "Post Video Risk Not Pass",
            Retry.YES,
            "The generated video failed review; running it again may pass.",
        ),
        ErrorInfo(
            50517,
            400,
            "Post Audio Risk Not Pass",
            Retry.YES,
            "The generated audio failed review; running it again may pass.",
        ),
        ErrorInfo(
            50518,
            400,
            "Pre Img Risk Not Pass: Copyright",
            Retry.NO,
            "The input image looks copyrighted.",
        ),
        ErrorInfo(
            50519,
            400,
            "Post Img Risk Not Pass: Copyright",
            Retry.YES,
            "A generated image looked copyrighted; running it again may pass.",
        ),
        ErrorInfo(50520, 400, "Risk Internal Error", Retry.NO, "The review service failed."),
        ErrorInfo(50521, 400, "Antidirt Internal Error", Retry.NO, "The review service failed."),
        ErrorInfo(
            50522, 400, "Image Copyright Internal Error", Retry.NO, "The review service failed."
        ),
        ErrorInfo(
            50215,
            400,
            "Input invalid for this service",
            Retry.NO,
            "The service rejected the input (also seen for stale or unknown task ids).",
        ),
        ErrorInfo(
            50429,
            429,
            "Request Has Reached API Limit, Please Try Later",
            Retry.SLOWER,
            "Too many requests per second.",
        ),
        ErrorInfo(
            50430,
            429,
            "Request Has Reached API Concurrent Limit, Please Try Later",
            Retry.WHEN_TASK_ENDS,
            "Too many tasks running at once.",
        ),
        ErrorInfo(50500, 500, "Internal Error", Retry.YES, "The service failed; try again."),
        ErrorInfo(50501, 500, "Internal RPC Error", Retry.YES, "The service failed; try again."),
    )
}

SUCCESS_CODE = 10000

# Codes whose answer proves the service created no task, so a submit may be sent again.
SUBMIT_SAFE_TO_RESEND: frozenset[int] = frozenset({50429, 50430, 50500, 50501})


@dataclass(frozen=True)
class GatewayErrorInfo:
    name: str
    code_n: int
    http_status: int
    hint: str


GATEWAY_ERRORS: dict[str, GatewayErrorInfo] = {
    g.name: g
    for g in (
        GatewayErrorInfo(
            "MissingAuthenticationToken", 100003, 401, "The request carried no credentials."
        ),
        GatewayErrorInfo("MissingSignature", 100005, 401, "The request was not signed."),
        GatewayErrorInfo(
            "InvalidTimestamp", 100006, 400, "The computer's clock is off by more than 15 minutes."
        ),
        GatewayErrorInfo(
            "InvalidActionOrVersion", 100008, 404, "The API URL does not serve this action."
        ),
        GatewayErrorInfo("InvalidAccessKey", 100009, 401, "The access key is not known."),
        GatewayErrorInfo(
            "SignatureDoesNotMatch", 100010, 401, "The secret key does not match the access key."
        ),
        GatewayErrorInfo(
            "AccessDenied",
            100013,
            403,
            "The account may not use this service (is Jimeng Video enabled?).",
        ),
    )
}


class ImageError(ValidationError):
    """An image input cannot be used."""


class ServiceError(JimengError):
    """An answer from the service that is not a success."""

    def __init__(
        self,
        code: int,
        message: str,
        *,
        http_status: int,
        request_id: str = "",
        retry: Retry = Retry.NO,
        hint: str = "",
    ):
        self.code, self.message, self.http_status = code, message, http_status  # the answer
        self.request_id, self.retry, self.hint = request_id, retry, hint
        text = f"{code} {message}"
        if hint:
            text += f" — {hint}"
        super().__init__(text)

    @property
    def retryable(self) -> bool:
        return self.retry is not Retry.NO


class BusinessError(ServiceError):
    """A business error from the error table (``code`` is e.g. 50412)."""

    @classmethod
    def from_answer(
        cls, code: int, message: str, http_status: int, request_id: str = ""
    ) -> BusinessError:
        info = BUSINESS_ERRORS.get(code)
        return cls(
            code,
            message or (info.message if info else "Unknown error"),
            http_status=http_status,
            request_id=request_id,
            retry=info.retry if info else (Retry.YES if http_status >= 500 else Retry.NO),
            hint=info.hint if info else "",
        )


class GatewayError(ServiceError):
    """An authentication or routing error in the ``ResponseMetadata`` envelope."""

    def __init__(
        self, name: str, code_n: int, message: str, *, http_status: int, request_id: str = ""
    ):
        info = GATEWAY_ERRORS.get(name)
        self.name = name
        super().__init__(
            code_n,
            f"{name}: {message}" if message else name,
            http_status=http_status,
            request_id=request_id,
            retry=Retry.NO,
            hint=info.hint if info else "",
        )


class SubmitOutcomeUnknown(JimengError):
    """A submit was sent and no answer came: a task may or may not exist.

    Never re-sent automatically (a duplicate costs the user money); the user decides.
    ``body`` is what was sent, with image data left out.
    """

    def __init__(self, message: str, *, body: dict[str, Any]):
        self.body = body
        super().__init__(
            f"{message} — the submit was sent but no answer came, so a task may exist. "
            "It was not sent again; check the console or submit it yourself."
        )


class TaskFailed(JimengError):
    """A task ended without a video (``not_found``, ``expired``, or done with an error code)."""

    def __init__(self, status: str, message: str, *, code: int | None = None):
        self.status = status
        self.code = code
        super().__init__(message)
