"""The demo's tests build items and sign in the way the broadcast tests do."""

from tests.broadcast.conftest import (  # noqa: F401  (fixtures)
    audio_item,
    radio_item,
    staff_client,
)
