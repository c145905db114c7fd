"""Ark's error answers (contract section 6): ``{"error": {code, message, param, type}}``, the
server request id appended to the message and sent as ``X-Request-Id``."""

from __future__ import annotations

import secrets
import time

from starlette.responses import JSONResponse

TYPES = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    409: "Conflict",
    429: "TooManyRequests",
    500: "InternalServerError",
}


class ArkError(Exception):
    """An error answer: HTTP ``status``, Ark ``code``, the offending ``param`` ("" if none)."""

    def __init__(self, status: int, code: str, message: str, param: str = ""):
        self.status = status
        self.code = code
        self.message = message
        self.param = param
        super().__init__(f"{status} {code}: {message}")


def invalid(param: str, detail: str, code: str = "InvalidParameter") -> ArkError:
    """400 InvalidParameter, worded as the service words it."""
    what = "not supported" if code.endswith("UnsupportedParameter") else "not valid"
    return ArkError(
        400, code, f"The parameter `{param}` specified in the request is {what}: {detail}.", param
    )


def unsupported(param: str, detail: str) -> ArkError:
    return invalid(param, detail, "InvalidParameter.UnsupportedParameter")


def missing(param: str) -> ArkError:
    return ArkError(
        400,
        "MissingParameter",
        f"The request failed because it is missing one or multiple required parameters: {param}.",
        param,
    )


def model_not_found(model: str) -> ArkError:
    return ArkError(
        404,
        "InvalidEndpointOrModel.NotFound",
        f"The model or endpoint {model} does not exist or you do not have access to it.",
        "model",
    )


def new_request_id() -> str:
    """Shaped like the service's: "02", the time in ms, then hex."""
    return f"02{int(time.time() * 1000)}{secrets.token_hex(19)}"


def ok(payload: object, request_id: str, status: int = 200) -> JSONResponse:
    return JSONResponse(payload, status_code=status, headers={"X-Request-Id": request_id})


def error_response(error: ArkError, request_id: str) -> JSONResponse:
    body = {
        "error": {
            "code": error.code,
            "message": f"{error.message} Request id: {request_id}",
            "param": error.param,
            "type": TYPES.get(error.status, "BadRequest"),
        }
    }
    return ok(body, request_id, error.status)
