"""muse's open_clip text tower as a transformers `CLIPTextModel` and `CLIPTokenizer`.

The diffusion pipeline cross-attends to the hidden states of a text encoder. The project's CLIP was
trained to tell every attribute of a caption apart (colour, shape, size, position, background), so its
text tower, frozen, gives the UNet a condition it can read from the first step. Converted to the
transformers classes a Stable Diffusion pipeline uses, it is saved and loaded in diffusers' format like
any other component. open_clip's text tower and transformers' CLIP text model are the same network:
only the parameter names differ, and open_clip packs the attention's q/k/v projections in one matrix.
"""

from __future__ import annotations

import gzip

import torch
from open_clip.tokenizer import bytes_to_unicode, default_bpe
from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

def clip_tokenizer(context_length: int) -> CLIPTokenizer:
    """CLIP's byte-level BPE (the vocabulary open_clip ships) with open_clip's token ids. It pads with the
    end-of-text token, as Stable Diffusion's tokenizer does, where open_clip pads with id 0: the tokens up
    to the end of the text, and so the tower's pooled embedding, are the same."""
    lines = gzip.open(default_bpe()).read().decode("utf-8").split("\n")[1 : 49152 - 256 - 2 + 1]
    pairs = [tuple(line.split()) for line in lines]
    return CLIPTokenizer(vocab=_vocabulary(pairs), merges=pairs, model_max_length=context_length)


def _vocabulary(pairs: list[tuple[str, ...]]) -> dict[str, int]:
    """Token → id exactly as open_clip's SimpleTokenizer numbers them."""
    tokens = list(bytes_to_unicode().values())
    tokens += [token + "</w>" for token in tokens] + ["".join(pair) for pair in pairs]
    tokens += ["<|startoftext|>", "<|endoftext|>"]
    return {token: index for index, token in enumerate(tokens)}


def clip_text_model(clip: torch.nn.Module) -> CLIPTextModel:
    """An open_clip `CLIP` model's text tower, weights copied into a `CLIPTextModel`."""
    blocks = clip.transformer.resblocks
    width = clip.token_embedding.weight.shape[1]
    config = CLIPTextConfig(
        vocab_size=clip.token_embedding.weight.shape[0],
        hidden_size=width,
        intermediate_size=blocks[0].mlp.c_fc.out_features,
        num_hidden_layers=len(blocks),
        num_attention_heads=blocks[0].attn.num_heads,
        max_position_embeddings=clip.positional_embedding.shape[0],
        hidden_act="gelu",
        layer_norm_eps=clip.ln_final.eps,
        pad_token_id=49407,
        bos_token_id=49406,
        eos_token_id=49407,
    )
    model = CLIPTextModel(config)
    missing, unexpected = model.load_state_dict(_renamed(clip), strict=False)
    if [key for key in missing if not key.endswith("position_ids")] or unexpected:
        raise ValueError(f"open_clip text tower does not map onto CLIPTextModel: missing {missing}, unexpected {unexpected}")
    return model.eval()


def _renamed(clip: torch.nn.Module) -> dict[str, torch.Tensor]:
    """open_clip's text parameters under transformers' names."""
    state = {
        "embeddings.token_embedding.weight": clip.token_embedding.weight,
        "embeddings.position_embedding.weight": clip.positional_embedding,
        "final_layer_norm.weight": clip.ln_final.weight,
        "final_layer_norm.bias": clip.ln_final.bias,
    }
    for index, block in enumerate(clip.transformer.resblocks):
        layer = f"encoder.layers.{index}"
        for name, weight, bias in zip(("q_proj", "k_proj", "v_proj"), block.attn.in_proj_weight.chunk(3), block.attn.in_proj_bias.chunk(3)):
            state[f"{layer}.self_attn.{name}.weight"], state[f"{layer}.self_attn.{name}.bias"] = weight, bias
        for source, target in ((block.attn.out_proj, "self_attn.out_proj"), (block.ln_1, "layer_norm1"),
                               (block.ln_2, "layer_norm2"), (block.mlp.c_fc, "mlp.fc1"), (block.mlp.c_proj, "mlp.fc2")):
            state[f"{layer}.{target}.weight"], state[f"{layer}.{target}.bias"] = source.weight, source.bias
    return {key: value.detach().clone() for key, value in state.items()}
