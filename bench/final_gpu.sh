#!/usr/bin/env bash
# One device call for all GPU numbers of a session: each benchmark under its own time limit, so one failure or
# overrun does not cost the others. Logs go to $OUT/<name>.log; the tables print as they are measured.
# usage (device tool, repo root): bash bench/final_gpu.sh    carry: .carry/unsloth_site.tgz .carry/tok dev/rsvd_smol_kv.pt
set -u
export PYTHONPATH=.${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
python3 -c "import torch, triton, transformers; print('torch', torch.__version__, 'triton', triton.__version__, 'transformers', transformers.__version__)"
part() {  # name seconds command...
  local name=$1 secs=$2; shift 2
  echo "=== $name (limit ${secs}s)"; local t0=$SECONDS
  timeout --signal=INT --kill-after=10 "$secs" "$@" 2>&1 | tee "$OUT/$name.log" | grep -v "^\s*$" | tail -n 40
  echo "=== $name: exit ${PIPESTATUS[0]} after $((SECONDS - t0))s"
}
part rsvd "${RSVD_S:-80}" python3 bench/rsvd_gpu.py
KERNEL_GPU_BUDGET_S=${KERNEL_GPU_BUDGET_S:-140} part kernel "${KERNEL_S:-170}" python3 bench/kernel_gpu.py
if [ -f .carry/unsloth_site.tgz ]; then
  mkdir -p /root/unsloth_site && tar xzf .carry/unsloth_site.tgz -C /root/unsloth_site
  PYTHONPATH=$PYTHONPATH:/root/unsloth_site part unsloth "${UNSLOTH_S:-230}" python3 bench/unsloth_gpu.py
fi
