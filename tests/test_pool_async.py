"""The query pool awaited on an event loop (`QueryPool.run_async`, what /sparql uses): the same answers as the
engine gives in-process, small and large, quick and slow; the worker that answered last answers next; a
runaway query still times out and an abandoned one still stops its worker.

Loops wait for an effect by count (bounded by a budget, or TRADEKG_TEST_WAIT seconds), never assert a time.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from api_support import DS544, EXPENSIVE, TKG
from budgets import budget
from tradekg.graph.pool import INLINE_ANSWER_BYTES, Limits, QueryPool, QueryTimeout
from tradekg.graph.store import EmbeddedStore
from tradekg.graph.worker import Job, answer

pytestmark = pytest.mark.slow  # the full bundle's build, forked worker processes

WAIT_S = float(os.environ.get("TRADEKG_TEST_WAIT", budget(120)))
COMPLAINANT = f"SELECT ?c WHERE {{ <{DS544}> <{TKG}complainant> ?c }}"
LABELS = "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }"
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def memory_store(full_build) -> EmbeddedStore:
    return EmbeddedStore.in_memory(full_build[0])


@pytest.fixture
def pool(memory_store):
    service = memory_store.query_service(Limits(timeout_s=WAIT_S, memory_mb=0))
    assert isinstance(service, QueryPool)
    service.warm_up()
    yield service
    service.close()


@pytest.fixture
def threads():
    executor = ThreadPoolExecutor(max_workers=4)
    yield executor
    executor.shutdown(wait=False, cancel_futures=True)


def rows(body: bytes) -> list[str]:
    return sorted(json.dumps(b, sort_keys=True) for b in json.loads(body)["results"]["bindings"])


def job(text: str) -> Job:
    return Job(text, "JSON", None, 1_000_000)


def run(loop: str, coroutine):
    """``coroutine`` on the standard event loop or on uvloop's (what uvicorn uses when it is installed)."""
    if loop == "uvloop":
        uvloop = pytest.importorskip("uvloop")
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            return runner.run(coroutine)
    return asyncio.run(coroutine)


@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])
@pytest.mark.parametrize("text", [COMPLAINANT, LABELS + " LIMIT 1500", LABELS, COUNT_ALL],
                         ids=["one row", "a socket buffer or more", "over what the loop reads", "a scan"])
def test_answers_equal_the_engines_own(memory_store, pool, threads, text, loop):
    expected = answer(memory_store.db, job(text))
    got = run(loop, pool.run_async(job(text), threads))
    assert got.ok and expected.ok
    assert rows(got.body) == rows(expected.body)
    if text == LABELS:  # the case the loop hands to a thread: the answer is larger than it reads itself
        assert len(got.body) > INLINE_ANSWER_BYTES
    if text.endswith("LIMIT 1500"):  # read on the loop, in more than one piece (uvloop made the socket non-blocking)
        assert 64 * 1024 < len(got.body) <= INLINE_ANSWER_BYTES
    if text == COMPLAINANT:
        chn = {"c": {"type": "uri", "value": "https://w3id.org/tradekg/id/economy/CHN"}}  # DS544: China v. US
        assert rows(got.body) == [json.dumps(chn, sort_keys=True)]
    assert pool.killed == pool.cancelled == 0


@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])
def test_the_worker_that_answered_last_answers_next(pool, threads, loop):
    async def twice() -> None:
        await pool.run_async(job(COMPLAINANT), threads)
        first = pool._idle.queue[-1]  # the next one taken
        await pool.run_async(job(COMPLAINANT), threads)
        assert pool._idle.queue[-1] is first
        assert pool._idle.qsize() == pool.size
        # and its socket is blocking again (uvloop's watch made it non-blocking): a thread reading a large
        # answer from it later must wait for the rest, not fail half-way (found by bench/engines.py)
        assert os.get_blocking(first.conn.fileno())

    run(loop, twice())


def test_a_runaway_query_still_times_out(pool, threads):
    with pytest.raises(QueryTimeout):
        asyncio.run(pool.run_async(job(EXPENSIVE), threads, deadline=time.monotonic() + 1.0))
    assert pool.killed == 1


def test_an_abandoned_query_stops_its_worker(pool, threads):
    before = {w.pid for w in pool._all}

    async def abandon() -> None:
        await pool.run_async(job(COMPLAINANT), threads)  # the next worker taken has started and answered
        cancel = threading.Event()
        task = asyncio.create_task(pool.run_async(job(EXPENSIVE), threads, cancel))
        await asyncio.sleep(0)  # the task sends the job and waits for the answer on the loop
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            cancel.set()  # as /sparql does when its request is cancelled
        else:
            pytest.fail("the runaway query answered")

    asyncio.run(abandon())
    assert pool.cancelled == 1
    for _ in range(int(WAIT_S / 0.05)):
        now = {w.pid for w in pool._all}
        if len(now) == pool.size and now != before:
            break
        time.sleep(0.05)
    else:
        pytest.fail(f"the abandoned query's worker was not replaced within {WAIT_S:g} s")
    assert len(before - {w.pid for w in pool._all}) == 1
    for _ in range(int(WAIT_S / 0.05)):  # the replacement joins the idle ones (in the background)
        if pool._idle.qsize() == pool.size:
            break
        time.sleep(0.05)
    # the new worker waits below the others (taken when they are busy): the next query goes to one there before
    assert pool._idle.queue[0].pid not in before and all(w.pid in before for w in pool._idle.queue[1:])
