"""What muse remembers about each user: facts, indexed images and conversation summaries, in Chroma.

    store = MemoryStore.from_settings(get_settings())
    store.remember("local", "I live in Oslo")
    store.remember("local", "I moved to Bergen")        # supersedes "I live in Oslo"
    store.recall("local", "where do I live?")           # [MemoryHit(text="I moved to Bergen", score=0.6, ...)]

Every user has three collections of their own, named from a hash of the user id, so one user's
queries never reach another's data. Facts are embedded with MiniLM (`memory.embeddings`) together
with a description of what they are about (`memory.subjects`); images carry the CLIP vectors their
caller computed. Scores are cosine similarities in [0, 1].
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from muse.errors import MuseError

Kind = Literal["facts", "images", "summaries"]
KINDS: tuple[Kind, ...] = ("facts", "images", "summaries")
CANDIDATES = 20  # facts fetched by cosine similarity before reranking


@dataclass(frozen=True)
class MemoryRecord:
    """One stored fact."""

    id: str
    text: str
    created: float  # epoch seconds the fact was first told
    updated: float  # ... or last told again (a duplicate refreshes it)
    session_id: str | None
    source: str  # "user", "agent", ...
    subject: str | None  # what the fact is about ("i|home"), None when no pattern read it


@dataclass(frozen=True)
class RememberResult:
    record: MemoryRecord  # the fact as stored (the older record when this was a duplicate)
    duplicate: bool = False  # the fact was already known: only its time was refreshed
    superseded: list[MemoryRecord] = field(default_factory=list)  # older facts about the same thing, now deleted


@dataclass(frozen=True)
class MemoryHit:
    id: str
    text: str
    score: float  # cosine similarity to the query, in [0, 1]
    metadata: dict[str, Any]


@dataclass(frozen=True)
class ImageHit:
    image_id: str
    score: float  # cosine similarity of the CLIP embeddings, in [0, 1]
    metadata: dict[str, Any]


@dataclass(frozen=True)
class SummaryHit:
    session_id: str
    text: str
    score: float
    created: float


def collection_name(user_id: str, kind: Kind) -> str:
    """`muse-<32 hex digits>-<kind>`: valid under Chroma's rules for any user id, and reveals none."""
    if not user_id:
        raise MuseError("a user id is required")
    digest = hashlib.sha256(user_id.encode("utf-8")).hexdigest()[:32]
    return f"muse-{digest}-{kind}"


class MemoryStore:
    """Per-user memory over one Chroma client (`PersistentClient` or `HttpClient`)."""

    def __init__(self, client: Any, settings: Any) -> None:
        from memory.embeddings import MiniLMEmbeddingFunction

        self.client = client
        self.settings = settings  # a MemorySettings
        self._embedding_function = MiniLMEmbeddingFunction()
        self._collections: dict[tuple[str, Kind], Any] = {}

    @classmethod
    def from_settings(cls, settings: Any) -> MemoryStore:
        """On disk under `settings.home / "memory"`, or on the Chroma server `settings.memory.chroma_host`."""
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        memory = settings.memory
        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        if memory.chroma_host:
            try:
                client = chromadb.HttpClient(
                    host=memory.chroma_host, port=memory.chroma_port, ssl=memory.chroma_ssl, settings=chroma_settings
                )
            except Exception as error:  # chromadb raises ValueError or httpx errors when the server is down
                raise MuseError(
                    f"cannot reach the Chroma server at {memory.chroma_host}:{memory.chroma_port} ({error}); "
                    "start one with: chroma run --path DIR --port PORT"
                ) from None
        else:
            path = settings.home / "memory"
            path.mkdir(parents=True, exist_ok=True)
            client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        return cls(client, memory)

    # facts

    def remember(
        self, user_id: str, fact: str, *, session_id: str | None = None, source: str = "user"
    ) -> RememberResult:
        """Store a fact; a near-identical one only refreshes its time, and one about the same thing replaces the older."""
        from memory.embeddings import embed_texts
        from memory.subjects import clean_fact, indexed_text, parse_fact

        fact = clean_fact(fact)
        if not fact:
            raise MuseError("the fact to remember is empty")
        subject = parse_fact(fact)
        embedding = embed_texts([indexed_text(fact, subject)])[0]
        facts = self._collection(user_id, "facts")
        now = time.time()

        same_subject = _records(facts.get(where={"subject": subject.key}, include=["documents", "metadatas"])) if subject else []
        repeated = [r for r in same_subject if r.metadata.get("value") == subject.value]
        changed = [r for r in same_subject if r.metadata.get("value") != subject.value]
        if not repeated and facts.count():
            nearest = _hits(facts.query(query_embeddings=[embedding], n_results=1, include=["documents", "metadatas", "distances"]))
            changed_ids = {r.id for r in changed}
            repeated = [h for h in nearest if h.score >= self.settings.duplicate_score and h.id not in changed_ids]
        if repeated:
            old = repeated[0]
            facts.update(ids=[old.id], metadatas=[{**old.metadata, "updated": now}])
            return RememberResult(_record(old.id, old.text, {**old.metadata, "updated": now}), duplicate=True)

        metadata: dict[str, Any] = {"created": now, "updated": now, "source": source, "subject": "", "value": ""}
        if session_id:
            metadata["session"] = session_id
        if subject:
            metadata.update(subject=subject.key, value=subject.value)
        record_id = f"fact_{uuid.uuid4().hex[:16]}"
        facts.add(ids=[record_id], embeddings=[embedding], documents=[fact], metadatas=[metadata])
        if changed:
            facts.delete(ids=[r.id for r in changed])
        return RememberResult(
            _record(record_id, fact, metadata), superseded=[_record(r.id, r.text, r.metadata) for r in changed]
        )

    def recall(self, user_id: str, query: str, k: int = 3, min_score: float | None = None) -> list[MemoryHit]:
        """The user's `k` facts most relevant to the query, each at least `min_score` similar (default: the settings')."""
        threshold = self.settings.min_score if min_score is None else min_score
        return [hit for _, hit in self._ranked(user_id, query, threshold, k)[: max(k, 0)]]

    def forget(self, user_id: str, query: str | None = None, ids: Sequence[str] | None = None) -> list[str]:
        """Delete facts by id, or the best match of a query (and those ranked within `forget_margin` of it).

        Returns the texts deleted. A query forgets only matches at least `forget_min_score` similar.
        """
        if query is None and not ids:
            raise MuseError("say what to forget: a query or fact ids")
        facts = self._collection(user_id, "facts")
        doomed: dict[str, str] = {}
        if ids:
            for record in _records(facts.get(ids=list(ids), include=["documents", "metadatas"])):
                doomed[record.id] = record.text
        if query is not None:
            ranked = self._ranked(user_id, query, self.settings.forget_min_score)
            if ranked:
                best = ranked[0][0]
                doomed.update({h.id: h.text for r, h in ranked if r >= best - self.settings.forget_margin})
        if doomed:
            facts.delete(ids=list(doomed))
        return list(doomed.values())

    def _ranked(self, user_id: str, query: str, min_score: float, k: int = 1) -> list[tuple[float, MemoryHit]]:
        """(relevance, hit) of the facts at least `min_score` similar to the query, most relevant first.

        Chroma finds the nearest facts by cosine; `memory.relevance` reorders them by who the query
        and each fact are about. The threshold applies to the cosine similarity, the order to relevance.
        """
        from memory.embeddings import embed_texts
        from memory.relevance import QueryFeatures

        facts = self._collection(user_id, "facts")
        count = facts.count()
        if not query.strip() or count == 0:
            return []
        candidates = _hits(
            facts.query(
                query_embeddings=[embed_texts([query])[0]],
                n_results=min(count, max(CANDIDATES, k)),
                include=["documents", "metadatas", "distances"],
            )
        )
        features = QueryFeatures(query)
        ranked = [
            (hit.score + features.adjustment(hit.text, hit.metadata.get("subject", "").partition("|")[2]), hit)
            for hit in candidates
            if hit.score >= min_score
        ]
        return sorted(ranked, key=lambda pair: pair[0], reverse=True)

    def facts(self, user_id: str) -> list[MemoryRecord]:
        """All the user's facts, oldest first."""
        records = _records(self._collection(user_id, "facts").get(include=["documents", "metadatas"]))
        return sorted((_record(r.id, r.text, r.metadata) for r in records), key=lambda r: r.created)

    def clear(self, user_id: str) -> None:
        """Delete everything stored for the user: facts, images and summaries."""
        from chromadb.errors import NotFoundError

        for kind in KINDS:
            self._collections.pop((user_id, kind), None)
            try:
                self.client.delete_collection(collection_name(user_id, kind))
            except (NotFoundError, ValueError):  # never created: nothing to delete
                pass

    # images

    def index_image(
        self, user_id: str, image_id: str, embedding: Sequence[float], metadata: Mapping[str, Any] | None = None
    ) -> None:
        """Index an image by its CLIP embedding (computed by the caller); indexing it again replaces the entry."""
        clean = {key: _scalar(value) for key, value in (metadata or {}).items() if value is not None}
        clean["indexed"] = time.time()
        try:
            self._collection(user_id, "images").upsert(
                ids=[image_id], embeddings=[[float(x) for x in embedding]], metadatas=[clean]
            )
        except Exception as error:
            raise MuseError(f"cannot index image {image_id}: {error}") from None

    def search_images(self, user_id: str, embedding: Sequence[float], k: int = 4) -> list[ImageHit]:
        """The user's `k` images nearest the CLIP embedding (of a text or an image), best first."""
        images = self._collection(user_id, "images")
        count = images.count()
        if k <= 0 or count == 0:
            return []
        try:
            result = images.query(
                query_embeddings=[[float(x) for x in embedding]], n_results=min(k, count), include=["metadatas", "distances"]
            )
        except Exception as error:
            raise MuseError(f"cannot search images: {error}") from None
        return [
            ImageHit(image_id, _similarity(distance), dict(metadata or {}))
            for image_id, distance, metadata in zip(result["ids"][0], result["distances"][0], result["metadatas"][0])
        ]

    def delete_image(self, user_id: str, image_id: str) -> bool:
        """Remove an image from the index; False when it was not there."""
        images = self._collection(user_id, "images")
        if not images.get(ids=[image_id], include=[])["ids"]:
            return False
        images.delete(ids=[image_id])
        return True

    # conversation summaries

    def add_summary(self, user_id: str, session_id: str, text: str) -> str:
        """Store the summary of a session, replacing an earlier summary of the same session; returns its id."""
        from memory.embeddings import embed_texts

        text = " ".join(text.split())
        if not text:
            raise MuseError("the summary is empty")
        summary_id = f"summary_{hashlib.sha256(session_id.encode('utf-8')).hexdigest()[:16]}"
        self._collection(user_id, "summaries").upsert(
            ids=[summary_id],
            embeddings=[embed_texts([text])[0]],
            documents=[text],
            metadatas=[{"session": session_id, "created": time.time()}],
        )
        return summary_id

    def recall_summaries(self, user_id: str, query: str, k: int = 3, min_score: float | None = None) -> list[SummaryHit]:
        from memory.embeddings import embed_texts

        threshold = self.settings.min_score if min_score is None else min_score
        summaries = self._collection(user_id, "summaries")
        count = summaries.count()
        if not query.strip() or k <= 0 or count == 0:
            return []
        hits = _hits(
            summaries.query(
                query_embeddings=[embed_texts([query])[0]],
                n_results=min(k, count),
                include=["documents", "metadatas", "distances"],
            )
        )
        return [
            SummaryHit(str(h.metadata.get("session", "")), h.text, h.score, float(h.metadata.get("created", 0.0)))
            for h in hits
            if h.score >= threshold
        ]

    def _collection(self, user_id: str, kind: Kind) -> Any:
        key = (user_id, kind)
        if key not in self._collections:
            self._collections[key] = self.client.get_or_create_collection(
                collection_name(user_id, kind),
                # Images carry CLIP vectors from the caller: no embedding function, so Chroma never embeds them.
                embedding_function=None if kind == "images" else self._embedding_function,
                configuration={"hnsw": {"space": "cosine"}},
            )
        return self._collections[key]


def _similarity(distance: float) -> float:
    """Chroma's cosine distance (1 - cos) as a similarity clipped to [0, 1]."""
    return min(1.0, max(0.0, 1.0 - float(distance)))


def _hits(result: Mapping[str, Any]) -> list[MemoryHit]:
    """The first query's rows of a Chroma `query` result."""
    return [
        MemoryHit(id_, text or "", _similarity(distance), dict(metadata or {}))
        for id_, text, distance, metadata in zip(
            result["ids"][0], result["documents"][0], result["distances"][0], result["metadatas"][0]
        )
    ]


def _records(result: Mapping[str, Any]) -> list[MemoryHit]:
    """The rows of a Chroma `get` result, as hits without a score."""
    return [
        MemoryHit(id_, text or "", 1.0, dict(metadata or {}))
        for id_, text, metadata in zip(result["ids"], result["documents"], result["metadatas"])
    ]


def _record(record_id: str, text: str, metadata: Mapping[str, Any]) -> MemoryRecord:
    return MemoryRecord(
        id=record_id,
        text=text,
        created=float(metadata.get("created", 0.0)),
        updated=float(metadata.get("updated", metadata.get("created", 0.0))),
        session_id=metadata.get("session") or None,
        source=str(metadata.get("source", "user")),
        subject=metadata.get("subject") or None,
    )


def _scalar(value: Any) -> str | int | float | bool:
    """Chroma metadata holds scalars: anything else is stored as JSON."""
    if isinstance(value, (str, int, float, bool)):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)
