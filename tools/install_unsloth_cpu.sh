#!/usr/bin/env sh
# Unsloth on a CPU-only machine (what CI tests): Unsloth's own dependency pins would replace torch with a CUDA build,
# add xformers and hold transformers at <=5.17, so install it without them, then the few packages it imports.
set -e
pip install --no-deps "unsloth>=2026.10.9,<2026.11" "unsloth_zoo>=2026.10.9,<2026.11" "trl==1.15.0" "datasets>=3.4.1,<5"
pip install bitsandbytes cut_cross_entropy einops hf_transfer httpx json5 msgspec nest-asyncio "peft>=0.18" protobuf \
  sentencepiece structlog torchao tyro typer rich pydantic psutil dill multiprocess xxhash pandas pyarrow
