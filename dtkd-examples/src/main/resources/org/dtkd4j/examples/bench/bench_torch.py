#!/usr/bin/python3
"""PyTorch side of `dtkd bench`: the same models, losses and training step as the DL4J side, timed the same way.

Models: the CIFAR ResNets of the reference (mdistiller/models/cifar/resnet.py, as used by JinYu1998/DTKD):
resnet8 ... resnet110 (filters 16-16-32-64) and resnet8x4 / resnet32x4 (filters 32-64-128-256).
Losses: the reference's KD (T=4, CE weight 0.1, KD weight 0.9), DTKD (alpha=3, beta=1, T=4, warmup 20, the
temperatures NOT detached, exactly as DEVELOPERS.md), DKD (alpha=1, beta=8, T=4, warmup 20) and DTKD+DKD (DKD with
the DTKD per-sample temperatures, each term scaled by T_stu*T_tea), plus cross-entropy alone (NONE).
Step: teacher forward (eval, no grad), student forward (train), loss, backward, SGD (momentum 0.9, weight decay 5e-4,
learning rate 0.05).

Commands:
  serve --threads N --batch B --classes C --seed S   keeps the rows of a bench run alive and runs them on request:
      one JSON command per line on standard input, one JSON reply per line on standard output (after a first line
      with the torch version, threads and the MALLOC_* environment variables):
        {"cmd": "loss", "id": ID, "method": M, "size": "64x100"}        a loss forward+backward row
        {"cmd": "step", "id": ID, "teacher": T, "student": S, "method": M}   a training step row
        {"cmd": "infer", "id": ID, "teacher": T}                         a teacher inference row
        {"cmd": "run", "id": ID, "iterations": K}   K timed runs -> {"ms": [...], "peak_rss_bytes", "rss_bytes"}
        {"cmd": "drop", "id": ID, "teachers": true}  forget a row (and the teachers)
        {"cmd": "quit"}
      The process computes only while it handles a command: the caller alternates with it by waiting for replies.
      A failing command replies {"error": "..."}.
  profile --teacher T --student S ...   self CPU time per op of DTKD steps (one JSON document)
  loop --teacher T --student S --method M ...   `dtkd bench --loop` on this side: warmup steps, the marker line
      "dtkd bench loop: timed steps begin", then each timed step's milliseconds (for ONEDNN_VERBOSE=1, say)
  check < inputs.json        float64 losses and gradients of every method for given logits (cross-check with Java)
  params --models a,b        trainable parameter counts
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

LOOP_MARKER = "dtkd bench loop: timed steps begin"
METHODS = ["NONE", "KD", "DTKD", "DKD", "DTKD_DKD", "LS_KD", "LS_DKD", "NORMKD", "NORMKD_DKD"]


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


def tempered_kl(s, t, t_stu, t_tea, scale=None):
    """mean_n(scale * KL(softmax(t/t_tea) || softmax(s/t_stu))), scale T_stu*T_tea unless given (NormKD: T_tea^2)."""
    per_row = kl_rows(F.log_softmax(s / t_stu, dim=1), F.softmax(t / t_tea, dim=1))
    return (per_row * (t_tea * t_stu if scale is None else scale)).mean()


def cat_mask(p, gt, other):
    return torch.cat([(p * gt).sum(1, keepdim=True), (p * other).sum(1, keepdim=True)], dim=1)


def dkd_terms(s, t, y, t_stu, t_tea, scale=None):
    """(tckd, nckd) of the reference, with temperatures that may be per-row [N, 1]; each term scaled by T_stu*T_tea
    unless a scale is given (NormKD: T_tea^2).
    With per-row (DTKD) temperatures the non-target KL takes the teacher's log-probabilities (kl_rows_log): its target
    class, suppressed by 1000, has probability 0, and T_tea carries a gradient to the student logits."""
    gt = torch.zeros_like(s).scatter_(1, y.unsqueeze(1), 1).bool()
    other = torch.ones_like(s).scatter_(1, y.unsqueeze(1), 0).bool()
    p_s = cat_mask(F.softmax(s / t_stu, dim=1), gt, other)
    p_t = cat_mask(F.softmax(t / t_tea, dim=1), gt, other)
    scale = t_stu * t_tea if scale is None else scale
    tckd = (kl_rows(torch.log(p_s), p_t) * scale).mean()
    log_p_s2 = F.log_softmax(s / t_stu - 1000.0 * gt, dim=1)
    if torch.is_tensor(t_tea):
        nckd_rows = kl_rows_log(log_p_s2, F.log_softmax(t / t_tea - 1000.0 * gt, dim=1))
    else:
        nckd_rows = kl_rows(log_p_s2, F.softmax(t / t_tea - 1000.0 * gt, dim=1))
    nckd = (nckd_rows * scale).mean()
    return tckd, nckd


def standardize(z):
    """Logit standardisation (sunshangquan/logit-standardization-KD, mdistiller/distillers/KD.py normalize): per row
    (z - mean) / (1e-7 + std), std unbiased; the gradient flows through the mean and the std."""
    return (z - z.mean(dim=1, keepdim=True)) / (1e-7 + z.std(dim=1, keepdim=True))


def normkd_temperatures(s, t, t_norm):
    """NormKD (gizi1/NormKD, mdistiller/distillers/NormKD.py): T = T_norm * std per row, unbiased std of the raw
    logits, no epsilon; the gradient flows through the student's std."""
    return t_norm * s.std(dim=1, keepdim=True), t_norm * t.std(dim=1, keepdim=True)


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
    if method == "LS_KD":
        kd = tempered_kl(standardize(s), standardize(t), 2.0, 2.0)
        return {"L_kd": kd, "L_ce": ce}, 0.1 * ce + 9.0 * kd
    if method == "LS_DKD":
        tckd, nckd = dkd_terms(standardize(s), standardize(t), y, 2.0, 2.0)
        return {"L_tckd": tckd, "L_nckd": nckd, "L_ce": ce}, warmup * (9.0 * tckd + 72.0 * nckd) + ce
    if method == "NORMKD":
        t_stu, t_tea = normkd_temperatures(s, t, 2.0)
        kd = tempered_kl(s, t, t_stu, t_tea, t_tea * t_tea)
        return {"L_kd": kd, "L_ce": ce}, 0.1 * ce + 0.9 * kd
    if method == "NORMKD_DKD":
        t_stu, t_tea = normkd_temperatures(s, t, 2.0)
        tckd, nckd = dkd_terms(s, t, y, t_stu, t_tea, t_tea * t_tea)
        return {"L_tckd": tckd, "L_nckd": nckd, "L_ce": ce}, warmup * (4.0 * tckd + 5.0 * nckd) + ce
    raise SystemExit("bench_torch.py: unknown method '%s' (%s)" % (method, ", ".join(METHODS)))


# ----------------------------------------------------------------------------------------------------------------------
# Rows and timing

def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def random_batches(batch, classes, seed):
    gen = torch.Generator().manual_seed(seed)
    return [(torch.randn(batch, 3, 32, 32, generator=gen),
             torch.randint(0, classes, (batch,), generator=gen)) for _ in range(4)]


def loss_action(method, n, c, seed):
    """Loss forward+backward (gradient wrt the student logits) of a method at epoch 1 on seeded random logits."""
    gen = torch.Generator().manual_seed(seed)
    s = (torch.randn(n, c, generator=gen) * 2).requires_grad_(True)
    t = torch.randn(n, c, generator=gen) * 3 + 1
    y = torch.randint(0, c, (n,), generator=gen)

    def step():
        _, total = terms(method, s, t, y, 1)
        torch.autograd.grad(total, s)

    return step


def training_step(student_name, classes, seed, teacher, method, batches):
    """One reference training step of a fresh student for a method, as a closure over the batches used in turn."""
    torch.manual_seed(seed)
    student = build(student_name, classes).train()
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


def inference_step(teacher, batches):
    k = [0]

    def step():
        with torch.no_grad():
            teacher(batches[k[0] % len(batches)][0])
        k[0] += 1

    return step


class Server:
    """The rows of one bench run, kept alive between commands so that the Java side can alternate with them."""

    def __init__(self, batch, classes, seed):
        self.batch, self.classes, self.seed = batch, classes, seed
        self.batches = random_batches(batch, classes, seed)
        self.teachers = {}
        self.rows = {}

    def teacher(self, name):
        if name not in self.teachers:
            torch.manual_seed(self.seed)
            self.teachers[name] = build(name, self.classes).eval()
        return self.teachers[name]

    def handle(self, cmd):
        op = cmd["cmd"]
        if op == "loss":
            n, c = (int(v) for v in cmd["size"].split("x"))
            self.rows[cmd["id"]] = loss_action(cmd["method"], n, c, self.seed)
            return {"id": cmd["id"]}
        if op == "step":
            self.rows[cmd["id"]] = training_step(cmd["student"], self.classes, self.seed, self.teacher(cmd["teacher"]),
                                                 cmd["method"], self.batches)
            return {"id": cmd["id"]}
        if op == "infer":
            self.rows[cmd["id"]] = inference_step(self.teacher(cmd["teacher"]), self.batches)
            return {"id": cmd["id"]}
        if op == "run":
            step = self.rows[cmd["id"]]
            times, peak = [], rss_bytes()
            for _ in range(cmd["iterations"]):
                start = time.perf_counter()
                step()
                times.append((time.perf_counter() - start) * 1e3)
                peak = max(peak, rss_bytes())
            return {"id": cmd["id"], "ms": times, "peak_rss_bytes": peak, "rss_bytes": rss_bytes()}
        if op == "drop":
            self.rows.pop(cmd["id"], None)
            if cmd.get("teachers"):
                self.teachers.clear()
            return {"id": cmd["id"]}
        raise ValueError("unknown command '%s' (loss, step, infer, run, drop, quit)" % op)


def serve(args):
    """One JSON command per line on stdin, one JSON reply per line on stdout, until 'quit' or end of input. The
    process computes only while it handles a command, so the caller alternates with it by waiting for each reply."""
    torch.set_num_threads(args.threads)
    server = Server(args.batch, args.classes, args.seed)
    malloc = {k: v for k, v in os.environ.items() if k.startswith("MALLOC_")}
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "malloc": malloc}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        cmd = json.loads(line)
        if cmd["cmd"] == "quit":
            break
        try:
            reply = server.handle(cmd)
        except Exception as e:  # reported to the caller, which stops the bench with the message
            reply = {"error": "%s: %s" % (type(e).__name__, e)}
        print(json.dumps(reply), flush=True)


def profile(args):
    """Self CPU time per op of `iterations` DTKD steps (torch.profiler), after the warmup."""
    torch.set_num_threads(args.threads)
    batches = random_batches(args.batch, args.classes, args.seed)
    torch.manual_seed(args.seed)
    teacher = build(args.teacher, args.classes).eval()
    step = training_step(args.student, args.classes, args.seed, teacher, "DTKD", batches)
    for _ in range(args.warmup):
        step()
    start = time.perf_counter()
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
        for _ in range(args.iterations):
            step()
    step_ms = (time.perf_counter() - start) * 1e3 / args.iterations
    ops = sorted(prof.key_averages(), key=lambda e: e.self_cpu_time_total, reverse=True)
    return {"torch": torch.__version__, "threads": torch.get_num_threads(), "step_ms": step_ms,
            "ops": [{"name": e.key, "self_ms": e.self_cpu_time_total / 1e3 / args.iterations,
                     "calls": e.count / args.iterations} for e in ops]}


def loop(args):
    """`dtkd bench --loop` on this side: the warmup steps of one method, the marker line, then each timed step."""
    torch.set_num_threads(args.threads)
    batches = random_batches(args.batch, args.classes, args.seed)
    torch.manual_seed(args.seed)
    teacher = build(args.teacher, args.classes).eval()
    step = training_step(args.student, args.classes, args.seed, teacher, args.method, batches)
    print("bench_torch loop: step %s->%s %s, batch %d, %d warmup + %d timed steps"
          % (args.teacher, args.student, args.method, args.batch, args.warmup, args.iterations), flush=True)
    for _ in range(args.warmup):
        step()
    print(LOOP_MARKER, flush=True)
    total = 0.0
    for i in range(1, args.iterations + 1):
        start = time.perf_counter()
        step()
        ms = (time.perf_counter() - start) * 1e3
        total += ms
        print("step %d: %.1f ms" % (i, ms), flush=True)
    print("mean %.1f ms per step over %d steps" % (total / args.iterations, args.iterations), flush=True)


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
    for name in ("serve", "profile", "loop"):
        b = sub.add_parser(name)
        b.add_argument("--threads", type=int, required=True)
        b.add_argument("--batch", type=int, default=64)
        b.add_argument("--classes", type=int, default=100)
        b.add_argument("--seed", type=int, default=7)
        if name in ("profile", "loop"):
            b.add_argument("--warmup", type=int, default=3)
            b.add_argument("--iterations", type=int, default=5)
            b.add_argument("--teacher", required=True)
            b.add_argument("--student", required=True)
        if name == "loop":
            b.add_argument("--method", default="NONE", choices=METHODS)
    sub.add_parser("check")
    m = sub.add_parser("params")
    m.add_argument("--models", required=True)
    m.add_argument("--classes", type=int, default=100)
    args = p.parse_args(argv)
    if args.command == "serve":
        serve(args)
        return
    if args.command == "loop":
        loop(args)
        return
    if args.command == "profile":
        result = profile(args)
    elif args.command == "check":
        result = check(json.load(sys.stdin))
    else:
        result = {name: sum(q.numel() for q in build(name, args.classes).parameters() if q.requires_grad)
                  for name in args.models.split(",")}
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
