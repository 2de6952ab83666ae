"""The Prefect automation that sends reversal events to a notification block, written for the
user's own block (its id looked up on their Prefect server), never edited by hand."""

from __future__ import annotations

import uuid

from ..errors import ConfigError
from .alerts import RAISED_EVENT, RETRACTED_EVENT

TEMPLATE = """\
# A Prefect automation that sends every tradewatch reversal alert (and retraction) to the
# notification block {block}. Written by `tradewatch automation`; load it with
#   prefect automation create --from-file <this file>
# tradewatch emits {raised} and {retracted}, with the series
# (tradewatch.series.<reporter>-<partner>-<hs>-<flow>) as the resource and the figures in
# the payload.
name: tradewatch reversal alerts
description: Notify when a watched import volume reverses direction, or a revision takes it back.
enabled: true
trigger:
  type: event
  posture: Reactive
  expect:
    - {raised}
    - {retracted}
  match:
    prefect.resource.id: tradewatch.series.*
  threshold: 1
  within: 0
actions:
  - type: send-notification
    block_document_id: {block_id}
    subject: "tradewatch: {{{{ event.event }}}} {{{{ event.resource['prefect.resource.name'] }}}}"
    body: |
      {{{{ event.event }}}} for {{{{ event.resource['prefect.resource.name'] }}}}
      {{{{ event.payload | tojson }}}}
"""


def block_document_id(name: str) -> str:
    """The id of the saved notification block ``type/name`` on the Prefect server in use."""
    from prefect.blocks.core import Block
    from prefect.settings import get_current_settings

    if not get_current_settings().api.url:
        raise ConfigError(
            "looking up a block needs the Prefect server that keeps it: set PREFECT_API_URL "
            "(or give --block-id)"
        )
    try:
        block = Block.load(name)
    except ValueError as exc:
        raise ValueError(f"no notification block {name!r} on that server: {exc}") from None
    return str(block._block_document_id)


def automation_yaml(block_id: str, block_name: str | None = None) -> str:
    """The automation as YAML for ``prefect automation create --from-file``."""
    checked = str(uuid.UUID(block_id))  # a malformed id is refused here, not by the server
    return TEMPLATE.format(
        block=block_name or checked,
        block_id=checked,
        raised=RAISED_EVENT,
        retracted=RETRACTED_EVENT,
    )
