#!/usr/bin/env python3
"""The benchmarks of bench/run.sh, which builds the programs and calls this.

    run.py --build DIR --out DIR [--quick] [--only engine,load,hold,scale]

engine  bench_engine: ns per full reliable exchange, the same run's loopback
        UDP send+receive pair, their ratio; callgrind's instructions per
        exchange.
load    SIPp drives one 100rel call flow at rising rates against prack-uas,
        sofia-uas (sofia-sip nua) and prack-b2bua (100rel caller, callee
        without 100rel); per step: calls, failures, retransmissions, the
        server's CPU seconds per 1,000 calls (/proc/PID/stat).
hold    N calls in progress at once, each held 5 s, against every program.
scale   bench_scale: 1,000,000 UAS engines, each with a reliable 1xx never
        acknowledged, swept through 64*T1 by the examples' timer heap on a
        virtual clock: RSS after setup, ns per timer expiry (the heap's share
        and the engine's), the calls in arrival order and scattered in memory.

Prints tables and writes OUT/results.md and OUT/results.json; each process's
output stays in OUT/logs. Nothing here fails on a figure: the exit status is 0
when the run completed, whatever it measured. Every process it starts runs in
its own session and is killed by process group when the run ends or is
interrupted.
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CLK_TCK = os.sysconf("SC_CLK_TCK")
HOST = "127.0.0.1"

started = []  # Popen objects of every process we started


def cleanup():
    for p in started:
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    for p in started:
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass


class Interrupted(Exception):
    pass


def on_signal(sig, frame):
    # stop the processes now; main() still writes what was measured
    cleanup()
    raise Interrupted(signal.Signals(sig).name)


def log(msg):
    print(msg, flush=True)


# ---------------------------------------------------------------------------
# Machine


def machine():
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {"nproc": os.cpu_count(), "cpu": model, "kernel": os.uname().release}


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def uptime():
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "load average: " + loadavg()


def tool_version(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
        text = (out.stdout + out.stderr).strip().splitlines()
        return next((l.strip() for l in text if l.strip()), "?")
    except (OSError, subprocess.TimeoutExpired):
        return "?"


# ---------------------------------------------------------------------------
# Processes


def free_ports(n):
    socks = []
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((HOST, 0))
        socks.append(s)
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def wait_bound(port, proc, seconds=10.0):
    """Until something is bound to HOST:port (the server is up)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if proc.poll() is not None:
            return False
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.bind((HOST, port))
        except OSError:
            return True
        finally:
            s.close()
        time.sleep(0.05)
    return False


def start(cmd, logfile):
    f = open(logfile, "w")
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.STDOUT,
                         start_new_session=True)
    f.close()
    started.append(p)
    return p


def stop(p, seconds=10.0):
    """SIGTERM, then SIGKILL; returns the exit status."""
    if p.poll() is None:
        try:
            os.killpg(p.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            p.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    return p.returncode


def wait_usage(p, seconds):
    """Wait for P like Popen.wait, and return its rusage (CPU time, peak RSS),
    or None when it did not end within SECONDS."""
    end = time.monotonic() + seconds
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid == p.pid:
            p.returncode = os.waitstatus_to_exitcode(status)
            return ru
        if time.monotonic() >= end:
            return None
        time.sleep(0.02)


def cpu_seconds(pid):
    """utime + stime of the whole process (all threads), in seconds."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK
    except (OSError, IndexError, ValueError):
        return None


def udp_drops(port):
    """Datagrams the kernel dropped for the UDP socket bound to HOST:port
    (its receive buffer was full), from /proc/net/udp; None if not found."""
    try:
        with open("/proc/net/udp") as f:
            next(f)
            for line in f:
                cols = line.split()
                addr, hexport = cols[1].split(":")
                if int(hexport, 16) == port and addr in ("0100007F", "00000000"):
                    return int(cols[-1])
    except (OSError, ValueError, IndexError, StopIteration):
        pass
    return None


def rss_peak_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def result_line(logfile):
    try:
        with open(logfile) as f:
            lines = [l.strip() for l in f if l.startswith("RESULT")]
        return lines[-1] if lines else ""
    except OSError:
        return ""


# ---------------------------------------------------------------------------
# SIPp


def sipp_stats(stat_file, screen_file):
    """Cumulative counters of the last line of -trace_stat, the peak of
    CurrentCall over its lines, and the retransmissions of every message
    (sent by SIPp, or received again from the peer) from -trace_screen, plus
    the responses that came for calls already over."""
    out = {"created": 0, "ok": 0, "failed": 0, "rate": 0.0, "peak": 0,
           "retrans": 0, "unexpected": 0, "timeouts": 0, "dead": 0, "call_s": 0.0}
    try:
        with open(stat_file, encoding="latin-1") as f:
            rows = [l.rstrip("\n").split(";") for l in f if l.strip()]
    except OSError:
        rows = []
    if len(rows) >= 2:
        head = rows[0]
        col = {name: i for i, name in enumerate(head)}
        for r in rows[1:]:
            try:
                out["peak"] = max(out["peak"], int(r[col["CurrentCall"]]))
            except (KeyError, IndexError, ValueError):
                pass
        last = rows[-1]

        def num(name, conv=int):
            try:
                return conv(last[col[name]])
            except (KeyError, IndexError, ValueError):
                return conv(0)

        out["created"] = num("TotalCallCreated")
        out["ok"] = num("SuccessfulCall(C)")
        out["failed"] = num("FailedCall(C)")
        out["rate"] = num("CallRate(C)", float)
        # a response for a call SIPp had already finished: sent again by the
        # server (its 200 to the INVITE before the ACK got through, ...)
        out["dead"] = num("DeadCallMsgs(C)")
        # average call length, "HH:MM:SS:micro"
        try:
            h, m_, sec, us = last[col["CallLength(C)"]].split(":")
            out["call_s"] = int(h) * 3600 + int(m_) * 60 + int(sec) + int(us) / 1e6
        except (KeyError, IndexError, ValueError):
            pass
    try:
        with open(screen_file, encoding="latin-1") as f:
            text = f.read()
    except OSError:
        text = ""
    # message lines of the scenario screen, e.g.
    #   "  INVITE ---------->  2000  0  0" or "  183 <----------  2000  0  0  0"
    seen = set()
    for m in re.finditer(r"^\s+(\S+)\s+(-+>|<-+)\s+(\d+)\s+(\d+)(?:\s+(\d+))?(?:\s+(\d+))?\s*$",
                         text, re.M):
        key = m.group(0)
        if key in seen:  # the screen is written more than once
            continue
        seen.add(key)
        out["retrans"] += int(m.group(4))
        if m.group(5):
            out["timeouts"] += int(m.group(5))
        if m.group(6):
            out["unexpected"] += int(m.group(6))
    out["retrans"] += out["dead"]
    return out


FAILURE_COLUMNS = {
    "FailedMaxUDPRetrans(C)": "no answer after SIPp's retransmissions",
    "FailedUnexpectedMessage(C)": "unexpected message",
    "FailedTimeoutOnRecv(C)": "receive timeout",
    "FailedRegexpDoesntMatch(C)": "a header check failed",
    "FailedRegexpHdrNotFound(C)": "a header missing",
    "FailedCannotSendMessage(C)": "could not send",
    "FailedCallRejected(C)": "rejected",
}


def failure_reasons(stat_file, err_file):
    """Why SIPp's calls failed: its failure counters, and the status codes of
    the unexpected responses its error log shows, e.g. 503 x22."""
    parts = []
    try:
        with open(stat_file, encoding="latin-1") as f:
            rows = [l.rstrip("\n").split(";") for l in f if l.strip()]
        col = {name: i for i, name in enumerate(rows[0])}
        for name, text in FAILURE_COLUMNS.items():
            try:
                v = int(rows[-1][col[name]])
            except (KeyError, IndexError, ValueError):
                continue
            if v:
                parts.append(f"{text} x{v}")
    except (OSError, IndexError):
        pass
    try:
        with open(err_file, encoding="latin-1") as f:
            codes = re.findall(r"Aborting call on unexpected message[^\n]*?received 'SIP/2\.0 (\d+)",
                               f.read())
        counts = {}
        for c in codes:
            counts[c] = counts.get(c, 0) + 1
        if counts:
            parts.append("unexpected " + ", ".join(f"{c} x{n}" for c, n in
                                                  sorted(counts.items(), key=lambda x: -x[1])))
    except OSError:
        pass
    return "; ".join(parts)


def sipp_cmd(sipp, scenario, port, name, logs, extra):
    return ([sipp, "-sf", os.path.join(HERE, scenario), "-i", HOST, "-p", str(port), "-nostdin",
             "-trace_stat", "-stf", f"{logs}/{name}.csv", "-fd", "1",
             "-trace_screen", "-screen_file", f"{logs}/{name}.screen",
             "-trace_err", "-error_file", f"{logs}/{name}.err",
             # 1 MiB socket buffers, as the example programs ask for: SIPp's
             # default 64 KiB drops datagrams in bursts and blames the server
             "-buff_size", "1048576"] + extra)


# ---------------------------------------------------------------------------
# Engine


def bench_engine(build, calls, runs):
    exe = os.path.join(build, "bench", "bench_engine")
    per_run = []
    for _ in range(runs):
        out = subprocess.run([exe, str(calls)], capture_output=True, text=True, timeout=300)
        ex = re.search(r"^exchange\s+\d+ calls\s+([\d.]+) ns/call", out.stdout, re.M)
        udp = re.search(r"^udp\s+\d+ pairs\s+([\d.]+) ns/pair", out.stdout, re.M)
        if out.returncode != 0 or not ex or not udp:
            log(out.stdout + out.stderr)
            return None
        per_run.append((float(ex.group(1)), float(udp.group(1))))
    ex_ns = statistics.median(r[0] for r in per_run)
    udp_ns = statistics.median(r[1] for r in per_run)
    return {"exchange_ns": ex_ns, "udp_pair_ns": udp_ns, "ratio": ex_ns / udp_ns,
            "runs": runs, "calls": calls, "each_run": per_run}


def callgrind(build, calls, logs):
    exe = os.path.join(build, "bench", "bench_engine")
    outfile = f"{logs}/callgrind.out"
    try:
        r = subprocess.run(["valgrind", "--tool=callgrind", "--toggle-collect=exchange",
                            f"--callgrind-out-file={outfile}", exe, "--exchange", str(calls)],
                           capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as e:
        log(f"callgrind: {e}")
        return None
    m = re.search(r"Collected : (\d+)", r.stderr)
    if r.returncode != 0 or not m:
        log(r.stderr[-2000:])
        return None
    return int(m.group(1)) / calls


def bench_scale(build, plan, logs, out):
    """Each layout of PLAN (name, extra arguments, runs) run that many times,
    each in a process of its own (RSS is per process). Fills OUT as it goes,
    so that an interrupted run keeps what it measured; leaves it empty when
    the program is missing (built without the examples)."""
    exe = os.path.join(build, "bench", "bench_scale")
    if not os.path.exists(exe):
        log("bench_scale was not built (-Dexamples=false?): the scale part is left out")
        return
    for name, extra, runs in plan:
        rows = []
        out[name] = rows
        for k in range(runs):
            tag = f"scale-{name.split()[0]}-{k + 1}"
            try:
                r = subprocess.run([exe] + extra, capture_output=True, text=True, timeout=300)
            except subprocess.TimeoutExpired:
                rows.append({"error": "timed out"})
                break
            with open(f"{logs}/{tag}.log", "w") as f:
                f.write(r.stdout + r.stderr)
            m = re.search(r"^RESULT (.*)$", r.stdout, re.M)
            if not m:
                rows.append({"error": f"exit {r.returncode}, see logs/{tag}.log"})
                break
            row = {}
            for kv in m.group(1).split():
                key, val = kv.split("=", 1)
                row[key] = float(val) if "." in val else int(val)
            row["exit"] = r.returncode
            row["args"] = " ".join(extra)
            rows.append(row)
            log(f"  {name:20} {row['engines']} engines: {row['ns_per_expiry']:.1f} ns per expiry "
                f"(CPU {row['cpu_ns_per_expiry']:.1f}; CPU of the heap alone "
                f"{row['cpu_heap_ns']:.1f}, of the engine alone {row['cpu_engine_ns']:.1f}), "
                f"RSS {row['rss_kib'] / 1024:.1f} MiB, check "
                f"{'ok' if row['ok'] and r.returncode == 0 else 'FAILED'}, load {loadavg()}")


def scale_summary(rows):
    """Median and range of the figures of one variant's good runs."""
    good = [r for r in rows if "error" not in r]
    if not good:
        return None
    for r in good:
        r["rss_delta_b"] = (r["rss_kib"] - r["rss_before_kib"]) * 1024 / r["engines"]

    def stat(key):
        v = [r[key] for r in good]
        return {"median": statistics.median(v), "min": min(v), "max": max(v)}

    first = good[0]
    return {"runs": len(good), "engines": first["engines"], "expiries": first["expiries"],
            "retx": first["retx"], "sizeof_call": first["sizeof_call"],
            "bytes_per_call": first["bytes_per_call"],
            "ok": all(r["ok"] and r["exit"] == 0 for r in good) and len(good) == len(rows),
            "args": first["args"], "repeat": first["repeat"],
            "ns": stat("ns_per_expiry"), "cpu_ns": stat("cpu_ns_per_expiry"),
            "heap_ns": stat("heap_ns"), "engine_ns": stat("engine_ns"),
            "cpu_heap_ns": stat("cpu_heap_ns"), "cpu_engine_ns": stat("cpu_engine_ns"),
            "rss_kib": stat("rss_kib"),
            "rss_delta_b": stat("rss_delta_b")}


# ---------------------------------------------------------------------------
# Servers under test


class Server:
    """One program under test, with the callee behind it when it has one."""

    def __init__(self, name, cmd_fn, callee=None):
        self.name, self.cmd_fn, self.callee = name, cmd_fn, callee
        self.proc = self.callee_proc = None

    def up(self, args, tag):
        logs = args.out + "/logs"
        ports = free_ports(2)
        self.port, callee_port = ports
        if self.callee:
            self.callee_proc = start(
                sipp_cmd(args.sipp, self.callee, callee_port, f"{tag}-callee", logs,
                         ["-timeout", "600s"]), f"{logs}/{tag}-callee.log")
            if not wait_bound(callee_port, self.callee_proc):
                return False
        self.proc = start(self.cmd_fn(self.port, callee_port), f"{logs}/{tag}.log")
        return wait_bound(self.port, self.proc)

    def down(self):
        rc = stop(self.proc) if self.proc else None
        if self.callee_proc:
            stop(self.callee_proc)
        return rc


def max_calls_opt(exe, n):
    """["--max-calls", N] when the program has that option, else []."""
    try:
        text = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    return ["--max-calls", str(n)] if "--max-calls" in text else []


def servers(args):
    b = args.build
    mc = max(100000, 2 * args.hold_calls)
    uas = [f"{b}/examples/prack-uas", "--quiet", "--provisional", "183:sdp", "--answer-after", "0"]
    uas += max_calls_opt(uas[0], mc)
    b2b = [f"{b}/examples/prack-b2bua", "--quiet"]
    b2b += max_calls_opt(b2b[0], mc)
    out = [Server("prack-uas", lambda p, c: uas + ["--bind", f"{HOST}:{p}"])]
    sofia = f"{b}/bench/sofia-uas"
    if os.path.exists(sofia):
        out.append(Server("sofia-uas", lambda p, c: [sofia, "--bind", f"{HOST}:{p}"]))
    else:
        log("sofia-uas was not built (no libsofia-sip-ua-dev): its columns stay empty")
    out.append(Server("prack-b2bua",
                      lambda p, c: b2b + ["--bind", f"{HOST}:{p}", "--next", f"{HOST}:{c}"],
                      callee="sipp-callee-plain.xml"))
    return out


# ---------------------------------------------------------------------------
# Load: rising rates


def load_step(args, srv, rate, seconds, tag):
    logs = args.out + "/logs"
    calls = max(1, int(rate * seconds))
    name = f"{tag}-r{rate}"
    cpu0 = cpu_seconds(srv.proc.pid)
    drops0 = udp_drops(srv.port)
    t0 = time.monotonic()
    cmd = sipp_cmd(args.sipp, "sipp-caller-100rel.xml", free_ports(1)[0], name, logs,
                   ["-r", str(rate), "-m", str(calls), "-d", "0", "-l", str(min(15000, max(1000, rate * 2))),
                    "-timeout", f"{int(seconds * 3 + 20)}s", f"{HOST}:{srv.port}"])
    p = start(cmd, f"{logs}/{name}.log")
    ru = wait_usage(p, seconds * 3 + 40)
    if ru is None:
        stop(p)
    wall = time.monotonic() - t0
    cpu1 = cpu_seconds(srv.proc.pid)
    drops1 = udp_drops(srv.port)
    st = sipp_stats(f"{logs}/{name}.csv", f"{logs}/{name}.screen")
    st["server_drops"] = drops1 - drops0 if drops0 is not None and drops1 is not None else None
    st["sipp_cpu_s"] = (ru.ru_utime + ru.ru_stime) if ru else None
    st["why"] = failure_reasons(f"{logs}/{name}.csv", f"{logs}/{name}.err")
    cpu = (cpu1 - cpu0) if cpu0 is not None and cpu1 is not None else None
    st.update({"offered": rate, "calls": calls, "wall_s": round(wall, 2),
               "sipp_rc": p.returncode, "load": loadavg(),
               "cpu_s": cpu, "cpu_per_1000": (cpu / calls * 1000) if cpu is not None else None,
               "server_alive": srv.proc.poll() is None})
    # the rate the calls went in at: over the run less the average call's
    # length, the tail after the last call started
    span = wall - st["call_s"]
    st["achieved"] = calls / span if span > 0 else 0.0
    # clean: every call succeeded, nothing failed or was sent twice, and the
    # calls went in at (nearly) the rate asked for
    st["clean"] = (st["ok"] == calls and st["failed"] == 0 and st["retrans"] == 0 and
                   st["unexpected"] == 0 and st["achieved"] >= 0.9 * rate and st["server_alive"])
    why = [st["why"]] if st["why"] else []
    if st["retrans"]:
        why.append(f"{st['retrans']} retransmissions")
    if st["server_drops"]:
        why.append(f"the server's socket dropped {st['server_drops']} datagrams (buffer full)")
    if st["achieved"] < 0.9 * rate:
        why.append(f"calls went through at {st['achieved']:.0f}/s")
    if not st["server_alive"]:
        why.append("the server died")
    st["why"] = "; ".join(why)
    return st


def load(args, res):
    """Fills RES as it goes, so that an interrupted run keeps what it measured."""
    rates = args.rates
    for srv in servers(args):
        tag = f"load-{srv.name}"
        rows = []
        res[srv.name] = {"rows": rows}
        if not srv.up(args, tag):
            log(f"{srv.name}: did not start, see {args.out}/logs/{tag}.log")
            srv.down()
            res[srv.name] = {"rows": rows, "error": "did not start"}
            continue
        for rate in rates:
            st = load_step(args, srv, rate, args.step, tag)
            rows.append(st)
            log(f"  {srv.name:12} {rate:6} calls/s offered: {st['ok']}/{st['calls']} ok, "
                f"{st['failed']} failed, {st['retrans']} retransmitted, "
                f"{st['achieved']:.0f} calls/s achieved, "
                f"CPU {fmt(st['cpu_per_1000'], 3)} s per 1000 calls "
                f"(SIPp {fmt(st['sipp_cpu_s'], 2)} s in all), load {st['load']}"
                f"{'' if st['clean'] else '  (not clean: ' + st['why'] + ')'}")
            if not st["clean"]:
                break  # higher rates only do worse
            time.sleep(args.settle)
        rc = srv.down()
        res[srv.name] = {"rows": rows, "exit": rc,
                         "result": result_line(f"{args.out}/logs/{tag}.log")}


# ---------------------------------------------------------------------------
# Calls in progress


def hold_server(args, srv):
    logs = args.out + "/logs"
    tag = f"hold-{srv.name}"
    n, hold_ms, rate = args.hold_calls, args.hold_ms, args.hold_rate
    if not srv.up(args, tag):
        srv.down()
        return {"error": "did not start"}
    cpu0 = cpu_seconds(srv.proc.pid)
    limit = n / rate + hold_ms / 1000 + 30
    cmd = sipp_cmd(args.sipp, "sipp-caller-100rel.xml", free_ports(1)[0], tag, logs,
                   ["-r", str(rate), "-m", str(n), "-d", str(hold_ms), "-l", str(n),
                    "-timeout", f"{int(limit)}s", f"{HOST}:{srv.port}"])
    t0 = time.monotonic()
    p = start(cmd, f"{logs}/{tag}-sipp.log")
    try:
        p.wait(timeout=limit + 15)
    except subprocess.TimeoutExpired:
        stop(p)
    wall = time.monotonic() - t0
    cpu1 = cpu_seconds(srv.proc.pid)
    rss = rss_peak_kib(srv.proc.pid)
    alive = srv.proc.poll() is None
    rc = srv.down()
    st = sipp_stats(f"{logs}/{tag}.csv", f"{logs}/{tag}.screen")
    st["why"] = failure_reasons(f"{logs}/{tag}.csv", f"{logs}/{tag}.err")
    st.update({"calls": n, "wall_s": round(wall, 1), "rss_peak_kib": rss, "server_alive": alive,
               "cpu_s": (cpu1 - cpu0) if cpu0 is not None and cpu1 is not None else None,
               "exit": rc, "result": result_line(f"{logs}/{tag}.log"), "load": loadavg()})
    st["pass"] = st["ok"] == n and st["failed"] == 0 and st["peak"] >= 0.95 * n and alive
    if not alive:
        st["why"] = (st["why"] + "; " if st["why"] else "") + "the server died"
    elif not st["pass"] and not st["why"]:
        st["why"] = f"at most {st['peak']} calls in progress at once"
    return st


def hold_uac(args):
    """prack-uac places the calls; a SIPp 100rel callee counts them."""
    logs = args.out + "/logs"
    tag = "hold-prack-uac"
    n, hold_ms, rate = args.hold_calls, args.hold_ms, args.hold_rate
    port = free_ports(1)[0]
    limit = n / rate + hold_ms / 1000 + 20
    callee = start(sipp_cmd(args.sipp, "sipp-callee-100rel.xml", port, tag, logs,
                            ["-timeout", f"{int(limit + 30)}s"]), f"{logs}/{tag}-sipp.log")
    if not wait_bound(port, callee):
        stop(callee)
        return {"error": "SIPp callee did not start"}
    t0 = time.monotonic()
    exe = f"{args.build}/examples/prack-uac"
    uac = start([exe, "--quiet", "--calls", str(n), "--rate", str(rate), "--hold", str(hold_ms)] +
                max_calls_opt(exe, max(100000, 2 * n)) + [f"sip:bench@{HOST}:{port}"],
                f"{logs}/{tag}.log")
    ru = wait_usage(uac, limit)
    finished = ru is not None
    wall = time.monotonic() - t0
    if ru is None:
        rss = rss_peak_kib(uac.pid)
        rc = stop(uac)
    else:
        rss, rc = ru.ru_maxrss, uac.returncode
    time.sleep(1.5)  # the callee's last stats line
    stop(callee)
    st = sipp_stats(f"{logs}/{tag}.csv", f"{logs}/{tag}.screen")
    res = result_line(f"{logs}/{tag}.log")
    m = re.search(r"calls=(\d+) ok=(\d+)", res)
    done, ok = (int(m.group(1)), int(m.group(2))) if m else (0, 0)
    st.update({"calls": n, "wall_s": round(wall, 1), "rss_peak_kib": rss, "exit": rc,
               "finished": finished, "result": res, "uac_done": done, "uac_ok": ok,
               "load": loadavg()})
    # the callee's counters: calls it took part in; "ok" of SIPp as callee
    st["pass"] = finished and rc == 0 and ok == n and st["peak"] >= 0.95 * n
    why = []
    if ok < n:
        why.append(f"{n - ok} calls not ok" if finished else f"{n - ok} calls not done in time")
    if st["peak"] < 0.95 * n:
        why.append(f"at most {st['peak']} calls in progress at once")
    st["why"] = "; ".join(why)
    return st


def hold(args, res):
    """Fills RES as it goes, so that an interrupted run keeps what it measured."""
    for srv in servers(args):
        st = hold_server(args, srv)
        res[srv.name] = st
        log(f"  {srv.name:12} {hold_summary(st)}")
    st = hold_uac(args)
    res["prack-uac"] = st
    log(f"  {'prack-uac':12} {hold_summary(st)}")


def hold_summary(st):
    if "error" in st:
        return st["error"]
    if "uac_done" in st:
        what = (f"{st['uac_ok']}/{st['calls']} calls ok"
                f"{'' if st['finished'] else ' (not finished in time, stopped)'}")
    else:
        what = f"{st['ok']}/{st['calls']} ok, {st['failed']} failed, {st['retrans']} retransmitted"
    rss = f"{st['rss_peak_kib'] / 1024:.1f} MiB" if st.get("rss_peak_kib") else "?"
    why = f" ({st['why']})" if st.get("why") else ""
    return (f"{'PASS' if st['pass'] else 'FAIL'}: {what}{why}, peak {st['peak']} in progress, "
            f"peak RSS {rss}, {st['wall_s']} s")


# ---------------------------------------------------------------------------
# Report


def fmt(v, digits=1):
    return "-" if v is None else f"{v:.{digits}f}"


def highest_clean(rows):
    best = None
    for r in rows:
        if not r["clean"]:
            break
        best = r
    return best


def report(args, info, results):
    L = []
    L.append("# libprack benchmark results\n")
    L.append(f"- command: `bash bench/run.sh{' --quick' if args.quick else ''}`")
    L.append(f"- date: {info['date']}; commit {info['commit']}")
    L.append(f"- machine: {info['machine']['nproc']} CPUs ({info['machine']['cpu']}), "
             f"Linux {info['machine']['kernel']}")
    L.append(f"- load before: `{info['uptime_before']}`")
    L.append(f"- load after: `{info.get('uptime_after', '?')}`; the run took "
             f"{info.get('minutes', '?')} minutes")
    L.append(f"- tools: {info['sipp']}; {info['valgrind']}; sofia-sip {info['sofia']}")
    if info.get("interrupted"):
        L.append(f"- interrupted ({info['interrupted']}): only the parts below were measured")
    L.append("")

    eng = results.get("engine")
    if eng is not None:
        L.append("## Engine\n")
        L.append("| measure | value |")
        L.append("|---|---|")
        b = eng.get("bench")
        if b:
            L.append(f"| full reliable exchange, both engines (median of {b['runs']} runs of "
                     f"{b['calls']}) | {b['exchange_ns']:.1f} ns |")
            L.append(f"| loopback UDP send + receive of one 800-byte datagram, same runs | "
                     f"{b['udp_pair_ns']:.1f} ns |")
            L.append(f"| exchange / UDP pair | {b['ratio']:.3f} |")
        if eng.get("instructions") is not None:
            L.append(f"| instructions per exchange (callgrind) | {eng['instructions']:.0f} |")
        L.append("")

    sc = results.get("scale")
    if sc:
        L.append("## Scale: UAS engines swept through 64*T1 by the examples' timer heap\n")
        L.append("Each engine has a reliable 183 that is never acknowledged; its call's "
                 "`ex_timer_t` is armed at `prack_next_deadline()` on the heap of "
                 "`examples/host.c`, and a virtual clock jumps from deadline to deadline until "
                 "every engine has given up. ns per expiry: the whole sweep (heap pop, "
                 "`prack_on_timer()`, its actions, re-arm) over the expiries, wall clock and "
                 "the thread's CPU time; heap alone: the same heap operations without the "
                 "engine; engine alone: the same `prack_on_timer()` calls and actions in the "
                 "heap's order without the heap. The parts are in CPU time, which other work "
                 "on the machine disturbs less than the wall clock (logs/scale-*.log have "
                 "both). Each run keeps the least of its sweeps of each kind; median of the "
                 "runs, range in brackets.\n")
        L.append("| calls in memory (`bench_scale` options) | runs | engines | expiries "
                 "| RSS after setup | B per engine (RSS; struct + heap slot) | ns per expiry "
                 "| CPU ns per expiry | heap alone, CPU ns | engine alone, CPU ns | check |")
        L.append("|---|---|---|---|---|---|---|---|---|---|---|")
        for name, rows in sc.items():
            sm = scale_summary(rows)
            if not sm:
                err = rows[0].get("error", "no run") if rows else "no run"
                L.append(f"| {name} | 0 | | | | | | | | | {err} |")
                continue

            def rng(st, d=1, scale=1.0):
                return (f"{st['median'] / scale:.{d}f} "
                        f"({st['min'] / scale:.{d}f}-{st['max'] / scale:.{d}f})")

            check = (f"ok: {sm['retx']} retransmissions and 1 give-up each" if sm["ok"]
                     else "FAILED")
            L.append(f"| {name} (`{sm['args']}`) | {sm['runs']} | {sm['engines']} | "
                     f"{sm['expiries']} | {rng(sm['rss_kib'], 1, 1024.0)} MiB | "
                     f"{rng(sm['rss_delta_b'])}; {sm['bytes_per_call']} | {rng(sm['ns'])} | "
                     f"{rng(sm['cpu_ns'])} | {rng(sm['cpu_heap_ns'])} | "
                     f"{rng(sm['cpu_engine_ns'])} | "
                     f"{check} |")
        L.append("")

    ld = results.get("load")
    if ld:
        names = list(ld)
        L.append("## Load: 100rel calls at rising rates\n")
        L.append(f"Each step offers its rate for {args.step:g} s (SIPp `-r`, calls of no "
                 "hold time); the sweep of a server stops at its first step that is not "
                 "clean. Per server: calls ok / failed / retransmissions (SIPp's, both "
                 "directions, and responses for calls already over) / CPU seconds of the "
                 "server process per 1,000 calls. "
                 "prack-b2bua's CPU is its own, not its callee's.\n")
        L.append("| offered calls/s | " + " | ".join(names) + " | load |")
        L.append("|---" * (len(names) + 2) + "|")
        for rate in args.rates:
            cells, loadv, any_row = [], "", False
            for n in names:
                row = next((r for r in ld[n]["rows"] if r["offered"] == rate), None)
                if row is None:
                    cells.append("")
                    continue
                any_row = True
                loadv = row["load"]
                cells.append(f"{row['ok']}/{row['failed']}/{row['retrans']}/"
                             f"{fmt(row['cpu_per_1000'], 3)}"
                             f"{'' if row['clean'] else ' (not clean)'}")
            if any_row:
                L.append(f"| {rate} | " + " | ".join(cells) + f" | {loadv} |")
        L.append("")
        for n in names:
            for r in ld[n]["rows"]:
                if not r["clean"]:
                    L.append(f"- {n} at {r['offered']} calls/s: {r['failed']} failed, "
                             f"{r['retrans']} retransmissions, {r['achieved']:.0f} calls/s "
                             f"achieved: {r['why']}")
        L.append("")
        L.append("| server | highest clean rate (calls/s) | CPU s per 1,000 calls there |")
        L.append("|---|---|---|")
        for n in names:
            best = highest_clean(ld[n]["rows"])
            top = " (the top of the sweep)" if best and best["offered"] == args.rates[-1] else ""
            L.append(f"| {n} | {best['offered'] if best else 'none'}{top} | "
                     f"{fmt(best['cpu_per_1000'], 3) if best else '-'} |")
        L.append("")

    hd = results.get("hold")
    if hd:
        L.append(f"## {args.hold_calls} calls in progress at once, each held "
                 f"{args.hold_ms / 1000:g} s\n")
        L.append(f"SIPp starts the calls at {args.hold_rate} calls/s; \"peak\" is the most "
                 "calls SIPp counted in progress (sampled once a second). prack-uac is the "
                 "caller in its row, against a SIPp 100rel callee.\n")
        L.append("| program | result | calls ok | failed | retransmissions | peak in progress "
                 "| peak RSS | why calls failed |")
        L.append("|---|---|---|---|---|---|---|---|")
        for n, st in hd.items():
            if "error" in st:
                L.append(f"| {n} | {st['error']} | | | | | | |")
                continue
            ok = st.get("uac_ok", st["ok"])
            extra = "" if st.get("finished", True) else " (stopped: not finished in time)"
            rss = f"{st['rss_peak_kib'] / 1024:.1f} MiB" if st.get("rss_peak_kib") else "-"
            L.append(f"| {n} | {'pass' if st['pass'] else 'FAIL'}{extra} | {ok}/{st['calls']} | "
                     f"{st['failed']} | {st['retrans']} | {st['peak']} | {rss} | "
                     f"{st.get('why') or ''} |")
        L.append("")

    L.append("## Goals (issue 9)\n")
    for g in goals(args, results):
        L.append(f"- {g}")
    L.append("")
    return "\n".join(L)


def goals(args, results):
    out = []
    ld = results.get("load") or {}
    uas, sofia, b2b = (highest_clean(ld.get(n, {}).get("rows", [])) for n in
                       ("prack-uas", "sofia-uas", "prack-b2bua"))
    if "prack-uas" in ld and "sofia-uas" in ld:
        if uas and sofia:
            top = uas["offered"] == args.rates[-1]
            met = uas["offered"] >= 3 * sofia["offered"]
            out.append(f"prack-uas clean rate at least 3x sofia-sip's: {uas['offered']}"
                       f"{'+' if top else ''} vs {sofia['offered']} calls/s: "
                       f"{'met' if met else ('not shown (the sweep ends too low)' if top else 'not met')}")
            # CPU per call at the highest rate both ran clean
            common = min(uas["offered"], sofia["offered"])
            ru = next(r for r in ld["prack-uas"]["rows"] if r["offered"] == common)
            rs = next(r for r in ld["sofia-uas"]["rows"] if r["offered"] == common)
            if ru["cpu_per_1000"] is not None and rs["cpu_per_1000"]:
                ratio = ru["cpu_per_1000"] / rs["cpu_per_1000"]
                out.append(f"prack-uas CPU per call at most 1/5 of sofia-sip's (at {common} "
                           f"calls/s): {ru['cpu_per_1000']:.3f} vs {rs['cpu_per_1000']:.3f} s "
                           f"per 1,000 calls, ratio {ratio:.2f}: "
                           f"{'met' if ratio <= 0.2 else 'not met'}")
        else:
            out.append("prack-uas vs sofia-sip: not measured (a server had no clean step)")
    if "prack-b2bua" in ld:
        got = b2b["offered"] if b2b else 0
        out.append(f"prack-b2bua at least 2,000 calls/s clean: {got} calls/s: "
                   f"{'met' if got >= 2000 else 'not met'}")
    hd = results.get("hold")
    if hd:
        ours = {n: st for n, st in hd.items() if n.startswith("prack-")}
        passed = [n for n, st in ours.items() if st.get("pass")]
        failed = [n for n in ours if n not in passed]
        full = args.hold_calls >= 10000 and args.hold_ms >= 5000
        full = full and {"prack-uas", "prack-b2bua", "prack-uac"} <= set(ours)
        out.append(f"{args.hold_calls} calls in progress (held {args.hold_ms / 1000:g} s) with no "
                   f"failure in every program: "
                   f"{'met' if not failed and full else ('not met' if failed else 'not shown (a smaller run, or not every program ran)')}"
                   f"{' (failed: ' + ', '.join(failed) + ')' if failed else ''}")
    sc = results.get("scale")
    sm = scale_summary(next(iter(sc.values()))) if sc else None
    if sm:
        out.append(f"Scale ({sm['engines']} UAS engines swept through 64*T1 by the host's timer "
                   f"structure): {sm['rss_kib']['median'] / 1024:.1f} MiB RSS "
                   f"({sm['rss_delta_b']['median']:.0f} B per engine), "
                   f"{sm['ns']['median']:.1f} ns per expiry in arrival order: measured"
                   f"{'' if sm['ok'] else ' (but its check FAILED)'}")
    else:
        out.append("Scale (1,000,000 UAS engines swept through 64*T1 by the host's timer "
                   "structure): not measured by this run")
    return out


# ---------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", default="engine,load,hold,scale")
    ap.add_argument("--sipp", default="sipp")
    a = ap.parse_args()
    if a.quick:
        a.engine_calls, a.engine_runs, a.cg_calls = 300000, 3, 20000
        a.rates, a.step, a.settle = [500, 1000, 2000, 4000, 8000], 1.5, 0.3
        a.hold_calls, a.hold_ms, a.hold_rate = 2000, 2000, 1250
        a.scale_plan = [("arrival order", ["--repeat", "1"], 1)]
    else:
        a.engine_calls, a.engine_runs, a.cg_calls = 2000000, 5, 100000
        a.rates = [250, 500, 750, 1000, 1500, 2000, 2500, 3000, 4000, 5000, 6000, 7000, 8000,
                   10000]
        a.step, a.settle = 4.0, 0.5
        a.hold_calls, a.hold_ms, a.hold_rate = 10000, 5000, 2500
        # bench_scale's default size, 1,000,000 engines; scattered in memory
        # a sweep takes 3 to 5 times as long, so once per run there
        a.scale_plan = [("arrival order", ["--repeat", "2"], 3),
                        ("scattered in memory", ["--shuffle", "--repeat", "1"], 3)]
    only = set(a.only.split(","))
    if only & {"load", "hold"} and not shutil.which(a.sipp):
        log(f"no {a.sipp}: the load and calls-in-progress parts are left out")
        only -= {"load", "hold"}
    os.makedirs(a.out + "/logs", exist_ok=True)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    commit = subprocess.run(["git", "-C", HERE, "describe", "--always", "--dirty"],
                            capture_output=True, text=True).stdout.strip() or "?"
    sofia = subprocess.run(["pkg-config", "--modversion", "sofia-sip-ua"], capture_output=True,
                           text=True).stdout.strip() or "not installed"
    info = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "commit": commit,
            "machine": machine(), "uptime_before": uptime(),
            "sipp": tool_version([a.sipp, "-v"]),
            "valgrind": tool_version(["valgrind", "--version"]), "sofia": sofia}
    log(f"machine: {info['machine']['nproc']} CPUs, {info['machine']['cpu']}")
    log(f"before: {info['uptime_before']}")
    results = {}
    t_start = time.monotonic()
    try:
        if "engine" in only:
            log("== engine")
            b = bench_engine(a.build, a.engine_calls, a.engine_runs)
            ins = callgrind(a.build, a.cg_calls, a.out + "/logs")
            results["engine"] = {"bench": b, "instructions": ins}
            if b:
                log(f"  exchange {b['exchange_ns']:.1f} ns, UDP pair {b['udp_pair_ns']:.1f} ns, "
                    f"ratio {b['ratio']:.3f}")
            log(f"  instructions per exchange: {fmt(ins, 0)}")
        if "load" in only:
            log(f"== load: {a.step:g} s per step, rates {a.rates}")
            results["load"] = {}
            load(a, results["load"])
        if "hold" in only:
            log(f"== calls in progress: {a.hold_calls} held {a.hold_ms} ms, started at "
                f"{a.hold_rate} calls/s")
            results["hold"] = {}
            hold(a, results["hold"])
        # last, so that a run cut short by its time bound loses these figures
        # and not the SIPp ones
        if "scale" in only:
            log("== scale: " + ", ".join(f"{n} x{k}" for n, _, k in a.scale_plan))
            results["scale"] = {}
            bench_scale(a.build, a.scale_plan, a.out + "/logs", results["scale"])
    except Interrupted as e:
        info["interrupted"] = str(e)
        log(f"interrupted ({e}): the results below are what was measured until then")
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        cleanup()
    info["uptime_after"] = uptime()
    info["minutes"] = round((time.monotonic() - t_start) / 60, 1)
    log(f"after: {info['uptime_after']}")
    text = report(a, info, results)
    with open(a.out + "/results.md", "w") as f:
        f.write(text)
    with open(a.out + "/results.json", "w") as f:
        json.dump({"info": info, "results": results}, f, indent=1)
    print()
    print(text)
    log(f"written: {a.out}/results.md, {a.out}/results.json; logs in {a.out}/logs")
    return 1 if info.get("interrupted") else 0


if __name__ == "__main__":
    sys.exit(main())
