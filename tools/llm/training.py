"""`muse train planner`: LoRA fine-tuning of the base LLM for function calling.

The loss covers only the assistant's reply. Text answers in the data (requests no tool fits) are the
base model's own greedy answers, so the adapter learns when not to call a tool without unlearning how
the base model talks.
"""

from __future__ import annotations

import json
import math
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from muse.errors import MuseError
from tools.llm.dataset import DatasetBuilder, Example
from tools.llm.loading import LoadedLM, load_lm
from tools.llm.prompt import chat_messages, render_system

TRAINING_STATE = "training_state.pt"  # removed once a run has finished
LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


@dataclass
class TrainConfig:
    steps: int = 240
    batch_size: int = 4
    learning_rate: float = 4e-4
    warmup_steps: int = 5
    rank: int = 16
    alpha: int = 32
    dropout: float = 0.0  # dropout would keep a copy of every LoRA input for the backward pass
    samples: int = 1  # passes over the catalog's phrasings, each with new values and tool sets
    max_length: int = 640
    seed: int = 0
    answer_tokens: int = 32  # length of the base model's text answers used as targets
    limit: int | None = None  # keep only this many examples (quick runs)
    init_adapter: Path | None = None  # go on training this adapter instead of a fresh one
    agent_weight: int = 1  # how many agent turns (memories, attachments, tool results) per built-in phrasing
    save_every: int = 50  # write the adapter every this many steps, so a stopped run keeps its progress


def build_training_set(lm: LoadedLM, config: TrainConfig, cache_dir: Path | None = None) -> list[Example]:
    """The train split, with the base model's text answers filled in (kept in `cache_dir` for reruns)."""
    examples = list(DatasetBuilder(config.seed, config.agent_weight).build("train", config.samples))
    if config.limit:
        examples = random.Random(config.seed).sample(examples, config.limit)
    fill_text_answers(examples, lm, config.answer_tokens, cache_dir / "planner-answers.json" if cache_dir else None)
    return examples


def answer_without_tools(lm: LoadedLM, requests: list[str], max_new_tokens: int, batch_size: int = 32) -> dict[str, str]:
    """The base model's own greedy answers to requests, as it would give them with no tools offered."""
    import torch

    tokenizer = lm.tokenizer
    tokenizer.padding_side = "left"
    answers = {}
    unique = sorted(set(requests))
    for start in tqdm(range(0, len(unique), batch_size), desc="base-model answers", unit="batch"):
        batch = unique[start : start + batch_size]
        prompts = [
            tokenizer.apply_chat_template(chat_messages(render_system([]), [{"role": "user", "content": text}]),
                                          tokenize=False, add_generation_prompt=True)
            for text in batch
        ]
        inputs = tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=False)
        with torch.inference_mode():
            output = lm.model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample=False,
                                       pad_token_id=tokenizer.pad_token_id or tokenizer.eos_token_id)
        for text, ids in zip(batch, output[:, inputs["input_ids"].shape[1] :]):
            answers[text] = _whole_sentences(tokenizer.decode(ids, skip_special_tokens=True).strip())
    return answers


def _whole_sentences(text: str) -> str:
    """Cut a length-capped answer after its last full sentence, so the adapter learns to stop."""
    cut = max(text.rfind(mark) for mark in ".!?")
    return text[: cut + 1] if cut > 0 else text


def fill_text_answers(examples: list[Example], lm: LoadedLM, max_new_tokens: int, cache_file: Path | None = None) -> None:
    """Give no-tool examples the base model's answers, reusing answers cached by an earlier run."""
    pending = [e for e in examples if e.reply is None]
    key = f"{lm.name}:{max_new_tokens}"
    cached = json.loads(cache_file.read_text()) if cache_file and cache_file.exists() else {}
    known = cached.get(key, {})
    missing = [e.turns[-1]["content"] for e in pending if e.turns[-1]["content"] not in known]
    if missing:
        known |= answer_without_tools(lm, missing, max_new_tokens)
    if cache_file:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        cache_file.write_text(json.dumps({**cached, key: known}, ensure_ascii=False, indent=0))
    for example in pending:
        example.reply = known[example.turns[-1]["content"]]


def encode_example(example: Example, tokenizer: Any, max_length: int) -> tuple[list[int], list[int]]:
    """Token ids and labels (-100 outside the reply) of one example."""
    messages = chat_messages(render_system(example.tools), example.turns)
    prompt = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    prompt_ids = tokenizer.encode(prompt, add_special_tokens=False)
    reply_ids = tokenizer.encode(example.reply + "<|im_end|>", add_special_tokens=False)
    ids = (prompt_ids + reply_ids)[-max_length:]
    labels = ([-100] * len(prompt_ids) + reply_ids)[-max_length:]
    return ids, labels


def _batches(encoded: list[tuple[list[int], list[int]]], batch_size: int, rng: random.Random):
    """Endless batches of similar lengths (less padding), in random order."""
    while True:
        order = list(range(len(encoded)))
        rng.shuffle(order)
        chunks = [sorted(order[i : i + batch_size * 16], key=lambda j: len(encoded[j][0])) for i in range(0, len(order), batch_size * 16)]
        batches = [chunk[i : i + batch_size] for chunk in chunks for i in range(0, len(chunk), batch_size)]
        rng.shuffle(batches)
        yield from batches


def _collate(items: list[tuple[list[int], list[int]]], pad_id: int):
    import torch

    width = max(len(ids) for ids, _ in items)
    input_ids = torch.full((len(items), width), pad_id)
    labels = torch.full((len(items), width), -100)
    attention = torch.zeros((len(items), width), dtype=torch.long)
    for row, (ids, labs) in enumerate(items):
        input_ids[row, : len(ids)] = torch.tensor(ids)
        labels[row, : len(labs)] = torch.tensor(labs)
        attention[row, : len(ids)] = 1
    return {"input_ids": input_ids, "labels": labels, "attention_mask": attention}


def train_planner(
    out_dir: Path, model_name: str, cache_dir: Path, config: TrainConfig
) -> dict[str, float]:
    """Fine-tune a LoRA adapter and write it (fp16 safetensors) to `out_dir`."""
    import torch
    from peft import LoraConfig, PeftModel, get_peft_model
    from tools.training import create_writer, prepare

    prepare(config.seed, threads=0)
    stopped = stopped_run(out_dir, config)
    rng = random.Random(config.seed)
    lm = load_lm(model_name, cache_dir)
    examples = build_training_set(lm, config, cache_dir)
    tokenizer = lm.tokenizer
    encoded = [encode_example(e, tokenizer, config.max_length) for e in tqdm(examples, desc="tokenizing", unit="ex")]

    lora = LoraConfig(r=config.rank, lora_alpha=config.alpha, lora_dropout=config.dropout,
                      target_modules=LORA_TARGETS, task_type="CAUSAL_LM")
    if config.init_adapter:
        model = PeftModel.from_pretrained(lm.model, config.init_adapter, is_trainable=True)
        model.float()
    else:
        model = get_peft_model(lm.model, lora)
    model.train()
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=config.learning_rate, weight_decay=0.0)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: _lr_factor(step, config))
    writer = create_writer("planner")
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    batches = _batches(encoded, config.batch_size, rng)
    first_step = restore(stopped, model, optimizer, schedule) if stopped else 0
    for _ in range(first_step):
        next(batches)
    started, loss_value = time.time(), math.nan
    progress = tqdm(range(first_step, config.steps), desc="training planner LoRA", unit="step",
                    initial=first_step, total=config.steps)
    for step in progress:
        batch = _collate([encoded[i] for i in next(batches)], pad_id)
        loss = reply_loss(model, batch)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
        loss_value = loss.item()
        writer.add_scalar("train/loss", loss_value, step)
        writer.add_scalar("train/lr", schedule.get_last_lr()[0], step)
        progress.set_postfix(loss=f"{loss_value:.3f}")
        if (step + 1) % config.save_every == 0 or step + 1 == config.steps:
            save_adapter(model, out_dir, model_name)
            save_training_state(out_dir, config, step + 1, model, optimizer, schedule)
    (out_dir / TRAINING_STATE).unlink()
    writer.close()
    return {"examples": len(examples), "trainable_parameters": trainable, "final_loss": loss_value,
            "seconds": time.time() - started, "steps": config.steps, "resumed_at": first_step,
            "tensorboard": writer.log_dir}


def save_training_state(out_dir: Path, config: TrainConfig, step: int, model: Any, optimizer: Any, schedule: Any) -> None:
    """What a stopped run needs to go on exactly where it was: fp32 weights, optimizer and schedule."""
    import torch

    state = {"config": _resume_key(config), "step": step, "optimizer": optimizer.state_dict(),
             "schedule": schedule.state_dict(),
             "lora": lora_weights(model)}
    torch.save(state, out_dir / f"{TRAINING_STATE}.partial")
    (out_dir / f"{TRAINING_STATE}.partial").replace(out_dir / TRAINING_STATE)


def stopped_run(out_dir: Path, config: TrainConfig) -> dict[str, Any] | None:
    """The saved state of a stopped run of the same configuration in `out_dir`, if there is one."""
    import torch

    path = out_dir / TRAINING_STATE
    if not path.exists():
        return None
    state = torch.load(path, weights_only=False)
    if state["config"] != _resume_key(config):
        raise MuseError(f"{out_dir} holds a stopped run with other settings; remove {path} or choose another --out")
    return state


def restore(state: dict[str, Any], model: Any, optimizer: Any, schedule: Any) -> int:
    """Put a stopped run's weights, optimizer and schedule back; the step it goes on from."""
    model.load_state_dict(state["lora"], strict=False)
    optimizer.load_state_dict(state["optimizer"])
    schedule.load_state_dict(state["schedule"])
    return state["step"]


def _resume_key(config: TrainConfig) -> dict[str, Any]:
    return {key: str(value) for key, value in asdict(config).items() if key != "save_every"}


def save_adapter(model: Any, out_dir: Path, model_name: str) -> None:
    """The adapter's weights in fp16 safetensors, leaving the training copy in fp32."""
    lora = {key: value.half() for key, value in lora_weights(model).items()}
    model.save_pretrained(out_dir, state_dict=lora)
    (out_dir / "README.md").unlink(missing_ok=True)  # peft's template card; muse writes MODEL_CARD.md
    _name_base_model(out_dir / "adapter_config.json", model_name)


def lora_weights(model: Any) -> dict[str, Any]:
    """The adapter's own tensors of a peft model, detached, at the precision they train in."""
    return {key: value.detach() for key, value in model.state_dict().items() if "lora_" in key}


def _name_base_model(config_file: Path, model_name: str) -> None:
    """Record the base model by muse's name for it, not by the cache path it was loaded from."""
    config = json.loads(config_file.read_text())
    config["base_model_name_or_path"] = model_name
    config_file.write_text(json.dumps(config, indent=2) + "\n")


def reply_loss(model: Any, batch: dict[str, Any]) -> Any:
    """Next-token loss on the reply only, projecting just those positions onto the vocabulary.

    The prompt is most of each sequence; skipping its (batch x length x 49k) logits makes a step
    several times cheaper than the model's own loss over every position.
    """
    import torch.nn.functional as F

    causal_lm = model.get_base_model()
    hidden = causal_lm.model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
    targets = batch["labels"][:, 1:]
    keep = targets != -100
    logits = causal_lm.lm_head(hidden[:, :-1][keep])
    return F.cross_entropy(logits.float(), targets[keep])


def _lr_factor(step: int, config: TrainConfig) -> float:
    if step < config.warmup_steps:
        return (step + 1) / config.warmup_steps
    progress = (step - config.warmup_steps) / max(1, config.steps - config.warmup_steps)
    return 0.5 * (1 + math.cos(math.pi * progress))
