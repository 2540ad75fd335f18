"""QKV Lab's model, run folders and training in PyTorch.

The same transformer as QKV Lab's C++ core (every attention variant, GQA/MQA, both
positional-bias modes, the qkvlab / paper-gpt / gpt2 / llama layouts) under the same parameter
names, reading and writing the same run folders, trainable on one process or many with
torch.distributed (see python/README.md).
"""

__version__ = "0.1.0"
