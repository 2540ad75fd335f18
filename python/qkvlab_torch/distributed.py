"""The process group of a run: one process, or many under torchrun.

torchrun sets RANK, WORLD_SIZE, LOCAL_RANK and MASTER_ADDR/PORT; with them the group is NCCL
on GPUs (one per local rank) or gloo on CPUs. Without them everything degrades to a single
process, so the same code path runs in both cases.
"""

import dataclasses
import os

import torch
import torch.distributed as dist


@dataclasses.dataclass
class Context:
    rank: int = 0
    world: int = 1
    local_rank: int = 0
    device: torch.device = torch.device("cpu")

    @property
    def main(self):
        return self.rank == 0

    @property
    def distributed(self):
        return self.world > 1

    @property
    def cuda(self):
        return self.device.type == "cuda"


def init(force_cpu=False):
    """Joins the group torchrun describes (if any) and picks this process's device."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    use_cuda = torch.cuda.is_available() and not force_cpu
    device = torch.device("cuda", local_rank) if use_cuda else torch.device("cpu")
    if use_cuda:
        torch.cuda.set_device(device)
    if world > 1 and not dist.is_initialized():
        dist.init_process_group(backend="nccl" if use_cuda else "gloo")
        rank, world = dist.get_rank(), dist.get_world_size()
    return Context(rank, world, local_rank, device)


def shutdown(ctx):
    if ctx.distributed and dist.is_initialized():
        dist.destroy_process_group()


def local_slice(ctx, batch):
    """This rank's rows [lo, hi) of a global batch: contiguous, disjoint, covering it."""
    if batch < ctx.world:
        raise ValueError(f"the batch ({batch}) must hold at least one example per process "
                         f"({ctx.world} processes)")
    return ctx.rank * batch // ctx.world, (ctx.rank + 1) * batch // ctx.world


def sum_over_ranks(ctx, value):
    """A float summed over every rank (itself in a single process)."""
    if not ctx.distributed:
        return float(value)
    t = torch.tensor([float(value)], dtype=torch.float64, device=ctx.device)
    dist.all_reduce(t)
    return float(t.item())


def broadcast_flag(ctx, flag):
    """Rank 0's boolean on every rank (also a barrier)."""
    if not ctx.distributed:
        return bool(flag)
    t = torch.tensor([1 if flag else 0], dtype=torch.int64, device=ctx.device)
    dist.broadcast(t, src=0)
    return bool(t.item())


def barrier(ctx):
    if ctx.distributed:
        dist.barrier()
