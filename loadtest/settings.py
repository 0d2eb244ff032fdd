"""Settings for the load test: production settings, plain HTTP on loopback, the public intake's
per-address limit lifted (every simulated visitor comes from 127.0.0.1)."""
from shanghui.settings import *  # noqa: F403

CASES_INTAKE_RATE = "1000000/hour"
CASES_INTAKE_MIN_SECONDS = 0
