"""Data-parallel training under torchrun (gloo on CPUs): (a) two processes give the loss curve
of one process with the same global batch; (b) a worker killed with SIGKILL after the first
checkpoint leaves a loadable run folder, and running the command again resumes it and continues
the same curve."""

import os
import signal
import subprocess
import tempfile
import time
import unittest

from tests import support
from qkvlab_torch import run_folder as rf
from qkvlab_torch.torch_pickle import load_checkpoint

STEPS, EVAL_EVERY = 400, 20
# An odd global batch: the two ranks train on slices of 3 and 4 examples.
TRAIN = {"steps": STEPS, "batch": 7, "lr": 0.003, "warmup_steps": 5, "eval_every": EVAL_EVERY,
         "eval_examples": 64, "seed": 2}


def train_command(exp, out, nproc):
    launcher = support.torchrun_args(nproc) if nproc > 1 else [support.PYTHON]
    return launcher + ["-m", "qkvlab_torch.train", "--experiment", exp, "--out", out,
                       "--threads", "1"]


def children(pid):
    """Direct child processes of `pid` (torchrun's workers are its children)."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    stat = fh.read()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2:].split()[1]) == pid:
                out.append(int(entry))
    return out


def worker_of_rank(agent, rank):
    for pid in children(agent):
        try:
            with open(f"/proc/{pid}/environ", "rb") as fh:
                if f"RANK={rank}".encode() in fh.read().split(b"\0"):
                    return pid
        except OSError:
            pass
    return None


class DataParallel(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.exp = support.write_experiment(os.path.join(cls.tmp.name, "exp.json"),
                                           variants=["shared-kv"], train=TRAIN)
        t0 = time.monotonic()
        support.run(train_command(cls.exp, os.path.join(cls.tmp.name, "one"), 1))
        cls.single = support.read_metrics(os.path.join(cls.tmp.name, "one", "shared-kv"))
        cls.single_seconds = time.monotonic() - t0

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def assert_same_curve(self, got):
        ref = self.single
        self.assertEqual([s for s, _ in got["train_log"]], [s for s, _ in ref["train_log"]])
        worst = max(abs(a - b) for (_, a), (_, b) in zip(got["train_log"], ref["train_log"]))
        self.assertLess(worst, 1e-5, "per-step training losses")
        self.assertEqual([p["step"] for p in got["curve"]], [p["step"] for p in ref["curve"]])
        for p, q in zip(got["curve"], ref["curve"]):
            self.assertAlmostEqual(p["validation"]["loss"], q["validation"]["loss"], delta=1e-5)
            self.assertAlmostEqual(p["train_loss"], q["train_loss"], delta=1e-5)

    def test_a_two_processes_equal_one(self):
        out = os.path.join(self.tmp.name, "two")
        support.run(train_command(self.exp, out, 2))
        got = support.read_metrics(os.path.join(out, "shared-kv"))
        self.assertEqual((got["status"], got["steps_done"]), ("completed", STEPS))
        self.assert_same_curve(got)

    def test_b_a_killed_worker_leaves_a_resumable_folder(self):
        out = os.path.join(self.tmp.name, "killed")
        folder = os.path.join(out, "shared-kv")
        agent = subprocess.Popen(train_command(self.exp, out, 2), env=support.env(),
                                 cwd=support.PYTHON_DIR, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        try:
            first = rf.resume_file(folder, EVAL_EVERY)
            deadline = time.monotonic() + 120
            while not os.path.exists(first) and agent.poll() is None:
                self.assertLess(time.monotonic(), deadline, "no first checkpoint")
                time.sleep(0.005)
            victim = worker_of_rank(agent.pid, 1)
            self.assertIsNotNone(victim, "rank 1 is running after the first checkpoint")
            os.kill(victim, signal.SIGKILL)
            self.assertNotEqual(agent.wait(timeout=120), 0)
        finally:
            if agent.poll() is None:
                agent.kill()
        # What the killed run left: a run folder that loads, its checkpoint and resume state.
        run, result = rf.read_run_folder(folder)
        step = result["checkpoint_step"]
        self.assertTrue(EVAL_EVERY <= step < STEPS, f"killed at step {step}")
        rf.load_run_model(folder)
        rf.load_run_model(folder, step)
        resume = rf.resume_steps(folder)[-1]
        self.assertEqual(load_checkpoint(rf.resume_file(folder, resume))["step"], resume)
        # The same command again resumes and finishes the same curve.
        p = support.run(train_command(self.exp, out, 2))
        self.assertIn(f"resumed at step {resume}", p.stdout + p.stderr)
        got = support.read_metrics(folder)
        self.assertEqual((got["status"], got["steps_done"]), ("completed", STEPS))
        self.assert_same_curve(got)
        # A finished run is left alone.
        p = support.run(train_command(self.exp, out, 1))
        self.assertIn("already trained", p.stdout)


if __name__ == "__main__":
    unittest.main()
