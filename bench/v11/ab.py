"""Two versions of the Gluon kernel module side by side (session 8): error against the float64 oracle and CUDA-graph
time, each plan on its own layers, alternating twice. A and B: paths of module files, or `pkg` for
`unsloth_spectral.gluon_attention` as checked out. The 22:21 run (`kernel_h200_2221_ab_fold.log`: the values' bias
once per split, then once per block) had A = the module of fc3045b carried as .carry/old_ga.py, B = pkg at 4513d8d;
the 22:29 run (`kernel_h200_2229_ab_half.log`: the softmax on rows 0-7 only) had A = pkg at 4513d8d, B = the module
of a0b62a2. (Those runs used two scripts, ab_fold.py and ab_half.py, merged into this one afterwards.)
usage: A=.carry/old_ga.py B=pkg PYTHONPATH=. python3 bench/v11/ab.py
(Since session 9 this runs bench/v12/ab.py, which takes any number of module files, on A and B.)"""
import os, runpy
os.environ.setdefault("MODS", f"{os.environ.get('A', '.carry/old_ga.py')},{os.environ.get('B', 'pkg')}")
runpy.run_path(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "v12", "ab.py"), run_name="__main__")
