#!/usr/bin/env python3
"""Write the hand-made seed inputs of the fuzz targets into fuzz/corpus/<target>/.

Each seed is a scenario spelled in the byte language its target reads (see the
comment at the top of each fuzz/<target>/<target>.c), so that the replay under
`meson test` walks real paths: a whole call, a timeout, a CANCEL while a PRACK
is awaited, RSeq gaps and retransmissions, forks, lossy delivery. Inputs found
by fuzzing are kept beside them (files not named seed-*); this script only
rewrites the seed-* files.

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


def write(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(bytes(data))


# --------------------------------------------------------------------------
# uas: header (14 bytes or so), then operations.


def uas_header(t1=0, refresh=0, timeout=4, policy=1, null_cfg=False, inv=0x05, cseq=1, qcap=4,
               random=0x12345678, start=0):
    h = (t1 & 7) | ((refresh & 7) << 3)
    pol = policy | (0x40 if null_cfg else 0)
    return bytes([h, timeout, pol, inv]) + u32(cseq) + bytes([qcap]) + u32(random) + bytes([start])


def prov(status_idx, sdp=False, unreliable=False):
    # prov_status = {180, 183, 181, 182, 100, 199, 101, 183}
    fl = (1 if sdp else 0) | (2 if unreliable else 0)
    return bytes([0 | (fl << 3), status_idx])


def final(idx):
    # final_status = {200, 486, 200, 603, 202, 487, 500, 699}
    return bytes([1, idx])


CANCEL = bytes([2])
TIMER = bytes([5])
TO_DEADLINE = bytes([6])


def prack(rseq_how=0, rack=True, sdp=False, method=0, extra=b""):
    b = (1 if rack else 0) | (2 if sdp else 0) | (rseq_how << 2)
    return bytes([3, b]) + extra + bytes([method])


def step(kind, extra=b""):
    # 0:0 1:1 2:T1-1 3:T1 4:2T1 5:64T1 6:u16 7:u32 8:T1*u8 9:u64
    return bytes([4, kind]) + extra


def gen_uas():
    ok_prack = prack(0)
    write("uas", "full-call", uas_header() + prov(1, sdp=True) + ok_prack + final(0))
    write("uas", "retransmit-then-prack",
          uas_header() + prov(1, sdp=True) + step(3) + step(4) + ok_prack + final(0) + step(5))
    write("uas", "timeout", uas_header() + prov(1, sdp=True) + TO_DEADLINE * 9 + ok_prack)
    write("uas", "held-2xx-timeout",
          uas_header() + prov(1, sdp=True) + final(0) + TO_DEADLINE * 9 + ok_prack)
    write("uas", "cancel-while-held",
          uas_header() + prov(1, sdp=True) + final(0) + CANCEL + ok_prack + TIMER)
    write("uas", "cancel-waiting-prack",
          uas_header() + prov(0) + prov(1) + CANCEL + ok_prack + step(5) + TIMER)
    write("uas", "queue-three",
          uas_header() + prov(0, sdp=True) + prov(1) + prov(2) + prov(3) + ok_prack + ok_prack
          + ok_prack + ok_prack + final(0))
    write("uas", "queue-full", uas_header(qcap=1) + prov(0) + prov(1) + prov(2) + prov(3))
    write("uas", "queue-dropped-by-final", uas_header() + prov(0) + prov(1) + prov(2) + final(1))
    write("uas", "refresh",
          uas_header(refresh=2) + prov(1, sdp=True) + ok_prack + step(6, u16(1000)) + ok_prack
          + step(6, u16(1000)) + final(0))
    write("uas", "huge-jump", uas_header() + prov(1) + step(9, u64(0xFFFFFFFFFFFFFFF0)) + TIMER)
    write("uas", "end-of-time", uas_header(start=3) + bytes([0xFF, 0x00]) + prov(1) + TO_DEADLINE * 3)
    write("uas", "late-timer-one-retransmission",
          uas_header() + prov(1) + step(6, u16(7000)) + step(3) + ok_prack)
    write("uas", "bad-pracks",
          uas_header() + prov(1) + prack(rack=False) + prack(1) + prack(2) + prack(5) + prack(0, method=1)
          + prack(0, method=0x42) + prack(0, method=0x80) + prack(0, method=0x81) + ok_prack + ok_prack)
    write("uas", "prack-cseq-off-by-2to32", uas_header() + prov(1) + bytes([3, 0x41, 0]) + ok_prack)
    write("uas", "offer-in-prack",
          uas_header() + prov(1, sdp=True) + ok_prack + prov(0, sdp=True) + prack(0, sdp=True) + final(0))
    write("uas", "no-offer-invite",
          uas_header(inv=0x01) + prov(0) + prov(0, sdp=True) + prack(0, sdp=True) + final(0))
    write("uas", "policy-off-require", uas_header(policy=0, inv=0x02) + prov(0) + CANCEL)
    write("uas", "policy-required-absent", uas_header(policy=2, inv=0x04) + final(0))
    write("uas", "unreliable", uas_header(inv=0x04) + prov(0) + prov(1, sdp=True) + final(0) + TIMER)
    write("uas", "unreliable-flag", uas_header() + prov(0, unreliable=True) + prov(4) + prov(1) + final(1))
    write("uas", "time-backwards", uas_header() + prov(1) + step(6, u16(600)) + bytes([7, 0x20, 7, 0x22, 7, 0x01]))
    write("uas", "defaults", uas_header(null_cfg=True) + prov(1, sdp=True) + final(3) + ok_prack)
    write("uas", "invalid-config", uas_header(t1=6))
    write("uas", "invalid-queue", uas_header(qcap=9))
    write("uas", "final-errors", uas_header() + final(0) + final(1) + prov(0) + bytes([1, 0x80]))


# --------------------------------------------------------------------------
# uac: header (8 bytes), then operations on dialogs (0x10: dialog 0, 0x20: 1, 0x00: no To-tag).


def uac_header(policy=1, terminate=False, after_2xx=True, cache=False, cseq=1, invite_sdp=True, now=0):
    h = policy | (4 if terminate else 0) | (8 if after_2xx else 0) | (0x10 if cache else 0)
    ib = 1 if invite_sdp else 0
    return bytes([h]) + u32(cseq) + bytes([ib]) + u16(now)


def rel(dlg=0, status_idx=0, sdp=False, how=0, extra=b""):
    # prov_status = {183, 180, 100, 181, 182, 199, 101, 183}; how: 0 last+1, 2 last, 3 last+2+u8, 4 last-1, 5 zero
    b = status_idx | (0x40 if sdp else 0)
    return bytes([((dlg + 1) << 4) | 0, b, how]) + extra


def unrel(dlg=0, status_idx=1):
    return bytes([((dlg + 1) << 4) | 0, 0x08 | status_idx, 0x00, 0])


def fin(dlg=0, idx=0, flags=0):
    # final_status = {200, 486, 420, 421, 202, 487, 500, 603}; flags: bit0 REQUIRE, 2 SDP, 3 UNSUPPORTED
    return bytes([((dlg + 1) << 4) | 3, idx | (flags << 3), 0])


def prack_rsp(dlg=0, idx=0, sdp=False):
    # prack_status = {200, 401, 407, 481, 408, 405, 500, 100}
    return bytes([((dlg + 1) << 4) | 4, idx | (0x20 if sdp else 0)])


def offer(dlg=0):
    return bytes([((dlg + 1) << 4) | 5])


def gen_uac():
    write("uac", "in-order", uac_header() + rel(sdp=True) + prack_rsp() + rel(status_idx=1, how=0)
          + prack_rsp() + fin(flags=4))
    write("uac", "retransmission", uac_header() + rel() + rel(how=2) + rel(how=2) + rel(how=4) + fin())
    write("uac", "gap-discarded", uac_header() + rel() + rel(how=3, extra=b"\x00") + rel() + rel() + fin())
    write("uac", "gap-cached", uac_header(cache=True) + rel() + rel(how=3, extra=b"\x01")
          + rel(how=3, extra=b"\x00") + rel() + rel(how=3, extra=b"\x09") + fin())
    write("uac", "cache-dropped-at-final", uac_header(cache=True) + rel() + rel(how=3, extra=b"\x02")
          + rel(how=3, extra=b"\x04") + fin(idx=1))
    write("uac", "two-forks", uac_header() + rel(0, sdp=True) + rel(1, sdp=True) + rel(0) + rel(1)
          + rel(1, how=2) + fin(0) + rel(1) + fin(1, idx=5))
    write("uac", "after-2xx", uac_header() + rel() + fin() + rel() + rel(1) + unrel())
    write("uac", "after-2xx-off", uac_header(after_2xx=False) + rel() + fin() + rel() + unrel())
    write("uac", "after-failure", uac_header() + rel() + fin(idx=1) + rel() + rel(1))
    write("uac", "auth", uac_header() + rel() + prack_rsp(idx=1) + prack_rsp(idx=1) + prack_rsp(idx=2)
          + prack_rsp() + fin())
    write("uac", "prack-fails-terminate", uac_header(terminate=True) + rel() + prack_rsp(idx=3)
          + rel() + prack_rsp(idx=4) + fin())
    write("uac", "offer-in-prack", uac_header() + rel(sdp=True) + offer() + prack_rsp(sdp=True)
          + rel(sdp=True) + offer() + prack_rsp() + fin())
    write("uac", "no-offer-invite", uac_header(invite_sdp=False) + rel(sdp=True) + prack_rsp()
          + fin(flags=4))
    write("uac", "retry-420", uac_header(policy=2) + fin(idx=2, flags=8))
    write("uac", "retry-421", uac_header(policy=0) + fin(idx=3, flags=1))
    write("uac", "unreliable-and-100", uac_header() + unrel(status_idx=2) + unrel() + fin())
    write("uac", "no-to-tag", uac_header() + bytes([0x00, 0x00, 0x00]) + bytes([0x04, 0x00]) + fin(-1))
    write("uac", "bad-rseq", uac_header() + rel(how=5) + rel(how=9) + rel(how=7, extra=u64(1 << 40)))
    write("uac", "reinvite-cseq", uac_header() + rel() + prack_rsp()
          + bytes([0x18, 0x00]) + u32(2) + bytes([0x00])
          + bytes([0x18, 0x00]) + u32(0) + bytes([0x00]) + fin())
    write("uac", "time", uac_header() + rel() + bytes([0x16, 0x00, 0x10, 0x00]) + bytes([0x17, 0x05]) + fin())


# --------------------------------------------------------------------------
# pair: header (6 bytes), then network and application operations.


def pair_header(t1=0, forks=1, uac_policy=1, cache=False, after_2xx=True, terminate=False,
                uas_policy=(1, 1), refresh=(False, False), invite_sdp=True, cseq=1, now=0):
    h = t1 | (4 if forks == 2 else 0) | (uac_policy << 3) | (0x20 if cache else 0) \
        | (0x40 if after_2xx else 0) | (0x80 if terminate else 0)
    g = uas_policy[0] | (uas_policy[1] << 2) | (0x10 if refresh[0] else 0) | (0x20 if refresh[1] else 0) \
        | (0x40 if invite_sdp else 0)
    return bytes([h, g]) + u16(cseq) + u16(now)


def dl(i=0):
    return bytes([0, i])


def lose(i=0):
    return bytes([2, i << 1])


def dup(i=0):
    return bytes([2, (i << 1) | 1])


def wait(t1s=0, ms=0):
    return bytes([3, 0x80 | t1s]) if t1s else bytes([3, ms])


def app1xx(fork=0, idx=1, sdp=False, unreliable=False):
    # st = {180, 183, 181, 100}
    return bytes([4 | (fork << 3), idx | (4 if sdp else 0) | (8 if unreliable else 0)])


def appfinal(fork=0, idx=0):
    # finals = {200, 486, 180, 603, 202, 500, 200, 404}
    return bytes([5 | (fork << 3), idx])


P_CANCEL = bytes([6])


def gen_pair():
    write("pair", "clean-call", pair_header() + dl() + app1xx(sdp=True) + dl() + dl() + dl() + appfinal() + dl())
    write("pair", "prack-lost", pair_header(t1=3) + dl() + app1xx(sdp=True) + dl() + lose() + wait(1)
          + dl() + appfinal() + wait(4) + dl() + dl())
    write("pair", "1xx-lost", pair_header(t1=3) + dl() + app1xx(sdp=True) + lose() + wait(1) + dl() + dl()
          + appfinal() + dl())
    write("pair", "timeout-5xx", pair_header(t1=1) + dl() + app1xx(sdp=True) + appfinal()
          + (lose() + wait(1)) * 12 + wait(70))
    write("pair", "duplicates", pair_header() + dl() + app1xx() + dup() + dl() + dl() + dup() + dl() + dl()
          + dl() + appfinal(idx=1) + dup() + dl() + dl())
    write("pair", "reordered", pair_header(cache=True) + dl() + app1xx(idx=0) + dl(1) + app1xx(idx=1)
          + app1xx(idx=2) + dl(1) + dl(0) + dl(0) + dl(0) + dl(0) + appfinal() + dl())
    write("pair", "fork", pair_header(forks=2) + dl() + dl() + app1xx(0, sdp=True) + app1xx(1, sdp=True)
          + dl(1) + dl(0) + dl(0) + dl(0) + appfinal(1, 1) + appfinal(0) + dl() + dl() + dl())
    write("pair", "cancel-while-prack-awaited", pair_header() + dl() + app1xx(sdp=True) + dl() + P_CANCEL
          + dl(1) + dl(0) + dl() + dl())
    write("pair", "cancel-held-2xx", pair_header() + dl() + app1xx(sdp=True) + appfinal() + dl() + lose()
          + P_CANCEL + dl() + dl() + wait(2) + dl())
    write("pair", "policy-mismatch-420", pair_header(uac_policy=2, uas_policy=(0, 0)) + dl() + dl())
    write("pair", "policy-mismatch-421", pair_header(uac_policy=0, uas_policy=(2, 2)) + dl() + dl())
    write("pair", "no-100rel", pair_header(uac_policy=0, uas_policy=(1, 1)) + dl() + app1xx(sdp=True)
          + dl() + appfinal() + dl())
    write("pair", "no-offer-in-invite", pair_header(invite_sdp=False) + dl() + app1xx(sdp=False) + dl()
          + dl() + dl() + appfinal() + dl())
    write("pair", "refresh", pair_header(refresh=(True, True)) + dl() + app1xx() + dl() + dl() + dl()
          + wait(3) + dl() + dl() + dl() + appfinal() + dl())
    write("pair", "terminate-on-failure", pair_header(t1=1, terminate=True) + dl() + app1xx()
          + dl() + lose() + wait(70) + dl())
    write("pair", "invite-lost", pair_header(forks=2) + lose() + bytes([7]) + dl() + dl() + app1xx(1)
          + dl() + dl())


# --------------------------------------------------------------------------
# header: mode byte (0 RSeq, 1 RAck, 2 option tags, 3 formatters), two argument bytes, text.


def gen_header():
    for i, s in enumerate([b"776656", b"1", b"4294967295", b"4294967296", b"0", b"007", b" \t 12 ",
                           b"\r\n 5", b"5\r\n", b"+5", b"1 2", b"", b"99999999999999999999"]):
        write("header", "rseq-%02d" % i, b"\x00\x00\x00" + s)
    for i, s in enumerate([b"776656 1 INVITE", b"1 0 invite", b"1\r\n 2\t INVITE \t",
                           b"4294967295 2147483647 X", b"4294967296 1 INVITE", b"1 2147483648 INVITE",
                           b"0 1 INVITE", b"1 1", b"1 1 INV ITE", b"1 1 INVITE\r\n", b"1 1 I{",
                           b"1  1  a-.!%*_+`'~"]):
        write("header", "rack-%02d" % i, b"\x01\x00\x00" + s)
    for i, (tag, s) in enumerate([(0, b"100rel"), (1, b"timer, 100rel"), (0, b"timer ,\t100REL , x"),
                                  (0, b""), (0, b"  "), (0, b",100rel"), (0, b"100rel,"),
                                  (0, b"timer 100rel"), (2, b"precondition,timer"), (0, b"100rel2"),
                                  (4, b"x,\r\n y"), (5, b"a b"), (6, b"100rel")]):
        write("header", "tags-%02d" % i, bytes([2, tag, 0]) + s)
    write("header", "tags-self", b"\x02\x80\x06100rel,x")
    write("header", "format-rack", b"\x03\x01\x00" + u32(776656) + u32(1) + b"INVITE")
    write("header", "format-bad-method", b"\x03\x00\x00" + u32(1) + u32(1) + b"IN VITE")
    write("header", "format-zero", b"\x03\x02\x00" + u32(0) + u32(0xFFFFFFFF) + b"X")


if __name__ == "__main__":
    gen_uas()
    gen_uac()
    gen_pair()
    gen_header()
