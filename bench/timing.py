"CUDA-graph timing shared by the kernel study harnesses (bench/v10, bench/v11)."
import torch, triton

def graph_us(fn, reps=20):
    "Median microseconds of fn replayed from a CUDA graph (no host launch cost)."
    s = torch.cuda.Stream()
    s.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(s):
        for _ in range(2): fn()
    torch.cuda.current_stream().wait_stream(s)
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g):
        for _ in range(reps): fn()
    return 1e3 * triton.testing.do_bench(lambda: g.replay(), warmup=5, rep=100, return_mode="median") / reps
