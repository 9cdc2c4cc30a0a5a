"""Gunicorn's access and error logs without ballot codes.

A logged `/vote/<code>/` request (or a Referer naming it) carries the address and time of
the voter who opened that code: with the database it could tie a ballot to a person.
"""

from gunicorn.glogging import Logger

from config.logging_filters import RedactBallotCodes, redact


class RedactingLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        # The error log names the request too ("Error handling request /vote/…/").
        self.error_log.addFilter(RedactBallotCodes())

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}
