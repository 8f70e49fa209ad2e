"""HTTP to a hub: one ``requests`` session with retries, timeouts, a User-Agent and the
bearer token, and every failure turned into one sentence a person can act on.

Requests that fail before an answer arrives (connection refused, reset, a timeout waiting
for the headers) and answers 429, 502, 503 and 504 are retried by urllib3 with exponential
backoff and jitter, honouring ``Retry-After``; a POST is retried only when it never reached
the hub. A body cut in the middle is not retried here: the downloader resumes it with
``Range`` from what it kept (:mod:`app.sync.downloads`).

Timeouts and the backoff come from the environment, so that tests (and people on very slow
links) can set them: ``UJUZI_HTTP_TIMEOUT`` is ``CONNECT,READ`` in seconds (or one number
for both), ``UJUZI_HTTP_RETRIES`` the number of retries, ``UJUZI_HTTP_BACKOFF`` the backoff
factor in seconds.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

from app import __version__
from app.errors import AuthError, HubError, NetworkError
from app.i18n import _

USER_AGENT = f"ujuzi/{__version__}"
DEFAULT_TIMEOUT = (10.0, 30.0)
DEFAULT_RETRIES = 4
DEFAULT_BACKOFF = 0.5
RETRY_STATUSES = frozenset({429, 502, 503, 504})

#: What ``requests`` raises when the hub cannot be reached or the connection breaks.
TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


def _env_float(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, ""))
    except ValueError:
        return default
    return value if value >= 0 else default


def timeouts() -> tuple[float, float]:
    """``(connect, read)`` timeouts in seconds, from ``UJUZI_HTTP_TIMEOUT`` when set."""
    raw = os.environ.get("UJUZI_HTTP_TIMEOUT", "").strip()
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        parts = [float(part) for part in raw.split(",")]
    except ValueError:
        return DEFAULT_TIMEOUT
    if len(parts) == 1 and parts[0] > 0:
        return parts[0], parts[0]
    if len(parts) == 2 and min(parts) > 0:
        return parts[0], parts[1]
    return DEFAULT_TIMEOUT


def backoff_factor() -> float:
    """Seconds of the first wait between retries (doubled at each one, with jitter)."""
    return _env_float("UJUZI_HTTP_BACKOFF", DEFAULT_BACKOFF)


def retry_count() -> int:
    return int(_env_float("UJUZI_HTTP_RETRIES", DEFAULT_RETRIES))


def normalise_url(url: str) -> str:
    """The hub's base URL as kept in the settings: scheme and host checked, no trailing
    slash. Raise :class:`HubError` for something that is not an http(s) URL."""
    text = url.strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise HubError(
            _("{url} is not a hub address; it looks like https://hub.example.org.")
            .format(url=url)
        )
    return text


def _detail(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        return str(body["detail"])
    return response.reason or str(response.status_code)


class HubSession:
    """A session with one hub at ``url``, signed in when ``token`` is given."""

    def __init__(self, url: str, token: str | None = None) -> None:
        self.url = normalise_url(url)
        self.timeout = timeouts()
        self.session = requests.Session()
        retries = Retry(
            total=retry_count(),
            connect=retry_count(),
            read=retry_count(),
            status=retry_count(),
            other=0,
            backoff_factor=backoff_factor(),
            backoff_jitter=backoff_factor(),
            backoff_max=30,
            status_forcelist=RETRY_STATUSES,
            respect_retry_after_header=True,
            retry_after_max=120,
            raise_on_status=False,
        )
        adapter = HTTPAdapter(max_retries=retries)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = USER_AGENT
        # The environment's proxies apply (no_proxy included), but not ~/.netrc, which
        # would replace the bearer token.
        self.session.trust_env = False
        self.session.proxies.update(requests.utils.get_environ_proxies(self.url))
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> HubSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def unreachable(self, exc: BaseException) -> NetworkError:
        """The error for a hub that cannot be reached, in words."""
        if isinstance(exc, requests.Timeout) or "timed out" in str(exc).lower():
            reason = _("it did not answer in time")
        elif "refused" in str(exc).lower():
            reason = _("the connection was refused")
        elif isinstance(exc, requests.exceptions.ChunkedEncodingError):
            reason = _("the connection was cut")
        else:
            reason = _("there is no connection to it")
        return NetworkError(
            _("The hub at {url} cannot be reached ({reason}); check the network and try "
              "again, downloads resume where they stopped.").format(url=self.url, reason=reason)
        )

    def request(
        self,
        method: str,
        path: str,
        *,
        expect: tuple[int, ...] = (200,),
        headers: Mapping[str, str] | None = None,
        stream: bool = False,
        **kwargs: Any,
    ) -> requests.Response:
        """Send one request; return the response when its status is in ``expect``, else
        raise :class:`AuthError` (401), :class:`NetworkError` (no answer, or a retryable
        status that stayed) or :class:`HubError` with the hub's ``detail``."""
        try:
            response = self.session.request(
                method, self.url + path, headers=dict(headers or {}), stream=stream,
                timeout=self.timeout, allow_redirects=False, **kwargs
            )
        except TRANSPORT_ERRORS as exc:
            raise self.unreachable(exc) from None
        except requests.RequestException as exc:
            raise HubError(
                _("The request to the hub at {url} failed: {error}").format(url=self.url, error=exc)
            ) from None
        if response.status_code in expect:
            return response
        detail = _detail(response)
        response.close()
        if response.status_code == 401:
            raise AuthError(
                _("The hub at {url} did not accept the sign-in ({detail}); sign in again "
                  "with 'ujuzi login'.").format(url=self.url, detail=detail)
            )
        if response.status_code in RETRY_STATUSES:
            raise NetworkError(
                _("The hub at {url} is busy ({detail}); try again later.")
                .format(url=self.url, detail=detail)
            )
        raise HubError(
            _("The hub at {url} refused: {detail}").format(url=self.url, detail=detail)
        )

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """:meth:`request`, and the body decoded as JSON (a :class:`HubError` when it is
        not)."""
        return self.json_and_headers(method, path, **kwargs)[0]

    def json_and_headers(self, method: str, path: str,
                         **kwargs: Any) -> tuple[Any, Mapping[str, str]]:
        """The decoded body (None for a 304) and the headers of the answer. A GET whose
        body is cut is asked again, as often as a failed connection is."""
        attempts = 1 + (retry_count() if method in ("GET", "HEAD") else 0)
        for attempt in range(attempts):
            response = self.request(method, path, stream=True, **kwargs)
            try:
                with response:
                    if response.status_code == 304:
                        return None, response.headers
                    return response.json(), response.headers
            except ValueError:
                raise HubError(
                    _("The hub at {url} sent an answer that is not JSON.").format(url=self.url)
                ) from None
            except TRANSPORT_ERRORS as exc:
                if attempt + 1 == attempts:
                    raise self.unreachable(exc) from None
        raise AssertionError("unreachable")  # pragma: no cover
