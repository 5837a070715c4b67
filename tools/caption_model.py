"""Build muse's small captioner: a ViT encoder and a GPT-2 decoder with cross-attention, as a
transformers VisionEncoderDecoderModel, with a word-level tokenizer over the caption vocabulary.

A word-level vocabulary of ~60 words (instead of GPT-2's 50,257 BPE tokens) keeps the decoder's
embedding and output layer tiny; the words come from the caption grammar, so every caption the
data can produce is spelled exactly.
"""

from __future__ import annotations

from tools.data.captions import DIGIT_TEMPLATES, SHAPE_TEMPLATES
from tools.data.vocabulary import ATTRIBUTES, DIGIT_WORDS, POSITION_PHRASES

PAD, BOS, EOS, UNK = "[PAD]", "[BOS]", "[EOS]", "[UNK]"


def caption_words() -> list[str]:
    """Every word the caption grammar can produce, in a stable order."""
    text = " ".join([*SHAPE_TEMPLATES, *DIGIT_TEMPLATES, *POSITION_PHRASES.values(), *DIGIT_WORDS, "an"])
    text += " " + " ".join(word for values in ATTRIBUTES.values() for word in values)
    words = text.replace(",", " , ").replace("{", " {").replace("}", "} ").split()
    return sorted({w for w in words if not w.startswith("{")} | {","})


def build_tokenizer():
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {token: i for i, token in enumerate([PAD, BOS, EOS, UNK, *caption_words()])}
    core = Tokenizer(models.WordLevel(vocab=vocab, unk_token=UNK))
    core.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    core.decoder = decoders.WordPiece(prefix="##")  # joins words with spaces
    return PreTrainedTokenizerFast(
        tokenizer_object=core, pad_token=PAD, bos_token=BOS, eos_token=EOS, unk_token=UNK, model_max_length=32
    )


def build_captioner(tokenizer, resolution: int = 64, width: int = 128, layers: int = 3):
    """A randomly initialised VisionEncoderDecoderModel sized for 64x64 ShapesWorld scenes."""
    from transformers import GPT2Config, ViTConfig, VisionEncoderDecoderConfig, VisionEncoderDecoderModel

    encoder = ViTConfig(
        image_size=resolution, patch_size=8, hidden_size=width, num_hidden_layers=layers,
        num_attention_heads=4, intermediate_size=width * 2,
    )
    decoder = GPT2Config(
        vocab_size=len(tokenizer), n_positions=tokenizer.model_max_length, n_embd=width, n_layer=2, n_head=4,
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
        add_cross_attention=True, is_decoder=True,
    )
    config = VisionEncoderDecoderConfig.from_encoder_decoder_configs(encoder, decoder)
    config.decoder_start_token_id = tokenizer.bos_token_id
    config.pad_token_id = tokenizer.pad_token_id
    config.eos_token_id = tokenizer.eos_token_id
    model = VisionEncoderDecoderModel(config=config)
    model.generation_config.decoder_start_token_id = tokenizer.bos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    return model


def build_image_processor(resolution: int = 64):
    from transformers import ViTImageProcessor

    return ViTImageProcessor(
        size={"height": resolution, "width": resolution}, image_mean=[0.5] * 3, image_std=[0.5] * 3, resample=3
    )
