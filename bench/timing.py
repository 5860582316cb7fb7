"CUDA-graph timing shared by the kernel study harnesses (bench/v10 to bench/v14): the library's `time_graph` (08)."
from unsloth_spectral.benchmark import time_graph

def graph_us(fn, reps=20):
    "Median microseconds of fn() replayed from a CUDA graph of `reps` calls (no host launch cost; two warm calls first)."
    return time_graph(fn, [(), ()], calls=reps)
