"""Sign-in with Microsoft (Entra ID) or another OpenID Connect provider: the protocol.

The provider is found from its discovery document (``OIDC_METADATA_URL``). A sign-in sends the
person there with a fresh ``state`` and ``nonce`` (Authlib's token generator); the code that comes
back is exchanged over HTTPS for tokens; the ID token is checked here with joserfc (Authlib's JOSE
library): its signature against the provider's published keys (fetched again when a key is not
known), the issuer (Microsoft's multi-tenant discovery names it with a ``{tenantid}`` placeholder:
it must be the token's own tenant), the audience (our client id), the nonce, and the expiry. Which
tenants may sign in, and as whom, is for ``services/microsoft.py``.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

import httpx
from authlib.common.security import generate_token
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

log = logging.getLogger(__name__)

CACHE_SECONDS = 3600
LEEWAY_SECONDS = 120


class Refused(Exception):
    """The provider's answer cannot be trusted; ``reason`` says why (for the audit trail)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Provider:
    metadata_url: str
    client_id: str
    client_secret: str = ""
    issuer: str = ""  # expected issuer, if not the discovery document's
    timeout: float = 10.0
    _metadata: dict = field(default_factory=dict)
    _metadata_at: float = 0.0
    _keys: KeySet | None = None
    _keys_at: float = 0.0

    # Discovery and keys ---------------------------------------------------------------------------

    def _get(self, url: str) -> dict:
        try:
            response = httpx.get(url, timeout=self.timeout, follow_redirects=False)
            response.raise_for_status()
            return response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise Refused(f"the identity provider could not be reached ({type(exc).__name__})") from exc

    def metadata(self) -> dict:
        if not self._metadata or time.time() - self._metadata_at > CACHE_SECONDS:
            self._metadata = self._get(self.metadata_url)
            self._metadata_at = time.time()
        return self._metadata

    def keys(self, *, fresh: bool = False) -> KeySet:
        if fresh or self._keys is None or time.time() - self._keys_at > CACHE_SECONDS:
            self._keys = KeySet.import_key_set(self._get(self.metadata()["jwks_uri"]))
            self._keys_at = time.time()
        return self._keys

    # The flow -------------------------------------------------------------------------------------

    @staticmethod
    def new_secret() -> str:
        return generate_token(43)

    def authorization_url(self, redirect_uri: str, state: str, nonce: str) -> str:
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.client_id,
                "redirect_uri": redirect_uri,
                "scope": "openid email profile",
                "state": state,
                "nonce": nonce,
                "response_mode": "query",
                "prompt": "select_account",
            }
        )
        return f"{self.metadata()['authorization_endpoint']}?{query}"

    def exchange(self, code: str, redirect_uri: str) -> str:
        """The ID token for an authorization code."""
        try:
            response = httpx.post(
                self.metadata()["token_endpoint"],
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": redirect_uri,
                    "client_id": self.client_id,
                    "client_secret": self.client_secret,
                },
                timeout=self.timeout,
            )
        except httpx.HTTPError as exc:
            raise Refused(f"the identity provider could not be reached ({type(exc).__name__})") from exc
        if response.status_code != 200:
            raise Refused(f"the code was refused by the identity provider ({response.status_code})")
        token = response.json().get("id_token")
        if not token:
            raise Refused("the identity provider sent no ID token")
        return token

    def validate(self, id_token: str, nonce: str, now: float | None = None) -> dict:
        """The ID token's claims, once every check passes; Refused otherwise."""
        try:
            try:
                decoded = jwt.decode(id_token, self.keys())
            except JoseError:
                decoded = jwt.decode(id_token, self.keys(fresh=True))  # the provider may have new keys
        except (JoseError, ValueError) as exc:
            raise Refused(f"the ID token's signature is not the provider's ({type(exc).__name__})") from exc
        claims = dict(decoded.claims)
        now = time.time() if now is None else now
        issuer = self.issuer or self.metadata()["issuer"]
        if "{tenantid}" in issuer:
            issuer = issuer.replace("{tenantid}", str(claims.get("tid", "")))
        if claims.get("iss") != issuer:
            raise Refused("the ID token comes from another issuer")
        audience = claims.get("aud")
        if audience != self.client_id and not (isinstance(audience, list) and self.client_id in audience):
            raise Refused("the ID token is for another application (audience)")
        if not nonce or claims.get("nonce") != nonce:
            raise Refused("the ID token does not answer this sign-in (nonce)")
        if not isinstance(claims.get("exp"), int | float) or claims["exp"] < now - LEEWAY_SECONDS:
            raise Refused("the ID token has expired")
        if isinstance(claims.get("iat"), int | float) and claims["iat"] > now + LEEWAY_SECONDS:
            raise Refused("the ID token was issued in the future")
        if not claims.get("sub"):
            raise Refused("the ID token names no one (sub)")
        return claims


def provider_for(config: dict) -> Provider | None:
    """The configured provider, or None: sign-in with Microsoft is off unless configured."""
    if not (config.get("OIDC_METADATA_URL") and config.get("OIDC_CLIENT_ID")):
        return None
    return Provider(
        metadata_url=config["OIDC_METADATA_URL"],
        client_id=config["OIDC_CLIENT_ID"],
        client_secret=config.get("OIDC_CLIENT_SECRET") or "",
        issuer=config.get("OIDC_ISSUER") or "",
    )
