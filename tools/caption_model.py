"""Build muse's small captioner: a Swin encoder and a GPT-2 decoder with cross-attention, as a
transformers VisionEncoderDecoderModel (the layout of Donut), with a word-level tokenizer over the
caption vocabulary.

Swin rather than ViT: its shifted local windows over 4x4-pixel patches give the encoder a
convolution's locality; a ViT of the same size trained from scratch on these scenes learnt colour
and size but stayed near chance on shape and position.

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


def build_captioner(tokenizer, resolution: int = 64, width: int = 128):
    """A randomly initialised VisionEncoderDecoderModel sized for 64x64 ShapesWorld scenes.

    The Swin stages halve the grid and double the width: 16x16 tokens of width/4, then 8x8, then
    4x4 of `width`, which the decoder cross-attends to.
    """
    from transformers import GPT2Config, SwinConfig, VisionEncoderDecoderConfig, VisionEncoderDecoderModel

    encoder = SwinConfig(
        image_size=resolution, patch_size=4, embed_dim=width // 4, depths=[2, 2, 2], num_heads=[2, 4, 8],
        window_size=4, mlp_ratio=2.0, drop_path_rate=0.0,
        use_absolute_embeddings=True,  # windows only know relative offsets; a caption names the absolute position
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
