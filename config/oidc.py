"""OpenID Connect settings from the environment; off unless OIDC_RP_CLIENT_ID is set.

Settings reading, so it lives with the settings (config/), which import it; the sign-in
backend that uses them is accounts.oidc.
"""

from __future__ import annotations

from config.env import ImproperSetting, env_bool, env_str

REQUIRED = (
    "OIDC_RP_CLIENT_SECRET",
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT",
)


def oidc_settings() -> dict[str, object]:
    """The mozilla-django-oidc settings, or {} when single sign-on is not configured."""
    client_id = env_str("OIDC_RP_CLIENT_ID")
    if not client_id:
        return {}
    missing = [name for name in REQUIRED if not env_str(name)]
    if missing:
        raise ImproperSetting(
            f"OIDC_RP_CLIENT_ID is set, so these must be too: {', '.join(missing)}"
        )
    algorithm = env_str("OIDC_RP_SIGN_ALGO", "RS256")
    jwks = env_str("OIDC_OP_JWKS_ENDPOINT")
    if algorithm.startswith(("RS", "ES")) and not jwks:
        raise ImproperSetting(f"OIDC_RP_SIGN_ALGO={algorithm} needs OIDC_OP_JWKS_ENDPOINT")
    found: dict[str, object] = {name: env_str(name) for name in REQUIRED}
    found.update(
        OIDC_RP_CLIENT_ID=client_id,
        OIDC_RP_SIGN_ALGO=algorithm,
        OIDC_OP_JWKS_ENDPOINT=jwks,
        OIDC_RP_SCOPES=env_str("OIDC_RP_SCOPES", "openid email profile"),
        OIDC_CREATE_USER=env_bool("OIDC_CREATE_USER", "True"),
        OIDC_OP_LOGOUT_URL=env_str("OIDC_OP_LOGOUT_URL"),
        OIDC_PROVIDER_NAME=env_str("OIDC_PROVIDER_NAME", "single sign-on"),
    )
    return found
