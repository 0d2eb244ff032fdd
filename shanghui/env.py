"""Typed settings from environment variables (healthchecks' envbool/envint pattern)."""
import os


def env(name: str, default: str | None = None) -> str | None:
    """Return the variable's value, or the default when it is unset or empty."""
    value = os.environ.get(name, "")
    return value if value != "" else default


def envbool(name: str, default: bool) -> bool:
    """Return a boolean variable; '1', 'true', 'yes' and 'on' are true."""
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    """Return an integer variable, failing loudly when it is not a number."""
    value = env(name)
    return default if value is None else int(value)


def envlist(name: str, default: list[str]) -> list[str]:
    """Return a comma-separated list variable."""
    value = env(name)
    return default if value is None else [v.strip() for v in value.split(",") if v.strip()]
