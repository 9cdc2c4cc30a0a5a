"""The roster (名册) of organizations and people (see plan.py while the split is under way)."""

from .plan import *  # noqa: F403
