"""Memory on a real Chroma: on disk in the test's muse home, and a real `chroma run` server."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from memory.store import MemoryStore, collection_name
from memory.subjects import clean_fact, parse_fact
from muse.errors import MuseError
from muse.settings import get_settings


@pytest.fixture(scope="module")
def minilm():
    """MiniLM loaded once for the module (a few seconds); every store shares it."""
    from memory.embeddings import load_minilm

    return load_minilm()


@pytest.fixture
def store(minilm) -> MemoryStore:
    return MemoryStore.from_settings(get_settings())


def texts(records) -> list[str]:
    return sorted(record.text for record in records)


def test_embeddings_are_minilm_unit_vectors_in_cosine_collections(store):
    from memory.embeddings import MiniLMEmbeddingFunction, embed_texts, locate_minilm

    assert locate_minilm().name == "model"
    vectors = embed_texts(["my sister is called Ana", "what's my sister's name"])
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert len(MiniLMEmbeddingFunction()(["hello"])[0]) == 384

    store.remember("u", "I live in Oslo")
    config = store._collection("u", "facts").configuration_json
    assert config["hnsw"]["space"] == "cosine"
    assert config["embedding_function"]["name"] == "muse-minilm-l6-v2"  # never Chroma's downloading default
    store.index_image("u", "img_1", [1.0, 0.0])
    assert store._collection("u", "images").configuration_json["embedding_function"]["type"] == "legacy"


def test_recalls_the_sister_for_a_question_about_her_name(store):
    for fact in ("my sister is called Ana", "my brother lives in Rome", "I like green", "my sister's birthday is in May"):
        store.remember("u", fact)
    hits = store.recall("u", "what's my sister's name")
    assert hits[0].text == "my sister is called Ana"
    assert 0.0 < hits[0].score <= 1.0
    assert [h.score for h in store.recall("u", "what's my sister's name", k=1, min_score=0.99)] == []
    assert store.recall("u", "draw a red star") == []  # nothing relevant is above the threshold


def test_an_in_law_is_recalled_for_a_partners_parent_not_the_partner(store):
    for fact in ("my wife is a veterinarian", "my father-in-law is a retired pilot", "my mother is named Helga",
                 "my native language is Norwegian"):
        store.remember("u", fact)
    assert store.recall("u", "what did my wife's dad do for work?")[0].text == "my father-in-law is a retired pilot"
    assert store.recall("u", "what's my mother tongue?", min_score=0.0)[0].text == "my native language is Norwegian"


@pytest.mark.parametrize("liking", ["I love green", "I really like the colour green"])
def test_a_liked_colour_is_recalled_for_the_favourite_colour(store, liking):
    for fact in (liking, "my sister is called Ana", "I like coffee", "my car is parked on level 3"):
        store.remember("u", fact)
    assert [h.text for h in store.recall("u", "a square in my favourite colour, please", k=1)] == [liking]
    assert store.recall("u", "what's my favourite film?") == []


def test_a_fact_told_again_only_refreshes_its_time(store):
    first = store.remember("u", "I live in Oslo", session_id="s1")
    again = store.remember("u", "By the way, I live in Oslo.", session_id="s2")
    reworded = store.remember("u", "I'm living in Oslo")
    assert not first.duplicate and again.duplicate and reworded.duplicate
    assert again.record.id == first.record.id and again.record.updated >= first.record.updated
    [record] = store.facts("u")
    assert record.text == "I live in Oslo" and record.session_id == "s1" and record.updated > record.created


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("I live in Oslo", "I moved to Bergen"),
        ("my favourite colour is green", "my favorite color is blue now"),
        ("my sister is called Ana", "actually my sister's name is Anna"),
        ("I like coffee", "I don't like coffee anymore"),
    ],
)
def test_a_newer_fact_about_the_same_thing_supersedes_the_older(store, old, new):
    store.remember("u", old)
    result = store.remember("u", new)
    assert [r.text for r in result.superseded] == [old] and not result.duplicate
    assert texts(store.facts("u")) == [new]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("my sister is called Ana", "my brother is called Tom"),
        ("I like green", "I like blue"),
        ("my favourite colour is green", "my sister's favourite colour is red"),
        ("I live in Oslo", "I work in Bergen"),
        ("I speak French", "I speak Spanish"),
    ],
)
def test_facts_about_different_things_both_stay(store, first, second):
    store.remember("u", first)
    assert store.remember("u", second).superseded == []
    assert texts(store.facts("u")) == sorted([first, second])


def test_metadata_records_time_session_and_source(store):
    before = time.time()
    record = store.remember("u", "my dog is called Rex", session_id="s9", source="agent").record
    assert record.session_id == "s9" and record.source == "agent" and record.subject == "dog|name"
    assert before <= record.created <= time.time()
    [hit] = store.recall("u", "what is my dog's name?", k=1)
    assert hit.metadata["session"] == "s9" and hit.metadata["source"] == "agent"


def test_forget_by_query_and_by_id(store):
    oslo = store.remember("u", "I live in Oslo").record
    store.remember("u", "my sister is called Ana")
    green = store.remember("u", "my favourite colour is green").record
    assert store.forget("u", query="where do I live") == ["I live in Oslo"]
    assert store.forget("u", query="the capital of Peru") == []
    assert store.forget("u", ids=[green.id, oslo.id]) == ["my favourite colour is green"]  # oslo is already gone
    assert texts(store.facts("u")) == ["my sister is called Ana"]
    with pytest.raises(MuseError):
        store.forget("u")


def test_users_never_see_each_others_data(store):
    store.remember("alice", "my sister is called Ana")
    store.index_image("alice", "img_alice", [1.0, 0.0, 0.0], {"prompt": "a red star"})
    store.add_summary("alice", "s1", "Alice asked for a red star and talked about her sister Ana")

    assert store.recall("bob", "what's my sister's name", min_score=0.0) == []
    assert store.facts("bob") == []
    assert store.search_images("bob", [1.0, 0.0, 0.0], k=5) == []
    assert store.recall_summaries("bob", "red star", min_score=0.0) == []
    assert store.forget("bob", query="my sister is called Ana") == []
    assert store.delete_image("bob", "img_alice") is False
    store.clear("bob")

    assert texts(store.facts("alice")) == ["my sister is called Ana"]
    assert [h.image_id for h in store.search_images("alice", [1.0, 0.0, 0.0], k=5)] == ["img_alice"]
    names = {c.name for c in store.client.list_collections()}
    assert names == {collection_name("alice", kind) for kind in ("facts", "images", "summaries")}
    assert not any("alice" in name for name in names)


@pytest.mark.parametrize("user_id", ["local", "x", "../../etc", "ünïcødé user", "a" * 2000, "127.0.0.1"])
def test_collection_names_follow_chromas_rules_for_any_user_id(user_id):
    name = collection_name(user_id, "summaries")
    assert re.fullmatch(r"[a-zA-Z0-9][a-zA-Z0-9._-]{1,510}[a-zA-Z0-9]", name) and ".." not in name
    assert collection_name(user_id + "!", "summaries") != name


def test_an_empty_user_id_is_refused(store):
    with pytest.raises(MuseError):
        store.remember("", "I live in Oslo")


def test_memories_persist_across_stores_and_processes(store, muse_home):
    store.remember("u", "my sister is called Ana", session_id="s1")
    store.remember("u", "I live in Oslo")

    reopened = MemoryStore.from_settings(get_settings())
    assert reopened.recall("u", "what's my sister's name", k=1)[0].text == "my sister is called Ana"
    script = (
        "from muse.settings import get_settings\n"
        "from memory.store import MemoryStore\n"
        "print('|'.join(r.text for r in MemoryStore.from_settings(get_settings()).facts('u')))\n"
    )
    output = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    assert output.stdout.strip() == "my sister is called Ana|I live in Oslo"
    assert (muse_home / "memory" / "chroma.sqlite3").is_file()


def test_images_are_indexed_searched_and_deleted(store):
    store.index_image("u", "img_red", [1.0, 0.0, 0.0], {"prompt": "a red star", "tags": ["star"], "none": None})
    store.index_image("u", "img_blue", [0.0, 1.0, 0.0], {"prompt": "a blue circle"})
    hits = store.search_images("u", [0.9, 0.1, 0.0], k=5)
    assert [h.image_id for h in hits] == ["img_red", "img_blue"]
    assert hits[0].score > 0.95 and hits[0].metadata["prompt"] == "a red star" and hits[0].metadata["tags"] == '["star"]'
    store.index_image("u", "img_red", [0.0, 0.0, 1.0], {"prompt": "re-indexed"})
    assert store.search_images("u", [0.0, 0.0, 1.0], k=1)[0].metadata["prompt"] == "re-indexed"
    assert store.delete_image("u", "img_red") is True
    assert [h.image_id for h in store.search_images("u", [0.0, 0.0, 1.0], k=5)] == ["img_blue"]
    with pytest.raises(MuseError):
        store.search_images("u", [1.0, 0.0], k=1)  # another dimension than the collection's


def test_summaries_replace_per_session_and_are_recalled(store):
    store.add_summary("u", "s1", "The user asked for a drawing of a red star")
    store.add_summary("u", "s1", "The user asked for a red star, then a caption of it")
    store.add_summary("u", "s2", "We planned a trip to Lisbon in June")
    [hit] = store.recall_summaries("u", "which trip did we plan?", k=1)
    assert hit.session_id == "s2" and "Lisbon" in hit.text
    assert len(store._collection("u", "summaries").get()["ids"]) == 2


def test_clear_removes_everything_of_the_user(store):
    store.remember("u", "I live in Oslo")
    store.index_image("u", "img_1", [1.0, 0.0])
    store.clear("u")
    assert store.facts("u") == [] and store.search_images("u", [1.0, 0.0], k=1) == []
    store.remember("u", "I live in Bergen")  # the collections come back on first use
    assert texts(store.facts("u")) == ["I live in Bergen"]


def test_subject_patterns():
    assert parse_fact("I moved to Bergen").key == parse_fact("I live in Oslo").key == "i|home"
    assert parse_fact("Ana is my sister").key == parse_fact("my sister's name is Anna").key == "sister|name"
    assert parse_fact("my mum moved to Gdansk").key == parse_fact("my mother lives in Krakow").key
    assert parse_fact("my all-time favorite color is blue").key == "i|favourite colour"
    assert parse_fact("my sister is a nurse").key != parse_fact("my sister is called Ana").key
    assert parse_fact("I live in a flat").key != parse_fact("I live in Oslo").key
    assert parse_fact("stars are my favourite shape").key == parse_fact("I like circles best").key == "i|favourite shape"
    assert parse_fact("I love green").key != parse_fact("I like blue").key  # liking both is no change of mind
    assert parse_fact("I speak French") is None
    assert parse_fact("my husband's sister lives in Rome").key == parse_fact("my sister-in-law lives in Oslo").key
    assert clean_fact("By the way, please remember that I live in Oslo.") == "I live in Oslo"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path):
    """A real Chroma server from the venv's `chroma` executable, on a free local port."""
    import httpx

    executable = Path(sys.executable).with_name("chroma")
    if not executable.exists():
        executable = Path(shutil.which("chroma") or "")
    if not executable.is_file():
        pytest.skip("the `chroma` executable of the chromadb package is not installed next to this Python")
    port = _free_port()
    log = (tmp_path / "chroma.log").open("w")
    server = subprocess.Popen(
        [str(executable), "run", "--path", str(tmp_path / "chroma-data"), "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://localhost:{port}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"chroma run did not start: {(tmp_path / 'chroma.log').read_text()[-2000:]}")
            time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def test_memory_on_a_real_chroma_server(chroma_server, minilm, monkeypatch):
    monkeypatch.setenv("MUSE_MEMORY__CHROMA_HOST", "localhost")
    monkeypatch.setenv("MUSE_MEMORY__CHROMA_PORT", str(chroma_server))
    get_settings.cache_clear()
    store = MemoryStore.from_settings(get_settings())
    assert type(store.client).__name__ != "PersistentClient" and not (get_settings().home / "memory").exists()

    store.remember("alice", "I live in Oslo", session_id="s1")
    assert [r.text for r in store.remember("alice", "I moved to Bergen").superseded] == ["I live in Oslo"]
    store.remember("alice", "my sister is called Ana")
    assert store.recall("alice", "what's my sister's name", k=1)[0].text == "my sister is called Ana"
    assert store.recall("bob", "what's my sister's name", min_score=0.0) == []
    store.index_image("alice", "img_1", [1.0, 0.0, 0.0], {"prompt": "a red star"})
    assert store.search_images("alice", [1.0, 0.0, 0.0], k=1)[0].image_id == "img_1"

    reconnected = MemoryStore.from_settings(get_settings())
    assert texts(reconnected.facts("alice")) == ["I moved to Bergen", "my sister is called Ana"]


def test_an_unreachable_chroma_server_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("MUSE_MEMORY__CHROMA_HOST", "localhost")
    monkeypatch.setenv("MUSE_MEMORY__CHROMA_PORT", str(_free_port()))
    get_settings.cache_clear()
    with pytest.raises(MuseError, match="chroma run"):
        MemoryStore.from_settings(get_settings())


def test_bench_memory_command_is_registered():
    from muse.cli import _register_commands, bench_app

    _register_commands()
    assert "memory" in {command.name for command in bench_app.registered_commands}


def test_benchmark_pieces_on_a_few_items(store):
    """The benchmark's measures and report, on 6 facts and 4 pairs (the full run is `muse bench memory`)."""
    from memory import benchmark
    from memory.benchmark_data import recall_items, supersession_pairs

    items = recall_items()[:6]
    pairs = supersession_pairs()
    figures = {"seed": 0, "machine": "test", "backend": "chroma on disk", "min_score": 0.4, "load_average": 0.0,
               "cosine_only_recall_at_1": benchmark._cosine_only_recall(items)}
    figures.update(benchmark._recall(store, "bench", items, 0.4))
    figures["duplicates"] = benchmark._duplicates(store, "bench", items)
    figures["forget"] = benchmark._forget(store, "bench", items)
    figures["held_out_recall"] = benchmark._held_out_recall(store, "bench", recall_items()[6:8])
    figures["supersession"] = benchmark._supersession(store, "pairs", pairs[:2] + pairs[-2:])
    figures["held_out_supersession"] = figures["supersession"]
    assert figures["recall"]["facts"] == 6 and figures["duplicates"]["stored"] == 6
    assert figures["supersession"]["right"] == 1.0 and figures["forget"]["by_fact"]["exact"] == 1.0
    report = benchmark.render_memory_report(figures)
    assert report.startswith("## Memory (`muse bench memory`)") and "| recall@1, 6 facts" in report
