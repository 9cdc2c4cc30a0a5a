"""The roster (名册) of organizations and people as an Excel workbook: template, export,
and an import that previews every change before anything is written.

An organization is identified by its name under its parent (names are unique per parent).
A parent is written by name, or — when the name is not unique — as a path of names from
the top ("城关街道党工委/机关党总支"). An administrator imports only inside their subtree.
Committee members are added, never removed (removal is on the people pages, people_views).

One module per concern, each importing only those before it:
  format     the sheets, columns, kinds and limits of the file
  read       the workbook read into rows (`roster_read`)
  plan       the rows checked against the database, nothing written (`roster_plan`)
  passwords  initial passwords of new accounts, sealed between requests (`seal`, `unseal`)
             or to a public key for a background import (`keypair`, `seal_to`, `unseal_with`)
  apply      the plan written in one transaction, or RosterInvalid (`roster_import`)
  workbooks  the template, the export and the initial-password sheet
This package re-exports their public names: import them from `branches.roster`.
"""

from .apply import RosterInvalid, RosterOutcome, roster_import
from .format import (
    KIND_BY_LABEL,
    KIND_LABEL,
    MAX_DEPTH,
    MAX_INFLATED_BYTES,
    MAX_LINES,
    MAX_ROWS,
    MEMBER_COLUMNS,
    MEMBER_SHEET,
    ORGANIZATION_COLUMNS,
    ORGANIZATION_SHEET,
    PATH_SEPARATOR,
    PHONE,
    USERNAME_VALIDATOR,
)
from .passwords import (
    INITIAL_PASSWORD_ITERATIONS,
    PASSWORD_ALPHABET,
    PASSWORD_LENGTH,
    initial_password,
    initial_password_hash,
    keypair,
    seal,
    seal_to,
    unseal,
    unseal_with,
)
from .plan import RosterPlan, roster_plan
from .read import MemberRow, OrganizationRow, Person, RosterError, roster_read
from .workbooks import passwords_workbook, roster_export, roster_template

__all__ = [
    "INITIAL_PASSWORD_ITERATIONS",
    "KIND_BY_LABEL",
    "KIND_LABEL",
    "MAX_DEPTH",
    "MAX_INFLATED_BYTES",
    "MAX_LINES",
    "MAX_ROWS",
    "MEMBER_COLUMNS",
    "MEMBER_SHEET",
    "ORGANIZATION_COLUMNS",
    "ORGANIZATION_SHEET",
    "PASSWORD_ALPHABET",
    "PASSWORD_LENGTH",
    "PATH_SEPARATOR",
    "PHONE",
    "USERNAME_VALIDATOR",
    "MemberRow",
    "OrganizationRow",
    "Person",
    "RosterError",
    "RosterInvalid",
    "RosterOutcome",
    "RosterPlan",
    "initial_password",
    "initial_password_hash",
    "passwords_workbook",
    "roster_export",
    "roster_import",
    "roster_plan",
    "roster_read",
    "roster_template",
    "keypair",
    "seal",
    "seal_to",
    "unseal",
    "unseal_with",
]
