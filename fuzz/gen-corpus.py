#!/usr/bin/env python3
"""Write the hand-made seed inputs of the fuzz targets into fuzz/corpus/<target>/.

Each seed is a scenario spelled in the byte language its target reads (see the
comment at the top of each fuzz/<target>/<target>.c), so that the replay under
`meson test` walks real paths: a whole call, a timeout, a CANCEL while a PRACK
is awaited, a PRACK retransmitted or sent anew for an acknowledged RSeq, calls
made past 64*T1, cookies dropped or released, engines moved between calls,
RSeq gaps and retransmissions, responses with another CSeq, re-INVITEs on the
same dialogs, forks, lossy delivery, proxy challenges. Inputs found by fuzzing
are kept beside them (files named by their SHA-1); this script only rewrites
the seed-* and regress-* files.

    fuzz/gen-corpus.py [OUTPUT-DIR]
"""
import os
import struct
import sys

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def u16(v):
    return struct.pack(">H", v)


def u32(v):
    return struct.pack(">I", v)


def u64(v):
    return struct.pack(">Q", v)


def write(target, name, data, prefix="seed-"):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, prefix + name), "wb") as f:
        f.write(bytes(data))


# --------------------------------------------------------------------------
# uas: header (14 bytes or more), then operations (low nibble: which, high
# nibble: options).


def uas_header(t1=0, refresh=0, timeout=4, policy=1, null_cfg=False, bad=None, inv=0x05, cseq=1,
               qmax=8, auth=3, random=0x12345678, start=b"\x00"):
    # t1s = {500, 1, 2, 100, 1000, 3600000, 0, 3600001}
    # refreshes = {0, 0, 1000, 1500, 150000, 65535000, 999, 65535001}
    # bad: None, or 0 auth_max 4, 1 prack_after_2xx 2, 2 cache 2, 3 a reserved byte
    h = (t1 & 7) | ((refresh & 7) << 3) | (0x40 if inv & 0x08 else 0)
    pol = policy | (0x40 if null_cfg else 0)
    if bad is not None:
        pol |= 0x30 | (bad << 2)
    q = qmax | (auth << 4)
    return bytes([h, timeout, pol, q, inv]) + u32(cseq) + u32(random) + start


def prov(status_idx=1, sdp=False, unreliable=False, nocookie=False):
    # prov_status = {180, 183, 181, 182, 100, 199, 101, 183}
    op = (0x10 if sdp else 0) | (0x20 if unreliable else 0) | (0xC0 if nocookie else 0)
    return bytes([op, status_idx])


def final(idx=0):
    # final_status = {200, 486, 200, 603, 202, 487, 500, 699}
    return bytes([2, idx])


CANCEL = bytes([3])
TIMER = bytes([7])
TO_DEADLINE = bytes([8])
JUST_BEFORE_DEADLINE = bytes([0x88])
AGAIN = bytes([11])  # the last PRACK once more


def move(slot=1):
    return bytes([10 | (slot << 4)])


def prack(how=0, cseq=0, rack=True, sdp=False, method=0, extra=b"", rack_cseq=None):
    # how: 0 unacked (or last), 1 +1, 2 -1, 3 the first, 4 the latest acknowledged,
    #      5 +2^32, 6 u64, 7 u32 (extra); cseq: 0 new, 1 as the acknowledging one,
    #      2 as the latest, 3 u32 (extra)
    # method byte: 0 "INVITE", 4 "invite", 8 "INVITEX", 0x40 "INVIT", 0x80 no method
    b = (1 if rack else 0) | (2 if sdp else 0) | (how << 2) | (cseq << 5)
    mb = method
    tail = b""
    if rack_cseq is not None:  # 0 +2^32, 1 +1, 2 -1
        b |= 0x80
        mb |= rack_cseq
    return bytes([4, b]) + extra + bytes([mb]) + tail


def step(kind, extra=b""):
    # 0:0 1:1 2:T1-1 3:T1 4:2T1 5:64T1 6:u16 7:u32 8:T1*u8 9:u64
    return bytes([6, kind]) + extra


def late(what, plus=0, arg=b""):
    # the next call at 64*T1 + plus: 0 a provisional (arg: status byte),
    # 1 a final (200 ...), 2 a PRACK (arg: its bytes), 3 CANCEL
    return bytes([12 | (plus << 4) | (what << 6)]) + arg


def gen_uas():
    ok = prack(0)
    write("uas", "full-call", uas_header() + prov(1, sdp=True) + ok + final(0))
    write("uas", "full-call-no-cookies",
          uas_header() + prov(1, sdp=True, nocookie=True) + ok + prov(0, nocookie=True) + final(0))
    write("uas", "retransmit-then-prack",
          uas_header() + prov(1, sdp=True) + step(3) + step(4) + ok + final(0) + step(5))
    write("uas", "timeout", uas_header() + prov(1, sdp=True) + TO_DEADLINE * 9 + ok + AGAIN)
    write("uas", "timeout-drops-queue",
          uas_header() + prov(0, sdp=True) + prov(1) + prov(2, nocookie=True) + TO_DEADLINE * 9 + ok)
    write("uas", "held-2xx-timeout",
          uas_header() + prov(1, sdp=True) + final(0) + TO_DEADLINE * 9 + ok)
    write("uas", "held-2xx-replaced",
          uas_header() + prov(1, sdp=True) + final(0) + final(1) + ok + AGAIN)
    write("uas", "cancel-while-held",
          uas_header() + prov(1, sdp=True) + final(0) + CANCEL + ok + TIMER)
    write("uas", "cancel-waiting-prack",
          uas_header() + prov(0) + prov(1) + CANCEL + ok + step(5) + TIMER)
    write("uas", "cancel-after-final", uas_header() + prov(0) + ok + final(0) + CANCEL + CANCEL)
    write("uas", "cancel-after-420", uas_header(policy=0, inv=0x02) + CANCEL + prov(0) + final(0))
    write("uas", "cancel-after-421", uas_header(policy=2, inv=0x04) + CANCEL + ok)
    write("uas", "queue-three",
          uas_header() + prov(0, sdp=True) + prov(1) + prov(2, nocookie=True) + prov(3) + ok + ok
          + ok + ok + final(0))
    write("uas", "queue-full", uas_header(qmax=1) + prov(0) + prov(1) + prov(2) + prov(3))
    write("uas", "queue-none", uas_header(qmax=0) + prov(0) + prov(1) + ok + prov(1) + final(0))
    write("uas", "queue-eight",
          uas_header() + prov(0) + b"".join(prov(i % 8) for i in range(9)) + ok * 3 + final(1))
    write("uas", "queue-dropped-by-final", uas_header() + prov(0) + prov(1) + prov(2) + final(1))
    write("uas", "unacked-released-by-2xx",
          uas_header(inv=0x01) + prov(0, sdp=True) + ok + prov(1) + final(0) + ok + AGAIN)
    write("uas", "refresh",
          uas_header(refresh=2) + prov(1, sdp=True) + ok + step(6, u16(1000)) + ok
          + step(6, u16(1000)) + final(0))
    write("uas", "refresh-unacked-then-final",
          uas_header(refresh=2) + prov(1, sdp=True) + ok + step(6, u16(1000)) + step(3) + final(1))
    write("uas", "huge-jump", uas_header() + prov(1) + step(9, u64(0xFFFFFFFFFFFFFFF0)) + TIMER)
    write("uas", "end-of-time", uas_header(start=b"\x03\x00\x05") + prov(1) + TO_DEADLINE * 3 + ok)
    write("uas", "late-timer-one-retransmission",
          uas_header() + prov(1) + step(6, u16(7000)) + step(3) + ok)
    write("uas", "bad-pracks",
          uas_header() + prov(1) + prack(rack=False) + prack(1) + prack(2) + prack(0, method=4)
          + prack(0, method=0x40) + prack(0, method=0x80) + prack(0, method=0x90) + ok + ok)
    write("uas", "prack-rack-cseq-off",
          uas_header() + prov(1) + prack(0, rack_cseq=0) + prack(0, rack_cseq=1)
          + prack(0, rack_cseq=2) + prack(5) + ok)
    write("uas", "prack-retransmitted",
          uas_header() + prov(1) + ok + AGAIN + prack(4, cseq=1) + prack(4, cseq=0) + AGAIN)
    write("uas", "prack-old-rseq-after-newer",
          uas_header() + prov(1) + ok + prov(0) + prack(0, cseq=0) + prack(3, cseq=3, extra=u32(2))
          + prack(3) + prack(4, cseq=1) + final(0))
    write("uas", "prack-retransmitted-answer",
          uas_header() + prov(1, sdp=True) + ok + prov(0, sdp=True) + prack(0, sdp=True) + AGAIN
          + prack(4, cseq=1, sdp=True) + final(0))
    write("uas", "offer-in-prack",
          uas_header() + prov(1, sdp=True) + ok + prov(0, sdp=True) + prack(0, sdp=True) + final(0))
    write("uas", "no-offer-invite",
          uas_header(inv=0x01) + prov(0) + prov(0, sdp=True) + prack(0, sdp=True) + final(0))
    write("uas", "policy-off-require", uas_header(policy=0, inv=0x02) + prov(0) + CANCEL)
    write("uas", "policy-required-absent", uas_header(policy=2, inv=0x04) + final(0))
    write("uas", "unreliable", uas_header(inv=0x04) + prov(0) + prov(1, sdp=True) + final(0) + TIMER)
    write("uas", "unreliable-flag",
          uas_header() + prov(0, unreliable=True) + prov(4) + prov(1) + prov(0, unreliable=True, nocookie=True)
          + final(1))
    write("uas", "time-backwards",
          uas_header() + prov(1) + step(6, u16(600)) + bytes([9, 0x20, 9, 0x22, 9, 0x01, 9, 0x06, 9, 0x08]))
    write("uas", "defaults", uas_header(null_cfg=True) + prov(1, sdp=True) + final(3) + ok)
    write("uas", "invalid-t1", uas_header(t1=6))
    write("uas", "invalid-queue-max", uas_header(qmax=9))
    write("uas", "invalid-auth-max", uas_header(bad=0))
    write("uas", "invalid-after-2xx", uas_header(bad=1))
    write("uas", "invalid-cache", uas_header(bad=2))
    write("uas", "invalid-reserved", uas_header(bad=3))
    write("uas", "invalid-invite-flag", uas_header(inv=0x0D))
    write("uas", "final-errors", uas_header() + final(0) + final(1) + prov(0) + bytes([2, 0x80]))
    write("uas", "cseq-top", uas_header(cseq=0xFFFFFFFF) + prov(1) + ok + prack(0, rack_cseq=0) + final(0))
    write("uas", "cseq-2to31", uas_header(cseq=0x80000000) + prov(1) + ok + final(0))
    write("uas", "late-1xx", uas_header() + prov(1, sdp=True) + late(0, 0, b"\x00") + ok)
    write("uas", "late-1xx-queued", uas_header() + prov(1) + prov(0) + late(0, 1, b"\x01") + ok + AGAIN)
    write("uas", "late-final", uas_header() + prov(1, sdp=True) + late(1, 0) + ok)
    write("uas", "late-final-held", uas_header() + prov(1, sdp=True) + final(0) + late(1, 2) + ok)
    write("uas", "late-prack", uas_header() + prov(1) + late(2, 0, b"\x01\x00") + AGAIN + CANCEL)
    write("uas", "late-prack-held", uas_header() + prov(1, sdp=True) + final(0) + late(2, 3, b"\x01\x00"))
    write("uas", "late-cancel", uas_header() + prov(1) + prov(0) + late(3, 1) + ok)
    write("uas", "just-before-timeout",
          uas_header() + prov(1) + TO_DEADLINE * 6 + JUST_BEFORE_DEADLINE + ok + final(0))
    write("uas", "moved-everywhere",
          uas_header() + move(1) + prov(1, sdp=True) + move(2) + prov(0) + move(0) + step(3) + TIMER
          + move(1) + ok + move(2) + ok + move(0) + final(0) + move(1) + CANCEL)
    write("uas", "moved-while-held",
          uas_header() + prov(1, sdp=True) + final(0) + move(2) + TO_DEADLINE + move(1) + ok + AGAIN)
    # formerly found bugs, kept in the new input language
    write("uas", "init-error-leaves-batch-empty", uas_header(t1=7) + prov(0), prefix="regress-")
    write("uas", "refresh-at-end-of-time",
          uas_header(refresh=5, start=b"\x03\x9c\x40") + prov(1, sdp=True) + ok + TIMER + TO_DEADLINE * 3,
          prefix="regress-")
    write("uas", "time-backwards-after-send",
          uas_header() + step(6, u16(1000)) + prov(1) + bytes([9, 0x02, 9, 0x04]), prefix="regress-")


# --------------------------------------------------------------------------
# uac: header (9 bytes), then operations (low 3 bits: which, bit 3: variant,
# high nibble: 0 no To-tag, 1-4 dialogs 0-3).


def uac_header(policy=1, terminate=False, after_2xx=True, cache=False, auth=3, cseq=1, invite_sdp=True,
               now=0, null_cfg=False, bad_t1=False, bad_reserved=False):
    h = policy | (4 if terminate else 0) | (8 if after_2xx else 0) | (0x10 if cache else 0) \
        | (0x60 if bad_t1 else 0)
    a = auth | (0xC0 if bad_reserved else 0)
    ib = (1 if invite_sdp else 0) | (8 if null_cfg else 0)
    return bytes([h, a]) + u32(cseq) + bytes([ib]) + u16(now)


def dlg(d):
    return (d + 1) << 4


def rel(d=0, status_idx=0, sdp=False, how=0, extra=b"", cseq=None):
    # prov_status = {183, 180, 100, 181, 182, 199, 101, 183}
    # how: 0 last+1, 2 last, 3 last+2+u8, 4 last-1, 5 last-16, 6 u32, 7 u64, 8 2^32-1-u8%3, 9 2^32
    # cseq: None the INVITE's, or 0 one less, 1 one more, 2 top bit flipped
    b = status_idx | (0x40 if sdp else 0)
    if cseq is None:
        return bytes([dlg(d) | 0, b, how]) + extra
    return bytes([dlg(d) | 0x09, b, cseq, how]) + extra


def unrel(d=0, status_idx=1):
    return bytes([dlg(d) | 0, 0x08 | status_idx, 0x00, 0])


def fin(d=0, idx=0, flags=0, cseq=None):
    # final_status = {200, 486, 420, 421, 202, 487, 500, 603}; flags: 1 REQUIRE, 4 SDP, 8 UNSUPPORTED
    if cseq is None:
        return bytes([dlg(d) | 2, idx | (flags << 3), 0])
    return bytes([dlg(d) | 0x0A, idx | (flags << 3), 0, cseq])


def prsp(d=0, idx=0, sdp=False, how=None, extra=b""):
    # prack_status = {200, 401, 407, 481, 408, 405, 500, 100}; names the last RSeq, or pick by how
    b = idx | (0x20 if sdp else 0)
    if how is None:
        return bytes([dlg(d) | 3, b])
    return bytes([dlg(d) | 0x0B, b, how]) + extra


def offer(d=0, how=None, extra=b""):
    if how is None:
        return bytes([dlg(d) | 4])
    return bytes([dlg(d) | 0x0C, how]) + extra


def wait(ms):
    return bytes([0x05, 0x00]) + u16(ms)


def back(d=0, by=5):
    return bytes([dlg(d) | 0x0D, by])


def umove(d=None, slot=1):
    return bytes([0x0E, slot]) if d is None else bytes([dlg(d) | 6, slot])


def reinvite(sdp=True, anytime=False, cseq=None):
    b = (1 if sdp else 0) | (0x80 if cseq is not None else 0)
    return bytes([0x0F if anytime else 0x07, b]) + (u32(cseq) if cseq is not None else b"")


def gen_uac():
    write("uac", "in-order", uac_header() + rel(sdp=True) + prsp() + rel(status_idx=1) + prsp() + fin(flags=4))
    write("uac", "retransmission", uac_header() + rel() + rel(how=2) + rel(how=2) + rel(how=4) + fin())
    write("uac", "gap-discarded", uac_header() + rel() + rel(how=3, extra=b"\x00") + rel() + rel() + fin())
    write("uac", "gap-cached", uac_header(cache=True) + rel() + rel(how=3, extra=b"\x01")
          + rel(how=3, extra=b"\x00") + rel() + rel(how=3, extra=b"\x09") + fin())
    write("uac", "cache-dropped-at-final", uac_header(cache=True) + rel() + rel(how=3, extra=b"\x02")
          + rel(how=3, extra=b"\x04") + fin(idx=1))
    write("uac", "two-forks", uac_header() + rel(0, sdp=True) + rel(1, sdp=True) + rel(0) + rel(1)
          + rel(1, how=2) + fin(0) + rel(1) + fin(1, idx=5))
    write("uac", "other-fork-after-2xx", uac_header(invite_sdp=False) + rel(0) + fin(0, flags=4)
          + rel(1, sdp=True) + rel(1) + rel(0) + rel(2, sdp=True) + prsp(1) + fin(1))
    write("uac", "other-fork-offer-answered", uac_header() + fin(0, flags=4) + rel(1, sdp=True)
          + offer(1) + prsp(1))
    write("uac", "after-2xx", uac_header() + rel() + fin() + rel() + rel(1) + unrel())
    write("uac", "after-2xx-off", uac_header(after_2xx=False) + rel() + fin() + rel() + unrel())
    write("uac", "after-failure", uac_header() + rel() + fin(idx=1) + rel() + rel(1))
    write("uac", "auth", uac_header() + rel() + prsp(idx=1) + prsp(idx=1) + prsp(idx=2)
          + prsp() + fin())
    write("uac", "auth-max-then-fail", uac_header(auth=2) + rel() + prsp(idx=2) + prsp(idx=1)
          + prsp(idx=1) + prsp(idx=2) + fin())
    write("uac", "auth-none", uac_header(auth=0, terminate=True) + rel() + prsp(idx=1) + fin())
    write("uac", "auth-older-prack", uac_header() + rel() + rel() + rel() + prsp(idx=2, how=4)
          + prsp(idx=1, how=4) + prsp(idx=0, how=4) + prsp(idx=2, how=5) + fin())
    write("uac", "auth-beyond-window", uac_header() + rel() + b"".join(rel() for _ in range(17))
          + prsp(idx=1, how=5) + fin())
    write("uac", "prack-fails-terminate", uac_header(terminate=True) + rel() + prsp(idx=3)
          + rel() + prsp(idx=4) + fin())
    write("uac", "prack-response-rseq-zero", uac_header() + rel() + prsp(how=5) + prsp(how=9) + fin())
    write("uac", "prack-response-unknown-rseq", uac_header() + rel() + prsp(how=1) + prsp(how=6, extra=u32(7))
          + fin())
    write("uac", "prack-response-other-method", uac_header() + rel() + bytes([0x13, 0xC0]) + fin())
    write("uac", "offer-in-prack", uac_header() + rel(sdp=True) + offer() + prsp(sdp=True)
          + rel(sdp=True) + offer() + prsp() + fin())
    write("uac", "offer-in-prack-wrong-rseq", uac_header() + rel(sdp=True) + offer(how=0)
          + offer(how=4) + offer() + offer() + prsp(sdp=True) + fin())
    write("uac", "offer-with-cached", uac_header(cache=True) + rel() + rel(how=3, extra=b"\x00")
          + rel(sdp=True) + offer(how=4) + prsp(how=4, sdp=True) + fin())
    write("uac", "offer-after-final", uac_header() + rel(sdp=True) + fin(-1, idx=1) + offer())
    write("uac", "offer-after-other-2xx", uac_header() + rel(sdp=True) + fin(1, flags=4) + offer())
    write("uac", "offer-prack-failed", uac_header() + rel(sdp=True) + offer() + prsp(idx=3) + fin())
    write("uac", "no-offer-invite", uac_header(invite_sdp=False) + rel(sdp=True) + prsp()
          + fin(flags=4))
    write("uac", "retry-420", uac_header(policy=2) + fin(idx=2, flags=8))
    write("uac", "retry-421", uac_header(policy=1) + fin(idx=3, flags=1))
    write("uac", "no-retry-policy-off", uac_header(policy=0) + fin(idx=3, flags=1))
    write("uac", "unreliable-and-100", uac_header() + unrel(status_idx=2) + unrel() + fin())
    write("uac", "no-to-tag", uac_header() + bytes([0x00, 0x00, 0x00]) + bytes([0x03, 0x00]) + fin(-1))
    write("uac", "bad-rseq", uac_header() + rel(how=5) + rel(how=9) + rel(how=7, extra=u64(1 << 40)))
    write("uac", "wrong-cseq", uac_header(cseq=100) + rel(cseq=0) + rel(cseq=1) + rel(cseq=2) + rel()
          + rel(cseq=0) + fin(cseq=0) + fin(cseq=1) + fin())
    write("uac", "cseq-top", uac_header(cseq=0xFFFFFFFF) + rel() + prsp() + rel(cseq=1) + fin())
    write("uac", "reinvite", uac_header() + rel(sdp=True) + prsp() + fin(flags=4) + reinvite()
          + rel(sdp=True) + rel() + fin(flags=4) + reinvite(sdp=False) + rel(sdp=True) + fin())
    write("uac", "reinvite-after-2xx-only", uac_header() + fin(flags=4) + reinvite()
          + rel(sdp=True) + offer() + prsp(sdp=True) + fin())
    write("uac", "reinvite-old-responses", uac_header(cseq=5) + rel() + fin() + reinvite()
          + rel(cseq=0) + fin(cseq=0) + prsp() + rel() + fin())
    write("uac", "reinvite-abandoned", uac_header(cache=True) + rel(sdp=True) + rel(how=3, extra=b"\x00")
          + reinvite(anytime=True) + offer() + rel() + fin())
    write("uac", "reinvite-same-cseq-back", uac_header(cseq=7) + rel() + fin() + reinvite(cseq=8) + fin(1)
          + reinvite(cseq=7) + rel() + prsp(idx=1) + fin())
    write("uac", "time", uac_header() + rel() + wait(16) + back() + fin())
    write("uac", "moved", uac_header() + umove() + rel(sdp=True) + umove(0, 2) + rel() + umove(None, 2)
          + umove(1) + rel(1) + umove(0, 0) + prsp() + fin())
    write("uac", "defaults", uac_header(null_cfg=True) + rel() + prsp(idx=2) + fin())
    write("uac", "invalid-t1", uac_header(bad_t1=True))
    write("uac", "invalid-auth-max", uac_header(auth=4))
    write("uac", "invalid-reserved", uac_header(bad_reserved=True))
    # formerly found bugs, kept in the new input language
    write("uac", "auth-on-dialog-without-prack", uac_header() + rel(0) + prsp(1, idx=1) + prsp(1, idx=2)
          + fin(), prefix="regress-")
    write("uac", "cache-window-at-rseq-max", uac_header(cache=True) + rel(how=8, extra=b"\x02")
          + rel(how=3, extra=b"\x00") + rel(how=9) + rel() + fin(), prefix="regress-")
    write("uac", "error-leaves-batch-empty", uac_header() + rel() + back(0, 200) + prsp(how=5) + fin(),
          prefix="regress-")


# --------------------------------------------------------------------------
# pair: header (6 bytes), then network and application operations (low
# nibble: which, high nibble: the fork).


def pair_header(t1=0, forks=1, uac_policy=1, cache=False, after_2xx=True, terminate=False,
                uas_policy=(1, 1), refresh=(False, False), invite_sdp=True, cseq=1, now=0, high_cseq=False):
    # cseq bit 0: the UAS hosts answer PRACK retransmissions themselves; bits 1-2: 3 - auth_max;
    # bits 3-6 and 7-10: 8 - queue_max of each fork
    h = t1 | (4 if forks == 2 else 0) | (uac_policy << 3) | (0x20 if cache else 0) \
        | (0x40 if after_2xx else 0) | (0x80 if terminate else 0)
    g = uas_policy[0] | (uas_policy[1] << 2) | (0x10 if refresh[0] else 0) | (0x20 if refresh[1] else 0) \
        | (0x40 if invite_sdp else 0) | (0x80 if high_cseq else 0)
    return bytes([h, g]) + u16(cseq) + u16(now)


def dl(i=0):
    return bytes([0, i])


def lose(i=0):
    return bytes([2, i << 1])


def dup(i=0):
    return bytes([2, (i << 1) | 1])


def pwait(t1s=0, ms=0):
    return bytes([3, 0x80 | t1s]) if t1s else bytes([3, ms])


def app1xx(fork=0, idx=1, sdp=False, unreliable=False, nocookie=False):
    # st = {180, 183, 181, 100}
    return bytes([4 | (fork << 4), idx | (4 if sdp else 0) | (8 if unreliable else 0) | (0x10 if nocookie else 0)])


def appfinal(fork=0, idx=0):
    # finals = {200, 486, 180, 603, 202, 500, 200, 404}
    return bytes([5 | (fork << 4), idx])


P_CANCEL = bytes([6])
NEXT_DUE = bytes([13])


def pmove(what=0, fork=0, slot=1):
    # what: 0 the UAS of the fork, 1 the UAC, 2 the UAC's dialog of the fork
    return bytes([8 | (fork << 4), what | (slot << 2)])


def challenge(i=0, code=407):
    return bytes([9, (i << 1) | (1 if code == 401 else 0)])


def stray(i=0, older=True):
    return bytes([10, (i << 1) | (1 if older else 0)])


def gen_pair():
    write("pair", "clean-call", pair_header() + dl() + app1xx(sdp=True) + dl() + dl() + dl() + appfinal() + dl())
    write("pair", "clean-call-no-txn-layer", pair_header(cseq=2) + dl() + app1xx(sdp=True) + dl() + dup()
          + dl() + dl() + dl() + dl() + appfinal() + dl())
    write("pair", "prack-lost", pair_header(t1=3) + dl() + app1xx(sdp=True) + dl() + lose() + pwait(1)
          + dl() + appfinal() + pwait(4) + dl() + dl())
    write("pair", "prack-retransmitted-no-txn-layer", pair_header(t1=3, cseq=2) + dl() + app1xx(sdp=True)
          + dl() + dl() + lose() + pwait(1) + dl() + dl() + app1xx() + dl() + dl() + pwait(2) + dl() + dl()
          + dl() + appfinal() + dl())
    write("pair", "1xx-lost", pair_header(t1=3) + dl() + app1xx(sdp=True) + lose() + pwait(1) + dl() + dl()
          + appfinal() + dl())
    write("pair", "timeout-5xx", pair_header(t1=1) + dl() + app1xx(sdp=True) + appfinal()
          + (lose() + pwait(1)) * 12 + pwait(70))
    write("pair", "late-prack-after-timeout", pair_header(t1=1) + dl() + app1xx() + dl() + pwait(70)
          + dl() + appfinal() + dl() + dl())
    write("pair", "duplicates", pair_header() + dl() + app1xx() + dup() + dl() + dl() + dup() + dl() + dl()
          + dl() + appfinal(idx=1) + dup() + dl() + dl())
    write("pair", "reordered", pair_header(cache=True) + dl() + app1xx(idx=0) + dl(1) + app1xx(idx=1)
          + app1xx(idx=2) + dl(1) + dl(0) + dl(0) + dl(0) + dl(0) + appfinal() + dl())
    write("pair", "fork", pair_header(forks=2) + dl() + dl() + app1xx(0, sdp=True) + app1xx(1, sdp=True)
          + dl(1) + dl(0) + dl(0) + dl(0) + appfinal(1, 1) + appfinal(0) + dl() + dl() + dl())
    write("pair", "fork-1xx-after-other-2xx", pair_header(forks=2) + dl() + dl() + app1xx(0, sdp=True)
          + dl() + dl() + appfinal(0) + dl() + app1xx(1, sdp=True) + dl() + dl() + dl() + appfinal(1, 1) + dl())
    write("pair", "cancel-while-prack-awaited", pair_header() + dl() + app1xx(sdp=True) + dl() + P_CANCEL
          + dl(1) + dl(0) + dl() + dl())
    write("pair", "cancel-held-2xx", pair_header() + dl() + app1xx(sdp=True) + appfinal() + dl() + lose()
          + P_CANCEL + dl() + dl() + pwait(2) + dl())
    write("pair", "cancel-after-final", pair_header() + dl() + appfinal(idx=1) + P_CANCEL + dl() + dl())
    write("pair", "policy-mismatch-420", pair_header(uac_policy=2, uas_policy=(0, 0)) + dl() + P_CANCEL + dl()
          + dl())
    write("pair", "policy-mismatch-421", pair_header(uac_policy=0, uas_policy=(2, 2)) + dl() + dl())
    write("pair", "no-100rel", pair_header(uac_policy=0, uas_policy=(1, 1)) + dl() + app1xx(sdp=True)
          + dl() + appfinal() + dl())
    write("pair", "no-offer-in-invite", pair_header(invite_sdp=False) + dl() + app1xx(sdp=False) + dl()
          + dl() + dl() + appfinal() + dl())
    write("pair", "refresh", pair_header(refresh=(True, True)) + dl() + app1xx() + dl() + dl() + dl()
          + pwait(3) + dl() + dl() + dl() + appfinal() + dl())
    write("pair", "terminate-on-failure", pair_header(t1=1, terminate=True) + dl() + app1xx()
          + dl() + lose() + pwait(70) + dl())
    write("pair", "invite-lost", pair_header(forks=2) + lose() + bytes([7]) + dl() + dl() + app1xx(1)
          + dl() + dl())
    write("pair", "queue-and-cookies", pair_header(cseq=1 | (6 << 3)) + dl() + app1xx(idx=0)
          + app1xx(idx=1, nocookie=True) + app1xx(idx=2) + app1xx(idx=1) + dl() + dl() + dl() + dl() + dl()
          + appfinal(idx=1) + dl() + dl())
    write("pair", "proxy-challenges", pair_header() + dl() + app1xx(sdp=True) + dl() + challenge(0, 407)
          + challenge(0, 401) + dl() + dl() + appfinal() + dl())
    write("pair", "proxy-challenges-exhausted", pair_header(cseq=1 | (3 << 1), terminate=True) + dl()
          + app1xx() + dl() + challenge(0) + dl() + dl())
    write("pair", "stray-older-cseq", pair_header() + dl() + app1xx() + stray(0) + stray(0, False) + dl()
          + dl() + dl() + dl() + appfinal() + stray(0) + dl() + dl())
    write("pair", "moved", pair_header(forks=2) + dl() + dl() + pmove(0, 0, 1) + app1xx(0, sdp=True)
          + pmove(1, 0, 2) + dl() + pmove(2, 0, 1) + dl() + pmove(0, 0, 2) + dl() + pmove(2, 1, 2)
          + appfinal(0) + dl())
    write("pair", "high-cseq", pair_header(high_cseq=True) + dl() + app1xx(sdp=True) + dl() + dl()
          + appfinal() + dl())
    write("pair", "next-due", pair_header(t1=2) + dl() + app1xx() + lose() + NEXT_DUE * 8 + dl() + dl())


# --------------------------------------------------------------------------
# header: mode byte (0 RSeq, 1 RAck, 2 option tags, 3 formatters), two argument bytes, text.


def gen_header():
    for i, s in enumerate([b"776656", b"1", b"4294967295", b"4294967296", b"0", b"007", b" \t 12 ",
                           b"\r\n 5", b"5\r\n", b"+5", b"1 2", b"", b"99999999999999999999"]):
        write("header", "rseq-%02d" % i, b"\x00\x00\x00" + s)
    for i, s in enumerate([b"776656 1 INVITE", b"1 0 invite", b"1\r\n 2\t INVITE \t",
                           b"4294967295 2147483647 X", b"4294967296 1 INVITE", b"1 2147483648 INVITE",
                           b"0 1 INVITE", b"1 1", b"1 1 INV ITE", b"1 1 INVITE\r\n", b"1 1 I{",
                           b"1  1  a-.!%*_+`'~", b"1 4294967295 INVITE", b"1 4294967296 INVITE",
                           b"1 004294967295 INVITE"]):
        write("header", "rack-%02d" % i, b"\x01\x00\x00" + s)
    for i, (tag, s) in enumerate([(0, b"100rel"), (1, b"timer, 100rel"), (0, b"timer ,\t100REL , x"),
                                  (0, b""), (0, b"  "), (0, b",100rel"), (0, b"100rel,"),
                                  (0, b"timer 100rel"), (2, b"precondition,timer"), (0, b"100rel2"),
                                  (4, b"x,\r\n y"), (5, b"a b"), (6, b"100rel")]):
        write("header", "tags-%02d" % i, bytes([2, tag, 0]) + s)
    write("header", "tags-self", b"\x02\x80\x06100rel,x")
    write("header", "format-rack", b"\x03\x00\x00" + u32(776656) + u32(1) + b"INVITE")
    write("header", "format-rack-high-cseq", b"\x03\x01\x00" + u32(776656) + u32(1) + b"INVITE")
    write("header", "format-bad-method", b"\x03\x00\x00" + u32(1) + u32(1) + b"IN VITE")
    write("header", "format-zero", b"\x03\x02\x00" + u32(0) + u32(0xFFFFFFFF) + b"X")


# --------------------------------------------------------------------------
# sipmsg: one datagram as it comes off the wire (CRLF line ends).


def sip(*lines, body=b""):
    head = "\r\n".join(lines).encode() + b"\r\n\r\n"
    return head + body


SDP = (b"v=0\r\no=alice 2890844526 2890844526 IN IP4 192.0.2.1\r\ns=-\r\n"
       b"c=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n")
VIA = "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK74bf9;rport"
FROM = "From: \"Alice\" <sip:alice@example.com>;tag=9fxced76sl"
TO = "To: <sip:bob@example.com>"
TO_TAG = "To: <sip:bob@example.com>;tag=314159"
CID = "Call-ID: 3848276298220188511@192.0.2.1"


def gen_sipmsg():
    write("sipmsg", "invite-100rel-sdp", sip(
        "INVITE sip:bob@example.com SIP/2.0", VIA, "Max-Forwards: 70", FROM, TO, CID,
        "CSeq: 1 INVITE", "Contact: <sip:alice@192.0.2.1:5060>", "Supported: 100rel, timer",
        "Allow: INVITE, ACK, CANCEL, BYE, PRACK, UPDATE", "Content-Type: application/sdp",
        "Content-Length: %d" % len(SDP), body=SDP))
    write("sipmsg", "invite-require-100rel", sip(
        "INVITE sip:bob@example.com;transport=udp SIP/2.0", VIA, FROM, TO, CID, "CSeq: 4711 INVITE",
        "Require: 100rel", "Proxy-Require: foo", "Contact: \"A, B\" <sip:alice@192.0.2.1>;expires=60",
        "Content-Length: 0"))
    write("sipmsg", "183-rseq-sdp", sip(
        "SIP/2.0 183 Session Progress", VIA, FROM, TO_TAG, CID, "CSeq: 1 INVITE",
        "Contact: <sip:bob@192.0.2.2>", "Require: 100rel", "RSeq: 988789",
        "Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>",
        "Record-Route: <sip:[2001:db8::1]:5070;lr;transport=udp>",
        "Content-Type: application/sdp", "Content-Length: %d" % len(SDP), body=SDP))
    write("sipmsg", "180-no-100rel", sip(
        "SIP/2.0 180 Ringing", VIA, FROM, TO_TAG, CID, "CSeq: 1 INVITE", "Content-Length: 0"))
    write("sipmsg", "prack-rack", sip(
        "PRACK sip:bob@192.0.2.2 SIP/2.0", "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-p1",
        FROM, TO_TAG, CID, "CSeq: 2 PRACK", "RAck: 988789 1 INVITE",
        "Route: <sip:p2.example.com;lr>,<sip:p1.example.com;lr>", "Content-Length: 0"))
    write("sipmsg", "prack-with-offer", sip(
        "PRACK sip:bob@192.0.2.2 SIP/2.0", VIA, FROM, TO_TAG, CID, "CSeq: 3 PRACK",
        "RAck: 988790 1 INVITE", "Content-Type: application/sdp;charset=utf-8",
        "Content-Length: %d" % len(SDP), body=SDP))
    write("sipmsg", "200-prack", sip(
        "SIP/2.0 200 OK", VIA, FROM, TO_TAG, CID, "CSeq: 2 PRACK", "Content-Length: 0"))
    write("sipmsg", "401-challenge", sip(
        "SIP/2.0 401 Unauthorized", VIA, FROM, TO_TAG, CID, "CSeq: 2 PRACK",
        'WWW-Authenticate: Digest realm="example.com", nonce="0000018c2f5e3a10d41d8cd98f00b204", '
        'opaque="5ccc069c403ebaf9f0171e9517f40e41", algorithm=MD5, qop="auth,auth-int", stale=FALSE',
        "Content-Length: 0"))
    write("sipmsg", "407-md5-sess", sip(
        "SIP/2.0 407 Proxy Authentication Required", VIA, FROM, TO_TAG, CID, "CSeq: 1 INVITE",
        'Proxy-Authenticate: Digest realm="proxy \\"one\\"", nonce=abc123, algorithm=MD5-sess, qop=auth',
        "Content-Length: 0"))
    write("sipmsg", "prack-authorization", sip(
        "PRACK sip:bob@192.0.2.2 SIP/2.0", VIA, FROM, TO_TAG, CID, "CSeq: 4 PRACK",
        "RAck: 988789 1 INVITE",
        'Authorization: Digest username="alice", realm="example.com", '
        'nonce="0000018c2f5e3a10d41d8cd98f00b204", uri="sip:bob@192.0.2.2", '
        'response="6629fae49393a05397450978507c4ef1", algorithm=MD5, qop=auth, nc=00000001, '
        'cnonce="0a4f113b", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
        "Content-Length: 0"))
    # odd ones: compact forms, folding, case, leading CRLFs, IPv6, no Content-Length
    write("sipmsg", "compact-folded", b"\r\n\r\n" + sip(
        "INVITE sips:bob@[2001:db8::2]:5061 SIP/2.0",
        "v: SIP / 2.0 / UDP [2001:db8::1] : 5062 ;branch=z9hG4bKfold ;received=192.0.2.9",
        "f: <sip:alice@example.com>\r\n  ;tag=ab-12", "t: sip:bob@example.com", "i: fold@x",
        "CSEQ: 7 INVITE", "k: 100REL", "m: <sip:alice@[2001:db8::1]:5062>",
        "c: application/SDP", "l: %d" % len(SDP), "X-Custom:  \t value\r\n\twith fold  ", body=SDP))
    write("sipmsg", "no-content-length", sip(
        "SIP/2.0 183 Progress", VIA, FROM, TO_TAG, CID, "CSeq: 1 INVITE", "Require: 100rel",
        "RSeq: 1", "Content-Type: application/sdp", body=SDP))
    write("sipmsg", "bad-version", sip(
        "INVITE sip:bob@example.com SIP/3.0", VIA, FROM, TO, CID, "CSeq: 1 INVITE"))
    write("sipmsg", "cseq-method-mismatch", sip(
        "PRACK sip:bob@example.com SIP/2.0", VIA, FROM, TO_TAG, CID, "CSeq: 2 INVITE"))
    write("sipmsg", "content-length-too-long", sip(
        "SIP/2.0 200 OK", VIA, FROM, TO_TAG, CID, "CSeq: 1 INVITE", "Content-Length: 500", body=b"v=0"))
    write("sipmsg", "two-to", sip("BYE sip:b@h SIP/2.0", VIA, FROM, TO, TO_TAG, CID, "CSeq: 9 BYE"))
    write("sipmsg", "bad-header-line", sip("INVITE sip:b@h SIP/2.0", VIA, "No colon here", FROM))
    write("sipmsg", "unterminated", b"INVITE sip:b@h SIP/2.0\r\n" + VIA.encode() + b"\r\n")
    write("sipmsg", "keepalive", b"\r\n\r\n")
    write("sipmsg", "options-many-vias", sip(
        "OPTIONS sip:b@h SIP/2.0", *["Via: SIP/2.0/UDP p%d.example.com;branch=z9hG4bK%d" % (i, i)
                                     for i in range(12)],
        FROM, TO, CID, "CSeq: 1 OPTIONS", "Unsupported: 100rel", "Contact: *"))
    write("sipmsg", "update-bad-uri-port", sip(
        "UPDATE sip:bob@host:0;lr SIP/2.0", VIA, FROM, TO_TAG, CID, "CSeq: 5 UPDATE",
        "Contact: <sip:b@h:65536>", "Route: <sip:p1;lr", "Content-Length: 0"))


if __name__ == "__main__":
    gen_uas()
    gen_uac()
    gen_pair()
    gen_header()
    gen_sipmsg()
