"""Real checkpoints load by configuration through the same code as muse's own models.

Nothing can be downloaded here, so each test builds a tiny randomly initialised model of the
real class (open_clip CLIP, BLIP, ViT-GPT2 VisionEncoderDecoder), saves it in that library's
format, points the settings at it and runs the muse functions on it.
"""

from __future__ import annotations

import json

import pytest
from PIL import Image

from muse.errors import MuseError
from muse.settings import get_settings

pytestmark = pytest.mark.slow

IMAGE = Image.new("RGB", (50, 70), (200, 30, 30))


def _use(monkeypatch, **values: str) -> None:
    for key, value in values.items():
        monkeypatch.setenv(f"MUSE_VISION__{key.upper()}", value)
    get_settings.cache_clear()


def test_open_clip_checkpoint_by_name_and_weights_file(tmp_path, monkeypatch):
    """A ViT-B-32-class config (same open_clip CLIP class, tiny sizes) with a local safetensors file."""
    import open_clip
    from safetensors.torch import save_file

    from tools.clip import embed_images, embed_texts, zero_shot_classify

    config = {"embed_dim": 16, "vision_cfg": {"image_size": 32, "layers": 1, "width": 32, "head_width": 16, "patch_size": 16},
              "text_cfg": {"context_length": 16, "vocab_size": 49408, "width": 16, "heads": 2, "layers": 1}}
    (tmp_path / "tiny-ViT-B-32.json").write_text(json.dumps(config))
    open_clip.add_model_config(tmp_path / "tiny-ViT-B-32.json")
    model = open_clip.create_model("tiny-ViT-B-32")
    save_file(model.state_dict(), str(tmp_path / "open_clip_model.safetensors"))
    _use(monkeypatch, clip_model="tiny-ViT-B-32", clip_pretrained=str(tmp_path / "open_clip_model.safetensors"))

    assert embed_texts(["a red circle"]).shape == (1, 16)
    assert embed_images([IMAGE, IMAGE.convert("L")]).shape == (2, 16)
    label, confidence = zero_shot_classify([IMAGE], ["red", "blue"], "a {} shape")[0]
    assert label in ("red", "blue") and 0.5 <= confidence <= 1.0
    _use(monkeypatch, clip_model="no-such-model")
    with pytest.raises(MuseError, match="unknown open_clip model"):
        embed_texts(["x"])


def _byte_level_tokenizer(cls):
    from tokenizers import ByteLevelBPETokenizer

    core = ByteLevelBPETokenizer()
    core.train_from_iterator(["a photo of a red circle", "a blue square on white"], vocab_size=300,
                             special_tokens=["<|endoftext|>"], show_progress=False)
    return cls(tokenizer_object=core._tokenizer, bos_token="<|endoftext|>", eos_token="<|endoftext|>",
               unk_token="<|endoftext|>", pad_token="<|endoftext|>")


def test_vit_gpt2_captioning_directory(tmp_path, monkeypatch):
    """A ViT-GPT2 layout: ViT encoder, GPT-2 decoder, GPT-2 byte-level BPE tokenizer, ViT image processor."""
    from transformers import GPT2Config, GPT2TokenizerFast, ViTConfig, ViTImageProcessor
    from transformers import VisionEncoderDecoderConfig, VisionEncoderDecoderModel

    from tools.ask import ask
    from tools.caption import caption

    tokenizer = _byte_level_tokenizer(GPT2TokenizerFast)
    encoder = ViTConfig(image_size=32, patch_size=16, hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64)
    decoder = GPT2Config(vocab_size=len(tokenizer), n_positions=32, n_embd=32, n_layer=1, n_head=2,
                         bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                         add_cross_attention=True, is_decoder=True)
    model = VisionEncoderDecoderModel(config=VisionEncoderDecoderConfig.from_encoder_decoder_configs(encoder, decoder))
    model.generation_config.decoder_start_token_id = tokenizer.bos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.save_pretrained(tmp_path)
    tokenizer.save_pretrained(tmp_path)
    ViTImageProcessor(size={"height": 32, "width": 32}).save_pretrained(tmp_path)
    _use(monkeypatch, captioner=str(tmp_path), max_new_tokens="5")

    captions = caption([IMAGE, IMAGE.convert("RGBA")])
    assert len(captions) == 2 and all(isinstance(c, str) for c in captions)
    assert ask(IMAGE, "what colour is the shape?", backend="captioner").evidence == captions[0]  # same model, same greedy words


def test_blip_captioning_directory(tmp_path, monkeypatch):
    """A BLIP layout: BlipForConditionalGeneration, BERT tokenizer, BLIP image processor."""
    from transformers import BertTokenizerFast, BlipConfig, BlipForConditionalGeneration, BlipImageProcessor

    from tools.caption import caption

    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "[DEC]", "a", "red", "circle", "on", "white"]
    (tmp_path / "vocab.txt").write_text("\n".join(words) + "\n")
    tokenizer = BertTokenizerFast(str(tmp_path / "vocab.txt"), bos_token="[DEC]")
    config = BlipConfig(
        vision_config={"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 1, "num_attention_heads": 2,
                       "image_size": 32, "patch_size": 16},
        text_config={"vocab_size": len(words), "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 1,
                     "num_attention_heads": 2, "encoder_hidden_size": 32, "bos_token_id": 5, "sep_token_id": 3,
                     "pad_token_id": 0, "eos_token_id": 3, "max_position_embeddings": 32},
    )
    BlipForConditionalGeneration(config).save_pretrained(tmp_path)
    tokenizer.save_pretrained(tmp_path)
    BlipImageProcessor(size={"height": 32, "width": 32}).save_pretrained(tmp_path)
    _use(monkeypatch, captioner=str(tmp_path), max_new_tokens="4")

    (text,) = caption([IMAGE])
    assert set(text.split()) <= set(words[5:])  # decoded from the vocabulary, specials dropped


def test_missing_models_say_how_to_train(tmp_path, monkeypatch):
    from tools.caption import caption
    from tools.judge import classify

    _use(monkeypatch, captioner=str(tmp_path / "none"), judge=str(tmp_path / "none"))
    with pytest.raises(MuseError, match="muse train captioner"):
        caption([IMAGE])
    with pytest.raises(MuseError, match="muse train judge"):
        classify([IMAGE])
