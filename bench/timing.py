"Timing shared by the kernel study harnesses (bench/v10 on): CUDA-graph replays by the library's `time_graph` (08), and the bare-read harnesses' opening."
from unsloth_spectral.benchmark import time_graph

def graph_us(fn, reps=20):
    "Median microseconds of fn() replayed from a CUDA graph of `reps` calls (no host launch cost; two warm calls first)."
    return time_graph(fn, [(), ()], calls=reps)

def start():
    "A bare-read harness's opening (bench/v20, bench/v23): print the device and versions; return the eager timer (`do_bench` median, µs), the copy bandwidth (GB/s) and the SM count."
    import time, torch, triton
    from unsloth_spectral.benchmark import copy_bandwidth
    print(f"{torch.cuda.get_device_name()}, torch {torch.__version__}, triton {triton.__version__}; "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", flush=True)
    bench = lambda f: 1e3 * triton.testing.do_bench(f, warmup=10, rep=60, return_mode="median")
    return bench, copy_bandwidth(), torch.cuda.get_device_properties(0).multi_processor_count
