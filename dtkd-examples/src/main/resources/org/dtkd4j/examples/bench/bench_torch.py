#!/usr/bin/python3
"""PyTorch side of `dtkd bench`: the same models, losses and training step as the DL4J side, timed the same way.

Models: the CIFAR ResNets of the reference (mdistiller/models/cifar/resnet.py, as used by JinYu1998/DTKD):
resnet8 ... resnet110 (filters 16-16-32-64) and resnet8x4 / resnet32x4 (filters 32-64-128-256).
Losses: the reference's KD (T=4, CE weight 0.1, KD weight 0.9), DTKD (alpha=3, beta=1, T=4, warmup 20, the
temperatures NOT detached, exactly as DEVELOPERS.md), DKD (alpha=1, beta=8, T=4, warmup 20) and DTKD+DKD (DKD with
the DTKD per-sample temperatures, each term scaled by T_stu*T_tea), plus cross-entropy alone (NONE).
Step: teacher forward (eval, no grad), student forward (train), loss, backward, SGD (momentum 0.9, weight decay 5e-4,
learning rate 0.05).

Commands (all print one JSON document on standard output):
  bench --group loss --sizes 64x100,256x1000 ...        loss forward+backward, one row per method and size
  bench --group step --teacher resnet32x4 --student resnet8x4 ...   one row per method (NONE, KD, DTKD, DKD, DTKD_DKD)
  bench --group infer --teacher resnet32x4 ...           teacher inference
  bench --group profile --teacher resnet32x4 --student resnet8x4 ...   self CPU time per op of DTKD steps
  check < inputs.json        float64 losses and gradients of every method for given logits (cross-check with Java)
  params --models a,b        trainable parameter counts
Timing: `warmup` untimed iterations, then `epochs` x `iterations` timed ones; the resident set size is read after every
step (peak) and after every epoch (growth check).
"""
import argparse
import json
import os
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

METHODS = ["NONE", "KD", "DTKD", "DKD", "DTKD_DKD"]


# ----------------------------------------------------------------------------------------------------------------------
# Models (mdistiller/models/cifar/resnet.py)

def conv3x3(in_planes, out_planes, stride=1):
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=1, bias=False)


class BasicBlock(nn.Module):
    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x):
        residual = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            residual = self.downsample(x)
        out += residual
        return F.relu(out)


class ResNet(nn.Module):
    def __init__(self, depth, num_filters, num_classes):
        super().__init__()
        assert (depth - 2) % 6 == 0, "depth should be 6n+2"
        n = (depth - 2) // 6
        self.inplanes = num_filters[0]
        self.conv1 = nn.Conv2d(3, num_filters[0], kernel_size=3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(num_filters[0])
        self.relu = nn.ReLU(inplace=True)
        self.layer1 = self._make_layer(num_filters[1], n)
        self.layer2 = self._make_layer(num_filters[2], n, stride=2)
        self.layer3 = self._make_layer(num_filters[3], n, stride=2)
        self.avgpool = nn.AvgPool2d(8)
        self.fc = nn.Linear(num_filters[3], num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)

    def _make_layer(self, planes, blocks, stride=1):
        downsample = None
        if stride != 1 or self.inplanes != planes:
            downsample = nn.Sequential(nn.Conv2d(self.inplanes, planes, kernel_size=1, stride=stride, bias=False),
                                       nn.BatchNorm2d(planes))
        layers = [BasicBlock(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes
        layers += [BasicBlock(planes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        x = self.avgpool(x)
        return self.fc(x.reshape(x.size(0), -1))


NARROW = [16, 16, 32, 64]
WIDE = [32, 64, 128, 256]


def build(name, num_classes):
    if name in ("resnet8x4", "resnet32x4"):
        return ResNet(int(name[len("resnet"):-2]), WIDE, num_classes)
    if name.startswith("resnet") and name[len("resnet"):].isdigit():
        return ResNet(int(name[len("resnet"):]), NARROW, num_classes)
    raise SystemExit("bench_torch.py: unknown model '%s' (resnet<6n+2>, resnet8x4, resnet32x4)" % name)


# ----------------------------------------------------------------------------------------------------------------------
# Losses (mdistiller/distillers/KD.py, DKD.py; DTKD.py of JinYu1998/DTKD)

def kl_rows(log_q, p):
    """sum_c KL(p || q) per row, [N, 1], with 0 log 0 = 0 (F.kl_div)."""
    return F.kl_div(log_q, p, reduction="none").sum(1, keepdim=True)


def kl_rows_log(log_q, log_p):
    """kl_rows with the target given as log-probabilities: finite gradients where p underflows to 0 (F.kl_div's
    backward is p/p = NaN there, which reaches the logits when the teacher temperature depends on the student)."""
    return (log_p.exp() * (log_p - log_q)).sum(1, keepdim=True)


def dtkd_temperatures(s, t, T):
    ms, _ = s.max(dim=1, keepdim=True)
    mt, _ = t.max(dim=1, keepdim=True)
    return 2 * ms / (mt + ms) * T, 2 * mt / (mt + ms) * T


def tempered_kl(s, t, t_stu, t_tea):
    per_row = kl_rows(F.log_softmax(s / t_stu, dim=1), F.softmax(t / t_tea, dim=1))
    return (per_row * t_tea * t_stu).mean()


def cat_mask(p, gt, other):
    return torch.cat([(p * gt).sum(1, keepdim=True), (p * other).sum(1, keepdim=True)], dim=1)


def dkd_terms(s, t, y, t_stu, t_tea):
    """(tckd, nckd) of the reference, with temperatures that may be per-row [N, 1]; each term scaled by T_stu*T_tea.
    With per-row (DTKD) temperatures the non-target KL takes the teacher's log-probabilities (kl_rows_log): its target
    class, suppressed by 1000, has probability 0, and T_tea carries a gradient to the student logits."""
    gt = torch.zeros_like(s).scatter_(1, y.unsqueeze(1), 1).bool()
    other = torch.ones_like(s).scatter_(1, y.unsqueeze(1), 0).bool()
    p_s = cat_mask(F.softmax(s / t_stu, dim=1), gt, other)
    p_t = cat_mask(F.softmax(t / t_tea, dim=1), gt, other)
    scale = t_stu * t_tea
    tckd = (kl_rows(torch.log(p_s), p_t) * scale).mean()
    log_p_s2 = F.log_softmax(s / t_stu - 1000.0 * gt, dim=1)
    if torch.is_tensor(t_tea):
        nckd_rows = kl_rows_log(log_p_s2, F.log_softmax(t / t_tea - 1000.0 * gt, dim=1))
    else:
        nckd_rows = kl_rows(log_p_s2, F.softmax(t / t_tea - 1000.0 * gt, dim=1))
    nckd = (nckd_rows * scale).mean()
    return tckd, nckd


def terms(method, s, t, y, epoch):
    """Every term of a method (as the Java LossResult names them) and the total, as tensors."""
    ce = F.cross_entropy(s, y)
    if method == "NONE":
        return {"L_ce": ce}, ce
    T = 4.0
    if method == "KD":
        kd = tempered_kl(s, t, T, T)
        return {"L_kd": kd, "L_ce": ce}, 0.1 * ce + 0.9 * kd
    warmup = min(epoch / 20.0, 1.0)
    if method == "DTKD":
        t_stu, t_tea = dtkd_temperatures(s, t, T)
        dtkd = tempered_kl(s, t, t_stu, t_tea)
        kd = tempered_kl(s, t, T, T)
        return {"L_dtkd": dtkd, "L_kd": kd, "L_ce": ce}, warmup * (3.0 * dtkd + 1.0 * kd) + ce
    if method in ("DKD", "DTKD_DKD"):
        t_stu, t_tea = (T, T) if method == "DKD" else dtkd_temperatures(s, t, T)
        tckd, nckd = dkd_terms(s, t, y, t_stu, t_tea)
        return {"L_tckd": tckd, "L_nckd": nckd, "L_ce": ce}, warmup * (1.0 * tckd + 8.0 * nckd) + ce
    raise SystemExit("bench_torch.py: unknown method '%s' (%s)" % (method, ", ".join(METHODS)))


# ----------------------------------------------------------------------------------------------------------------------
# Timing

def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def measure(row_id, samples, step, args):
    for _ in range(args.warmup):
        step()
    times, epoch_rss, peak = [], [], rss_bytes()
    for _ in range(args.epochs):
        for _ in range(args.iterations):
            start = time.perf_counter()
            step()
            times.append((time.perf_counter() - start) * 1e3)
            peak = max(peak, rss_bytes())
        epoch_rss.append(rss_bytes())
    times.sort()
    mid = len(times) // 2
    median = times[mid] if len(times) % 2 else (times[mid - 1] + times[mid]) / 2
    return {"id": row_id, "median_ms": median, "samples_per_s": samples * 1e3 / median, "peak_rss_bytes": peak,
            "epoch_rss_bytes": epoch_rss, "iterations": len(times)}


def loss_rows(args):
    rows = []
    gen = torch.Generator().manual_seed(args.seed)
    for size in args.sizes.split(","):
        n, c = (int(v) for v in size.split("x"))
        s0 = torch.randn(n, c, generator=gen) * 2
        t = torch.randn(n, c, generator=gen) * 3 + 1
        y = torch.randint(0, c, (n,), generator=gen)
        for method in METHODS[1:]:
            s = s0.clone().requires_grad_(True)

            def step():
                _, total = terms(method, s, t, y, 1)
                torch.autograd.grad(total, s)

            rows.append(measure("loss/%s/%dx%d" % (method, n, c), n, step, args))
    return rows


def random_batches(args):
    gen = torch.Generator().manual_seed(args.seed)
    return [(torch.randn(args.batch, 3, 32, 32, generator=gen),
             torch.randint(0, args.classes, (args.batch,), generator=gen)) for _ in range(4)]


def training_step(args, teacher, method, batches):
    """One reference training step of a fresh student for a method, as a closure over the batches used in turn."""
    torch.manual_seed(args.seed)
    student = build(args.student, args.classes).train()
    opt = torch.optim.SGD(student.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    k = [0]

    def step():
        x, y = batches[k[0] % len(batches)]
        k[0] += 1
        if method == "NONE":
            t = None
        else:
            with torch.no_grad():
                t = teacher(x)
        _, total = terms(method, student(x), t, y, 1)
        opt.zero_grad()
        total.backward()
        opt.step()

    return step


def step_rows(args):
    batches = random_batches(args)
    torch.manual_seed(args.seed)
    teacher = build(args.teacher, args.classes).eval()
    return [measure("step/%s->%s/%s" % (args.teacher, args.student, method), args.batch,
                    training_step(args, teacher, method, batches), args) for method in METHODS]


def profile_rows(args):
    """Self CPU time per op of `iterations` DTKD steps (torch.profiler), after the warmup."""
    batches = random_batches(args)
    torch.manual_seed(args.seed)
    teacher = build(args.teacher, args.classes).eval()
    step = training_step(args, teacher, "DTKD", batches)
    for _ in range(args.warmup):
        step()
    start = time.perf_counter()
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
        for _ in range(args.iterations):
            step()
    step_ms = (time.perf_counter() - start) * 1e3 / args.iterations
    ops = sorted(prof.key_averages(), key=lambda e: e.self_cpu_time_total, reverse=True)
    return [{"id": "profile", "step_ms": step_ms,
             "ops": [{"name": e.key, "self_ms": e.self_cpu_time_total / 1e3 / args.iterations,
                      "calls": e.count / args.iterations} for e in ops]}]


def infer_rows(args):
    batches = random_batches(args)
    torch.manual_seed(args.seed)
    teacher = build(args.teacher, args.classes).eval()
    k = [0]

    def step():
        with torch.no_grad():
            teacher(batches[k[0] % len(batches)][0])
        k[0] += 1

    return [measure("infer/%s" % args.teacher, args.batch, step, args)]


def bench(args):
    torch.set_num_threads(args.threads)
    group = {"loss": loss_rows, "step": step_rows, "infer": infer_rows, "profile": profile_rows}[args.group]
    rows = group(args)
    return {"torch": torch.__version__, "threads": torch.get_num_threads(),
            "max_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, "rows": rows}


def check(inputs):
    """Every method's terms, total and gradient wrt the student logits, in float64, for the given inputs."""
    s0 = torch.tensor(inputs["student"], dtype=torch.float64)
    t = torch.tensor(inputs["teacher"], dtype=torch.float64)
    y = torch.tensor(inputs["targets"], dtype=torch.int64)
    out = {}
    for method in METHODS:
        s = s0.clone().requires_grad_(True)
        named, total = terms(method, s, t, y, inputs["epoch"])
        (grad,) = torch.autograd.grad(total, s)
        out[method] = {"total": total.item(), "terms": {k: v.item() for k, v in named.items()},
                       "gradient": grad.tolist()}
    return out


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("bench")
    b.add_argument("--group", choices=["loss", "step", "infer", "profile"], required=True)
    b.add_argument("--threads", type=int, required=True)
    b.add_argument("--warmup", type=int, default=3)
    b.add_argument("--iterations", type=int, default=5)
    b.add_argument("--epochs", type=int, default=3)
    b.add_argument("--batch", type=int, default=64)
    b.add_argument("--classes", type=int, default=100)
    b.add_argument("--sizes", default="64x100,256x1000")
    b.add_argument("--teacher")
    b.add_argument("--student")
    b.add_argument("--seed", type=int, default=7)
    sub.add_parser("check")
    m = sub.add_parser("params")
    m.add_argument("--models", required=True)
    m.add_argument("--classes", type=int, default=100)
    args = p.parse_args(argv)
    if args.command == "bench":
        result = bench(args)
    elif args.command == "check":
        result = check(json.load(sys.stdin))
    else:
        result = {name: sum(q.numel() for q in build(name, args.classes).parameters() if q.requires_grad)
                  for name in args.models.split(",")}
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
