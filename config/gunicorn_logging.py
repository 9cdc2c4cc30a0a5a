"""Gunicorn's access log without ballot codes.

A logged `/vote/<code>/` request (or a Referer naming it) carries the address and time of
the voter who opened that code: with the database it could tie a ballot to a person.
"""

import re

from gunicorn.glogging import Logger

BALLOT_CODE_IN_PATH = re.compile(r"(/vote/)[^/?\s\"]+")


def redact(text):
    return BALLOT_CODE_IN_PATH.sub(r"\1[code]", text)


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}
