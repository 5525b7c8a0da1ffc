/*
 * A bounded model of one INVITE transaction with reliable provisionals
 * (RFC 3262): the libprack UAS engine and the UAC engine with one early
 * dialog, joined by a network that loses, duplicates and reorders messages.
 *
 * Time is counted in T1 ticks. Both engines depend on time only through the
 * UAS deadlines (retransmissions at T1, 3*T1, 7*T1, ... 63*T1 after a reliable
 * 1xx first went out, the 5xx at 64*T1), so the clock jumps from one deadline
 * to the next instead of ticking through the values in between; the 64*T1
 * bound and the doubling are the engine's own. A timer may fire late: every
 * UAS call in between sees a `now` past the deadline, as with a slow host.
 *
 * The engine parts (uas_* and uac_* inlines) compute the same actions as
 * lib/uas.c and lib/uac.c for the configuration below. They are not trusted:
 * each call and each action is printed as a line starting with "@@", and
 * verify/replay.c replays those lines through the C engines and compares the
 * actions one by one (verify/run-spin.sh does this for random simulations and
 * for every counterexample trail). The properties are assertions on that
 * action stream (the obs_* inlines), so on every replayed path they hold for
 * the C code too.
 *
 * Configuration: T1 = 500 ms (replay.c), refresh off, policy SUPPORTED on
 * both sides, queue_max QMAX, 504 on timeout, prack_after_2xx 1, no cache of
 * out-of-order 1xx, on_prack_failure OBSERVE, no PRACK authentication and no
 * offer in a PRACK (prack_uac_offer_in_prack() is never called). The INVITE
 * carries an offer or not (both are explored); the UAS application sends up
 * to N1XX reliable 1xx, 180 without SDP or 183 with SDP, then 200, 486 or a
 * CANCEL arrives, and a CANCEL may still race the final afterwards.
 *
 * Build options (-D): N1XX, QMAX, CAP (messages in flight per direction;
 * a message sent into a full direction is lost), ROGUE (0 disables the
 * rogue 1xx below), LONG_RUNS (see uas_host), BROKEN_GAP (a UAC that PRACKs past
 * a gap in RSeq: the model must then fail, which shows the check bites).
 */

#ifndef N1XX
#define N1XX 3
#endif
#ifndef QMAX
#define QMAX 1
#endif
#ifndef CAP
#define CAP 2
#endif
#ifndef ROGUE
#define ROGUE 1
#endif

#define TO 64          /* the 5xx, in T1 after the 1xx first went out (R20) */
#define RETX_CAP 7     /* lib/uas.c: the 7th retransmission would fall after 64*T1 */
#define TIMEOUT_STATUS 504
#define MAXR (N1XX + 2) /* largest RSeq on the wire: the rogue's */

/* prack_act_t, prack_reason_t, prack_sdp_t, PRACK_AF_*: the C values, which
 * the replay checks field by field. */
#define A_SEND_1XX 1
#define A_QUEUE_1XX 2
#define A_DROP_1XX 3
#define A_SEND_FINAL 4
#define A_HOLD_FINAL 5
#define A_ANSWER_PRACK 6
#define A_DELIVER_1XX 7
#define A_SEND_PRACK 8
#define A_DISCARD 11
#define A_DELIVER_FINAL 12
#define A_EVENT 15

#define R_NONE 0
#define R_RETRANSMISSION 1
#define R_OUT_OF_ORDER 2
#define R_AFTER_FINAL 5
#define R_NO_MATCH 7
#define R_DUPLICATE 9
#define R_TIMEOUT 10
#define R_SESSION 11
#define R_ANSWER_MISSING 12
#define R_SDP_UNEXPECTED 13
#define R_PRACK_OK 14
#define R_PRACK_FAILED 15

#define SDP_NONE 0
#define SDP_OFFER 1
#define SDP_ANSWER 2
#define SDP_MAY_OFFER 3
#define SDP_REPEAT 4

#define AF_RELIABLE 1
#define AF_RETRANSMIT 2
#define AF_RELEASED 8
#define AF_TIMEOUT 16
#define AF_CANCELLED 32
#define AF_NEW_DIALOG 256
#define AF_AUTH 1024
#define AF_REPLACES_HELD 2048
#define AF_DIALOG_GONE 4096
#define AF_RELEASE 8192
#define AF_OTHER_FORK 16384

/* prack_response_t.flags and .method */
#define RSP_REQUIRE_100REL 1
#define RSP_RSEQ 2
#define RSP_SDP 4
#define M_INVITE 1
#define M_PRACK 2

/* engine states */
#define S_PROCEEDING 1
#define S_HELD 2
#define S_COMPLETED 3
#define C_CALLING 1
#define C_ACCEPTED 2
#define C_FAILED 3

/* offer/answer, UAS (lib/uas.c) */
#define SOA_NONE 0
#define SOA_OFFER_RCVD 1
#define SOA_OFFER_SENT 2
#define SOA_DONE 3
/* offer/answer, UAC dialog (lib/uac.c) */
#define COA_UNSET 0
#define COA_NONE 1
#define COA_OFFER_SENT 2
#define COA_DONE 3

/* ---------------------------------------------------------------------- */
/* State                                                                   */
/* ---------------------------------------------------------------------- */

bit inv_sdp;            /* the INVITE carries an offer */

/* UAS engine (struct prack_uas_mem, the fields this configuration uses) */
byte s_state;
byte s_next;            /* next_rseq: 0 until the first reliable 1xx; first RSeq is 1 */
bit s_unacked;          /* F_UNACKED */
bit s_unacked_sdp;      /* F_UNACKED_SDP */
bit s_unacked_answer;   /* F_UNACKED_ANSWER */
bit s_acked;            /* F_ACKED */
bit s_ack_answer;       /* F_ACK_ANSWER */
byte s_ack_cseq;
bit s_status_sdp;       /* status of the latest reliable 1xx: 183 when set, else 180 */
short s_final;
byte s_oa;
byte s_retx;
byte s_user;
byte q_len;
bit q_sdp[QMAX + 1];    /* + 1: Promela has no empty arrays */
byte q_user[QMAX + 1];
byte elapsed;           /* T1 ticks since the unacknowledged 1xx first went out */

/* UAC engine and its one early dialog */
byte uc_state;
bit d_seen;
byte d_last;
byte d_oa;
bit d_confirmed;
byte uc_pcseq;           /* the host's CSeq for its next PRACK (the INVITE's is 1) */

/* the network: multisets kept sorted (largest first, 0 = free slot) */
byte to_c[CAP];         /* UAS -> UAC */
byte to_s[CAP];         /* UAC -> UAS */
bit rogue_sent;

/* observers: what the action stream says so far */
bit o_final;            /* the UAS sent its final response */
byte o_sent;            /* highest RSeq the UAS sent */
byte o_acked;           /* highest RSeq the UAS acknowledged (200, not a duplicate) */
bit o_sdp;              /* the 1xx with RSeq o_sent carried SDP */
byte o_pracked;         /* highest RSeq the UAC PRACKed */
byte o_cookies;         /* cookies seen in UAS actions, bit (c - 1) */
byte o_released;        /* cookies released (PRACK_AF_RELEASE) */

/* Not part of the state: the absolute time for the log, and scratch values
 * that never outlive a d_step. */
hidden int clk;
hidden int t_i, t_j, t_code, t_fi;
hidden int t_st, t_fl, t_rs, t_sdp, t_user, t_role, t_ev, t_ev2;
hidden int a_user, a_rseq, a_ans, a_had_sdp, a_had_answer;
hidden int r_rs, r_sdp, r_st, r_fl, r_m;
hidden int k_due, k_done, k_pass;

/* ---------------------------------------------------------------------- */
/* Wire encoding of messages (one byte each)                               */
/* ---------------------------------------------------------------------- */

/* UAS -> UAC: reliable 1xx 1..2*MAXR, final 32..39, PRACK response 64.. */
#define MSG_1XX(rs, sdp) (1 + ((rs) - 1) * 2 + (sdp))
#define MSG_FINAL(idx, sdp) (32 + (idx) * 2 + (sdp))
#define MSG_PRSP(rs, failed) (64 + ((rs) - 1) * 2 + (failed))
/* UAC -> UAS: PRACK */
#define MSG_PRACK(rs, cs, sdp) ((rs) * 16 + (cs) * 2 + (sdp))

/* put a message in a direction; a full direction loses it */
#define DEF_PUT(name, bag) \
inline name(code) { \
    if \
    :: bag[CAP - 1] != 0 -> skip \
    :: else -> \
        t_j = CAP - 1; \
        do \
        :: t_j > 0 && bag[t_j - 1] < code -> bag[t_j] = bag[t_j - 1]; t_j-- \
        :: else -> break \
        od; \
        bag[t_j] = code \
    fi \
}

/* remove the message in slot i */
#define DEF_TAKE(name, bag) \
inline name(i) { \
    t_j = i; \
    do \
    :: t_j < CAP - 1 -> bag[t_j] = bag[t_j + 1]; t_j++ \
    :: else -> break \
    od; \
    bag[CAP - 1] = 0 \
}

DEF_PUT(put_c, to_c)
DEF_PUT(put_s, to_s)
DEF_TAKE(take_c, to_c)
DEF_TAKE(take_s, to_s)

inline final_index(st, idx) {
    if
    :: st == 200 -> idx = 0
    :: st == 486 -> idx = 1
    :: st == 487 -> idx = 2
    :: else -> idx = 3 /* 504 */
    fi
}

/* ---------------------------------------------------------------------- */
/* Observers: the properties, checked on each action as it is printed      */
/* ---------------------------------------------------------------------- */

/* the action being checked */
hidden int v_t, v_st, v_fl, v_rs, v_sd, v_re, v_us, v_el, v_bit;

inline observe() {
    if
    :: v_t == A_SEND_1XX ->
        /* never a reliable 1xx after the final (R28, R30) */
        assert(!o_final);
        if
        :: v_fl & AF_RETRANSMIT ->
            assert(v_rs == o_sent && o_acked + 1 == o_sent)
        :: else ->
            /* one unacknowledged reliable 1xx at a time, RSeq + 1 each (R22, R24) */
            assert(o_acked == o_sent && v_rs == o_sent + 1);
            o_sent = v_rs;
            o_sdp = (v_sd != SDP_NONE)
        fi
    :: v_t == A_ANSWER_PRACK && v_st == 200 && v_re == R_NONE ->
        /* an acknowledgement is for the unacknowledged 1xx (R17) */
        assert(v_rs == o_sent && o_acked + 1 == o_sent);
        o_acked = v_rs
    :: v_t == A_SEND_FINAL ->
        assert(!o_final);
        /* no 2xx while an SDP-bearing reliable 1xx is unacknowledged (R27, R54) */
        assert(v_st >= 300 || !(o_sdp && o_acked < o_sent));
        /* the 5xx comes at 64*T1 after the unacknowledged 1xx, not before (R20) */
        assert(!(v_fl & AF_TIMEOUT) || (v_el >= TO && o_acked < o_sent));
        o_final = 1
    :: v_t == A_SEND_PRACK && !(v_fl & AF_AUTH) ->
        /* a PRACK only for the next RSeq of the early dialog: no gap, no second
         * PRACK for an RSeq (R37, R40, R44) */
        assert(o_pracked == 0 || v_rs == o_pracked + 1);
        o_pracked = v_rs
    :: else -> skip
    fi;
    /* every cookie comes back once (PRACK_AF_RELEASE) and is never used again */
    if
    :: v_us != 0 ->
        v_bit = (1 << v_us) >> 1;
        assert((o_released & v_bit) == 0);
        o_cookies = o_cookies | v_bit;
        if
        :: v_fl & AF_RELEASE -> o_released = o_released | v_bit
        :: else -> skip
        fi
    :: else -> skip
    fi
}

/* ---------------------------------------------------------------------- */
/* The log                                                                 */
/* ---------------------------------------------------------------------- */

/* The actions of the current call, printed and checked when it returns
 * (one copy of observe() in the verifier rather than one per action). Each
 * argument is evaluated once, here: inline arguments are substituted as text. */
#define NBUF 16
hidden int b_n, b_k;
hidden int b_t[NBUF], b_st[NBUF], b_fl[NBUF], b_rs[NBUF], b_sd[NBUF], b_re[NBUF], b_us[NBUF];
hidden int b_el[NBUF];

inline act(t, st, fl, rs, sd, re, us) {
    assert(b_n < NBUF);
    b_t[b_n] = t; b_st[b_n] = st; b_fl[b_n] = fl; b_rs[b_n] = rs;
    b_sd[b_n] = sd; b_re[b_n] = re; b_us[b_n] = us; b_el[b_n] = elapsed;
    b_n++
}

inline finish(rc) {
    b_k = 0;
    do
    :: b_k < b_n ->
        v_t = b_t[b_k]; v_st = b_st[b_k]; v_fl = b_fl[b_k]; v_rs = b_rs[b_k];
        v_sd = b_sd[b_k]; v_re = b_re[b_k]; v_us = b_us[b_k]; v_el = b_el[b_k];
        printf("@@ ACT %d %d %d %d %d %d %d\n", v_t, v_st, v_fl, v_rs, v_sd, v_re, v_us);
        observe();
        b_k++
    :: else -> break
    od;
    b_n = 0;
    b_k = 0;
    printf("@@ RC %d\n", rc);
    /* once the transaction is over, every cookie has come back */
    assert(!o_final || o_released == o_cookies)
}

/* ---------------------------------------------------------------------- */
/* UAS engine (lib/uas.c)                                                  */
/* ---------------------------------------------------------------------- */

#define S_LIVE (s_state == S_PROCEEDING || s_state == S_HELD)
#define S_LAST (s_next - (s_next > 0))
#define STATUS_1XX(sdp) (180 + 3 * (sdp))
#define RELEASE(us) (AF_RELEASE * ((us) != 0))

/* final_sdp(): role of a final's body; t_ev gets a SESSION event or 0 */
inline final_role(st, role) {
    t_ev = 0;
    if
    :: st >= 300 -> role = SDP_NONE
    :: else ->
        if
        :: s_oa == SOA_OFFER_RCVD -> s_oa = SOA_DONE; t_ev = R_SESSION; role = SDP_ANSWER
        :: s_oa == SOA_NONE -> role = SDP_OFFER
        :: else -> role = SDP_REPEAT
        fi
    fi
}

/* drop_pending(): queued 1xx, then the unacknowledged one's cookie */
inline drop_pending(release_unacked) {
    t_i = 0;
    do
    :: t_i < q_len ->
        act(A_DROP_1XX, STATUS_1XX(q_sdp[t_i]), RELEASE(q_user[t_i]), 0, 0, 0, q_user[t_i]);
        q_sdp[t_i] = 0; q_user[t_i] = 0;
        t_i++
    :: else -> break
    od;
    q_len = 0;
    if
    :: release_unacked && s_unacked && s_user != 0 ->
        act(A_DROP_1XX, STATUS_1XX(s_status_sdp), AF_RELEASE, S_LAST, 0, 0, s_user);
        s_user = 0
    :: else -> skip
    fi
}

/* end_with(): the final goes now; with_sdp gives it final_sdp()'s role */
inline end_with(st, flags, with_sdp) {
    t_fl = flags;
    if
    :: s_state == S_HELD -> t_fl = t_fl | AF_REPLACES_HELD
    :: else -> skip
    fi;
    drop_pending(1);
    s_state = S_COMPLETED;
    s_final = st;
    t_ev = 0;
    t_role = SDP_NONE;
    if
    :: with_sdp -> final_role(st, t_role)
    :: else -> skip
    fi;
    act(A_SEND_FINAL, st, t_fl, 0, t_role, 0, 0);
    final_index(st, t_fi);
    put_c(MSG_FINAL(t_fi, t_role != SDP_NONE));
    if
    :: t_ev != 0 -> act(A_EVENT, 0, 0, 0, 0, t_ev, 0)
    :: else -> skip
    fi
}

/* send_reliable() with provisional_sdp(reliable) */
inline send_reliable(sdp, us) {
    t_rs = (s_next == 0 -> 1 : s_next);
    s_next = t_rs + 1;
    s_unacked = 1;
    s_unacked_sdp = sdp;
    s_unacked_answer = 0;
    elapsed = 0;
    s_retx = 0;
    s_status_sdp = sdp;
    s_user = us;
    t_ev2 = 0;
    if
    :: !sdp -> t_role = SDP_NONE
    :: sdp && s_oa == SOA_OFFER_RCVD -> s_oa = SOA_DONE; t_ev2 = R_SESSION; t_role = SDP_ANSWER
    :: sdp && s_oa == SOA_NONE -> s_oa = SOA_OFFER_SENT; t_role = SDP_OFFER
    :: else -> t_role = SDP_REPEAT
    fi;
    act(A_SEND_1XX, STATUS_1XX(sdp), AF_RELIABLE, t_rs, t_role, 0, us);
    put_c(MSG_1XX(t_rs, sdp));
    if
    :: t_ev2 != 0 -> act(A_EVENT, 0, 0, 0, 0, t_ev2, 0)
    :: else -> skip
    fi;
    if
    :: t_role == SDP_ANSWER -> s_unacked_answer = 1
    :: else -> skip
    fi
}

/*
 * The UAS entry points. One call: u_op with its arguments u_a1..u_a3. Each
 * entry point of lib/uas.c checks its arguments and state, then applies the
 * 64*T1 timeout, then does its own work; the last step of that work is at
 * most one new reliable 1xx (u_send) or one final (u_end), done at the end
 * so that each routine appears once in the verifier.
 */
#define OP_1XX 1     /* prack_uas_send_1xx(): u_a1 SDP, u_a2 cookie */
#define OP_FINAL 2   /* prack_uas_send_final(): u_a1 status */
#define OP_CANCEL 3  /* prack_uas_cancel() */
#define OP_PRACK 4   /* prack_uas_on_prack(): u_a1 RAck RSeq, u_a2 CSeq, u_a3 SDP */
#define OP_TIMER 5   /* prack_on_timer() */

hidden int u_op, u_a1, u_a2, u_a3, u_rc;
hidden int u_send, u_send_sdp, u_send_user;
hidden int u_end, u_end_status, u_end_flags, u_end_sdp;

/* acknowledge(): the PRACK matches the unacknowledged 1xx */
inline acknowledge(pcs, psdp) {
    a_had_sdp = s_unacked_sdp;
    a_had_answer = s_unacked_answer;
    s_unacked = 0; s_unacked_sdp = 0; s_unacked_answer = 0; s_ack_answer = 0;
    s_acked = 1;
    s_ack_cseq = pcs;
    s_retx = 0;
    elapsed = 0;
    a_user = s_user;
    s_user = 0;
    a_rseq = S_LAST;
    a_ans = SDP_NONE;
    t_ev = 0;
    if
    :: s_state == S_COMPLETED && s_final >= 300 -> skip /* R29: the dialog is gone */
    :: else ->
        if
        :: psdp && s_oa == SOA_OFFER_SENT -> s_oa = SOA_DONE; t_ev = R_SESSION
        :: psdp && s_oa != SOA_OFFER_SENT && a_had_answer ->
            a_ans = SDP_ANSWER; s_ack_answer = 1; t_ev = R_SESSION
        :: psdp && s_oa != SOA_OFFER_SENT && !a_had_answer -> t_ev = R_SDP_UNEXPECTED
        :: !psdp && a_had_sdp && s_oa == SOA_OFFER_SENT -> t_ev = R_ANSWER_MISSING
        :: else -> skip
        fi
    fi;
    act(A_ANSWER_PRACK, 200, RELEASE(a_user), a_rseq, a_ans, R_NONE, a_user);
    put_c(MSG_PRSP(a_rseq, 0));
    if
    :: t_ev != 0 -> act(A_EVENT, 0, 0, 0, 0, t_ev, 0)
    :: else -> skip
    fi;
    if
    :: s_state == S_HELD ->
        /* R54: the held 2xx goes now */
        s_state = S_COMPLETED;
        final_role(s_final, t_role);
        act(A_SEND_FINAL, s_final, AF_RELEASED, 0, t_role, 0, 0);
        final_index(s_final, t_fi);
        put_c(MSG_FINAL(t_fi, t_role != SDP_NONE));
        if
        :: t_ev != 0 -> act(A_EVENT, 0, 0, 0, 0, t_ev, 0)
        :: else -> skip
        fi
    :: s_state == S_PROCEEDING && q_len > 0 ->
        /* R21: the next queued 1xx */
        u_send = 1; u_send_sdp = q_sdp[0]; u_send_user = q_user[0];
        t_i = 0;
        do
        :: t_i < q_len - 1 -> q_sdp[t_i] = q_sdp[t_i + 1]; q_user[t_i] = q_user[t_i + 1]; t_i++
        :: else -> break
        od;
        q_len--;
        q_sdp[q_len] = 0; q_user[q_len] = 0
    :: else -> skip
    fi
}

inline op_1xx() {
    if
    :: s_state != S_PROCEEDING ->
        /* the timeout ended the transaction: this 1xx never goes */
        act(A_DROP_1XX, STATUS_1XX(u_a1), RELEASE(u_a2), 0, 0, 0, u_a2)
    :: s_state == S_PROCEEDING && s_oa == SOA_NONE && !u_a1 -> u_rc = -5 /* R49 */
    :: s_state == S_PROCEEDING && !(s_oa == SOA_NONE && !u_a1) && s_unacked ->
        if
        :: q_len >= QMAX -> u_rc = -4
        :: else ->
            /* R22, R23: one at a time, the rest wait in order */
            q_sdp[q_len] = u_a1; q_user[q_len] = u_a2; q_len++;
            act(A_QUEUE_1XX, STATUS_1XX(u_a1), 0, 0, 0, 0, u_a2)
        fi
    :: else -> u_send = 1; u_send_sdp = u_a1; u_send_user = u_a2
    fi
}

inline op_final() {
    if
    :: !S_LIVE -> skip /* the timeout's final went instead */
    :: s_state == S_HELD ->
        /* the callee gave up while the 2xx waited */
        u_end = 1; u_end_status = u_a1; u_end_flags = 0; u_end_sdp = 0
    :: s_state == S_PROCEEDING && u_a1 < 300 && s_unacked && s_unacked_sdp ->
        /* R26, R27, R54: the 2xx waits; queued 1xx never go (R30) */
        s_state = S_HELD;
        drop_pending(0);
        s_final = u_a1;
        act(A_HOLD_FINAL, u_a1, 0, S_LAST, 0, 0, 0)
    :: else -> u_end = 1; u_end_status = u_a1; u_end_flags = 0; u_end_sdp = 1
    fi
}

inline op_prack() {
    if
    :: s_unacked && u_a1 == S_LAST -> acknowledge(u_a2, u_a3)
    :: else ->
        /* latest_acked() */
        t_i = (s_acked -> (s_unacked -> S_LAST - 1 : S_LAST) : 0);
        if
        :: t_i != 0 && u_a1 == t_i && u_a2 == s_ack_cseq ->
            /* the same PRACK again: the same answer */
            act(A_ANSWER_PRACK, 200, 0, u_a1, SDP_ANSWER * s_ack_answer, R_DUPLICATE, 0);
            put_c(MSG_PRSP(u_a1, 0))
        :: else ->
            act(A_ANSWER_PRACK, 481, 0, u_a1, 0, R_NO_MATCH, 0); /* R16, R29 */
            put_c(MSG_PRSP(u_a1, 1))
        fi
    fi
}

/* deadline() relative to the first send of the unacknowledged 1xx: the next
 * retransmission (T1 * (2^k - 1), N1) or the timeout, whichever is first */
#define S_DUE (s_retx >= RETX_CAP -> TO : \
               ((1 << (s_retx + 1)) - 1 < TO -> (1 << (s_retx + 1)) - 1 : TO))
#define S_TIMER_DUE (S_LIVE && s_unacked && S_DUE <= elapsed)

/* prack_on_timer() once the timeout is applied: at most one retransmission */
inline op_timer() {
    if
    :: S_TIMER_DUE ->
        act(A_SEND_1XX, STATUS_1XX(s_status_sdp), AF_RELIABLE | AF_RETRANSMIT, S_LAST, 0, 0, s_user);
        put_c(MSG_1XX(S_LAST, s_status_sdp));
        /* after a long pause, one retransmission and not a burst */
        s_retx++;
        do
        :: s_retx < RETX_CAP && (1 << (s_retx + 1)) - 1 <= elapsed -> s_retx++
        :: else -> break
        od
    :: else -> skip
    fi
}

inline uas_call() {
    if
    :: u_op == OP_1XX -> printf("@@ CALL S1XX %d %d %d %d\n", clk, STATUS_1XX(u_a1), u_a1, u_a2)
    :: u_op == OP_FINAL -> printf("@@ CALL SFIN %d %d\n", clk, u_a1)
    :: u_op == OP_CANCEL -> printf("@@ CALL SCAN %d\n", clk)
    :: u_op == OP_PRACK -> printf("@@ CALL SPRACK %d %d %d %d\n", clk, u_a1, u_a2, u_a3)
    :: else -> printf("@@ CALL STIMER %d\n", clk)
    fi;
    u_rc = 0; u_send = 0; u_end = 0;
    /* errors found before anything changes (R30) */
    if
    :: u_op == OP_1XX && s_state != S_PROCEEDING -> u_rc = -2
    :: u_op == OP_FINAL && ((s_state == S_HELD && u_a1 < 300) || !S_LIVE) -> u_rc = -2
    :: else -> skip
    fi;
    if
    :: u_rc == 0 ->
        /* R20: the 64*T1 timeout first, whatever the call */
        if
        :: S_LIVE && s_unacked && elapsed >= TO ->
            end_with(TIMEOUT_STATUS, AF_TIMEOUT, 0);
            act(A_EVENT, 0, 0, 0, 0, R_TIMEOUT, 0)
        :: else -> skip
        fi;
        if
        :: u_op == OP_1XX -> op_1xx()
        :: u_op == OP_FINAL -> op_final()
        :: u_op == OP_CANCEL && S_LIVE ->
            u_end = 1; u_end_status = 487; u_end_flags = AF_CANCELLED; u_end_sdp = 0
        :: u_op == OP_PRACK -> op_prack()
        :: u_op == OP_TIMER -> op_timer()
        :: else -> skip /* a CANCEL after the final changes nothing */
        fi;
        if
        :: u_send -> send_reliable(u_send_sdp, u_send_user)
        :: else -> skip
        fi;
        if
        :: u_end -> end_with(u_end_status, u_end_flags, u_end_sdp)
        :: else -> skip
        fi
    :: else -> skip
    fi;
    finish(u_rc);
    u_op = 0; u_a1 = 0; u_a2 = 0; u_a3 = 0
}

/* ---------------------------------------------------------------------- */
/* UAC engine (lib/uac.c), one early dialog                                */
/* ---------------------------------------------------------------------- */

inline dialog_start() {
    if
    :: d_oa == COA_UNSET -> d_oa = (inv_sdp -> COA_OFFER_SENT : COA_NONE)
    :: else -> skip
    fi
}

/* accept(): PRACK the in-order reliable 1xx */
inline accept(st, rs, sdp, flags) {
    d_last = rs;
    d_seen = 1;
    t_fl = flags;
    t_i = (uc_state == C_ACCEPTED && !d_confirmed); /* another fork answered */
    if
    :: t_i -> t_fl = t_fl | AF_OTHER_FORK
    :: else -> skip
    fi;
    t_role = SDP_NONE;
    t_ev = 0;
    if
    :: d_oa == COA_OFFER_SENT && sdp ->
        d_oa = COA_DONE;
        if
        :: !t_i -> t_role = SDP_MAY_OFFER; t_ev = R_SESSION
        :: else -> skip
        fi
    :: d_oa == COA_NONE && sdp ->
        d_oa = COA_DONE;
        t_role = SDP_ANSWER;
        t_ev = (t_i -> 0 : R_SESSION)
    :: else -> skip
    fi;
    act(A_SEND_PRACK, st, t_fl, rs, t_role, 0, 0);
    /* the host's PRACK carries SDP only when it must answer (no offer here) */
    put_s(MSG_PRACK(rs, uc_pcseq, t_role == SDP_ANSWER));
    uc_pcseq++;
    if
    :: t_ev != 0 -> act(A_EVENT, st, 0, rs, 0, t_ev, 0)
    :: else -> skip
    fi
}

inline uac_on_1xx(rs, sdp) {
    r_st = STATUS_1XX(sdp);
    printf("@@ CALL CRSP %d %d %d %d %d\n", clk, M_INVITE, r_st,
           RSP_REQUIRE_100REL | RSP_RSEQ | (sdp -> RSP_SDP : 0), rs);
    if
    :: d_seen && rs <= d_last ->
        act(A_DISCARD, r_st, 0, rs, 0, R_RETRANSMISSION, 0) /* R39, R40 */
    :: else ->
        if
        :: uc_state == C_FAILED -> act(A_DISCARD, r_st, 0, rs, 0, R_AFTER_FINAL, 0) /* R47 */
        :: else ->
            dialog_start();
            if
            :: !d_seen -> accept(r_st, rs, sdp, AF_NEW_DIALOG) /* R43 */
#ifdef BROKEN_GAP
            :: else -> accept(r_st, rs, sdp, 0) /* wrong on purpose: PRACKs past a gap */
#else
            :: d_seen && rs - d_last != 1 ->
                act(A_DISCARD, r_st, 0, rs, 0, R_OUT_OF_ORDER, 0) /* R44, R45 */
            :: else -> accept(r_st, rs, sdp, 0)
#endif
            fi
        fi
    fi
}

inline uac_on_final(st, sdp) {
    printf("@@ CALL CRSP %d %d %d %d %d\n", clk, M_INVITE, st, (sdp -> RSP_SDP : 0), 0);
    t_i = (uc_state == C_CALLING);
    if
    :: t_i -> uc_state = (st < 300 -> C_ACCEPTED : C_FAILED)
    :: else -> skip
    fi;
    t_role = SDP_NONE;
    t_ev = 0;
    if
    :: st < 300 ->
        d_confirmed = 1;
        dialog_start();
        if
        :: d_oa == COA_OFFER_SENT ->
            d_oa = COA_DONE;
            t_role = (sdp -> SDP_ANSWER : SDP_NONE);
            t_ev = (sdp -> R_SESSION : R_ANSWER_MISSING)
        :: d_oa == COA_NONE && sdp ->
            /* the 2xx offers and the ACK answers: no later message may offer */
            d_oa = COA_DONE;
            t_role = SDP_OFFER
        :: d_oa != COA_OFFER_SENT && d_oa != COA_NONE && sdp -> t_role = SDP_REPEAT
        :: else -> skip
        fi
    :: else -> skip
    fi;
    act(A_DELIVER_FINAL, st, 0, 0, t_role, 0, 0);
    if
    :: t_ev != 0 -> act(A_EVENT, st, 0, 0, 0, t_ev, 0)
    :: else -> skip
    fi
}

inline uac_on_prack_rsp(rs, failed) {
    r_st = (failed -> 481 : 200);
    printf("@@ CALL CRSP %d %d %d %d %d\n", clk, M_PRACK, r_st, 0, rs);
    if
    :: d_seen && !failed -> act(A_EVENT, r_st, 0, rs, 0, R_PRACK_OK, 0)
    :: d_seen && failed -> act(A_EVENT, r_st, AF_DIALOG_GONE, rs, 0, R_PRACK_FAILED, 0)
    :: else -> skip
    fi
}

/* decode a UAS -> UAC message and hand it to the UAC */
inline uac_rx(m) {
    if
    :: m < 32 ->
        r_rs = (m - 1) / 2 + 1; r_sdp = (m - 1) % 2;
        uac_on_1xx(r_rs, r_sdp)
    :: m >= 32 && m < 64 ->
        r_sdp = (m - 32) % 2;
        r_m = (m - 32) / 2;
        r_m = (r_m == 0 -> 200 : (r_m == 1 -> 486 : (r_m == 2 -> 487 : 504)));
        uac_on_final(r_m, r_sdp)
    :: else ->
        r_rs = (m - 64) / 2 + 1; r_sdp = (m - 64) % 2;
        uac_on_prack_rsp(r_rs, r_sdp)
    fi;
    finish(0)
}

/* decode a PRACK (RAck RSeq, the PRACK's CSeq, SDP) and hand it to the UAS */
inline uas_rx(m) {
    u_op = OP_PRACK; u_a1 = m / 16; u_a2 = (m % 16) / 2; u_a3 = m % 2;
    uas_call()
}

/* ---------------------------------------------------------------------- */
/* Processes                                                               */
/* ---------------------------------------------------------------------- */

/*
 * The UAS host: the application sends reliable 1xx, then its final (or a
 * CANCEL arrives), and a CANCEL may still cross the final; the host's timer
 * calls prack_on_timer() when a deadline has passed, perhaps late. With
 * -DLONG_RUNS (random simulations only) the application sends all N1XX
 * provisionals first, which makes long runs likelier.
 */
#ifdef LONG_RUNS
#define FINAL_OK (k == N1XX)
#else
#define FINAL_OK true
#endif

proctype uas_host()
{
    byte k = 0, fin = 0, op = 0, sdp = 0;
    do
    :: atomic {
        if
        :: k < N1XX -> k++; op = OP_1XX; sdp = 0
        :: k < N1XX -> k++; op = OP_1XX; sdp = 1
        :: fin == 0 && FINAL_OK -> fin = 1; k = N1XX; op = OP_FINAL; sdp = 0
        :: fin == 0 && FINAL_OK -> fin = 1; k = N1XX; op = OP_FINAL; sdp = 1
        :: fin == 0 && FINAL_OK -> fin = 1; k = N1XX; op = OP_CANCEL
        :: fin == 1 && S_LIVE -> fin = 2; op = OP_CANCEL /* crossed the held 2xx */
        :: fin == 1 && !S_LIVE -> fin = 3; op = OP_CANCEL /* too late: no effect */
        :: S_TIMER_DUE -> op = OP_TIMER
        :: fin != 0 && !S_LIVE -> break
        fi;
        d_step {
            u_op = op;
            u_a1 = (op == OP_FINAL -> (sdp -> 486 : 200) : sdp);
            u_a2 = k;
            uas_call();
            op = 0;
            sdp = 0
        };
        if
        :: fin == 3 -> break
        :: else -> skip
        fi
       }
    od
}

/* Time passes to the next deadline: T1, 3*T1, 7*T1, ... 63*T1, 64*T1 after
 * the unacknowledged 1xx first went out. It stops when the UAS is done, so
 * time that could not pass while an INVITE is pending shows as an invalid
 * end state. */
proctype clock()
{
    do
    :: d_step {
        S_LIVE && s_unacked && elapsed < TO ->
        t_i = (elapsed + 1) * 2 - 1;
        if
        :: t_i > TO -> t_i = TO
        :: else -> skip
        fi;
        clk = clk + t_i - elapsed;
        elapsed = t_i;
        t_i = 0
       }
    :: !S_LIVE -> break
    od
}

/*
 * The network, one process per direction: it delivers the message in any
 * slot (reordering), possibly keeping a copy (a duplicate), or loses it.
 */
#define PICK_SLOT(bag) \
    if \
    :: bag[0] != 0 -> sel = 0 \
    :: bag[1] != 0 -> sel = 1 \
    :: CAP > 2 && bag[2 * (CAP > 2)] != 0 -> sel = 2 \
    :: CAP > 3 && bag[3 * (CAP > 3)] != 0 -> sel = 3 \
    fi; \
    if \
    :: mode = 0 /* deliver */ \
    :: mode = 1 /* deliver, and a copy stays in flight */ \
    :: mode = 2 /* lose */ \
    fi

proctype net_to_uac()
{
    byte sel, mode;
end:
    do
    :: atomic {
        PICK_SLOT(to_c);
        d_step {
            t_code = to_c[sel];
            if
            :: mode != 1 -> take_c(sel)
            :: else -> skip
            fi;
            if
            :: mode != 2 -> uac_rx(t_code)
            :: else -> skip
            fi;
            t_code = 0;
            sel = 0;
            mode = 0
        }
       }
#if ROGUE
    /* once, a reliable 1xx with an RSeq two above any the UAS sent, as a UAS
     * that skipped a number would send: the UAC must not PRACK it (R44) */
    :: d_step { !rogue_sent -> rogue_sent = 1; put_c(MSG_1XX(S_LAST + 2, 0)) }
#endif
    od
}

proctype net_to_uas()
{
    byte sel, mode;
end:
    do
    :: atomic {
        PICK_SLOT(to_s);
        d_step {
            t_code = to_s[sel];
            if
            :: mode != 1 -> take_s(sel)
            :: else -> skip
            fi;
            if
            :: mode != 2 -> uas_rx(t_code)
            :: else -> skip
            fi;
            t_code = 0;
            sel = 0;
            mode = 0
        }
       }
    od
}

init
{
    if
    :: inv_sdp = 1
    :: inv_sdp = 0
    fi;
    d_step {
        printf("@@ INIT %d %d\n", inv_sdp, QMAX);
        s_state = S_PROCEEDING;
        s_oa = (inv_sdp -> SOA_OFFER_RCVD : SOA_NONE);
        uc_state = C_CALLING;
        uc_pcseq = 2;
        printf("@@ RC 0\n")
    };
    atomic {
        run uas_host();
        run clock();
        run net_to_uac();
        run net_to_uas()
    }
}

/* every INVITE ends: its final goes, after the PRACKs or as the 5xx at 64*T1 */
ltl ends { <> o_final }
