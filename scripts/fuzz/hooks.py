"""Schemathesis checks of our own for the GraphQL endpoint.

Schemathesis' stock `not_a_server_error` counts every GraphQL `errors` entry as a
failure, but refusing bad input with a precise INVALID_INPUT error is what Nuvola is meant
to do. These checks fail on what must never happen instead: a 5xx, an INTERNAL error, an
error without a stable code, internal detail in an answer.
"""

import json

import schemathesis

# Words that would only appear if an internal error escaped to the client.
LEAKS = ("sqlx", "sea_orm", "DbErr", "panicked", "stack backtrace", "SQLSTATE",
         "SELECT ", "INSERT ", "no such table", "relation \"", "/src/", ".rs:")


def _request_text(case):
    try:
        return json.dumps(case.body, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(case.body)


@schemathesis.check
def no_server_failure(ctx, response, case):
    if response.status_code >= 500:
        raise AssertionError(f"HTTP {response.status_code}: {response.text[:300]}")
    try:
        body = response.json()
    except ValueError:
        raise AssertionError(f"the answer is not JSON: {response.text[:300]}")
    for error in (body or {}).get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        if code == "INTERNAL":
            raise AssertionError(f"an internal error: {error}")


@schemathesis.check
def no_internal_detail(ctx, response, case):
    text = response.text or ""
    sent = _request_text(case)
    for word in LEAKS:
        # A word the request itself carried is an echo of the input, not a leak.
        if word in text and word not in sent:
            raise AssertionError(f"the response leaks internal detail ({word!r}): {text[:300]}")


@schemathesis.check
def resolver_errors_have_a_stable_code(ctx, response, case):
    try:
        body = response.json()
    except ValueError:
        return
    for error in (body or {}).get("errors") or []:
        # Errors of the GraphQL engine itself (syntax, validation, limits) have no path;
        # every error a resolver raises has a path and must carry our stable code.
        if error.get("path") and not isinstance((error.get("extensions") or {}).get("code"), str):
            raise AssertionError(f"a resolver error without extensions.code: {error}")
