"""server/tuning.py: the running application collects garbage as the tuning module says."""

from __future__ import annotations

import gc

from server import tuning


async def test_a_started_application_freezes_what_start_up_built_and_collects_at_the_tuned_threshold(live_server):
    # given an application that has started (live_server ran its lifespan in this process)
    # then what start-up built is out of the collector's reach, and the collector runs at the tuned threshold
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == tuning.GC_THRESHOLD
    assert tuning.GC_THRESHOLD != (700, 10, 10)  # not Python's default
