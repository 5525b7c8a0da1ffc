/*
 * The smallest useful host of the UAC engine: an INVITE with an SDP offer, a
 * reliable 183 with the answer and the PRACK it asks for, the 200 to that
 * PRACK, a reliable 180 from a second fork, and the 200 to the INVITE.
 * Responses come from a script instead of a socket and messages are printed
 * instead of sent; a real host takes the same facts from the SIP messages it
 * parses (see examples/prack-uac.c). The guide (doc/guide.md) quotes this file.
 */
#include <stdint.h>
#include <stdio.h>

#include <prack/prack.h>

/* The host's early dialog (one per To-tag), with the engine's state inside. */
struct early_dialog {
    const char *to_tag;
    uint32_t local_cseq; /* the last CSeq used in this dialog, INVITE's first */
    int seen;
    prack_uac_dialog_t prack; /* 32 bytes, no pointer */
};

/* Carry out a batch: here, print what a SIP stack would do. */
static void carry_out(struct early_dialog *d, const prack_actions_t *out)
{
    for (uint32_t i = 0; i < out->n; i++) {
        const prack_action_t *a = &out->v[i];
        char line[128];
        switch (a->type) {
        case PRACK_ACT_SEND_PRACK: /* deliver the 1xx, then acknowledge it */
            printf("deliver %u; send PRACK to tag %s, CSeq: %u PRACK, RAck: %u %u INVITE%s\n",
                   a->status, d->to_tag, ++d->local_cseq, a->rseq, a->cseq,
                   a->sdp == PRACK_SDP_ANSWER ? ", SDP answer" : "");
            break;
        case PRACK_ACT_DELIVER_1XX:
            printf("deliver %u\n", a->status);
            break;
        case PRACK_ACT_DELIVER_FINAL:
            printf("deliver %u%s\n", a->status, a->status < 300 ? "; send ACK" : "");
            break;
        default:
            prack_action_format(line, sizeof(line), a);
            printf("(%s)\n", line);
        }
    }
}

int main(void)
{
    prack_config_t cfg;
    prack_config_init(&cfg); /* policy "supported": Supported: 100rel in the INVITE */

    prack_uac_t uac;         /* 40 bytes, no heap */
    prack_actions_t out;
    prack_time_t now = 0;    /* the UAC engine has no timers, but wants the time */
    prack_uac_init(&uac, &cfg, 1, PRACK_UAC_INVITE_SDP, now);
    printf("send INVITE, CSeq: 1 INVITE, %s: 100rel, SDP offer\n",
           prack_uac_option(&uac) == PRACK_OPTION_REQUIRE ? "Require" : "Supported");

    /* The INVITE forks: two UASs answer, each in its own early dialog. */
    struct early_dialog fork_a = {.to_tag = "a1", .local_cseq = 1};
    struct early_dialog fork_b = {.to_tag = "b2", .local_cseq = 1};
    const uint32_t rel = PRACK_RSP_REQUIRE_100REL | PRACK_RSP_RSEQ;
    const struct {
        struct early_dialog *dialog; /* chosen by the response's To-tag */
        prack_response_t rsp;
        uint8_t expect;              /* the first action this response must give */
    } script[] = {
        /* 183, Require: 100rel, RSeq: 4711, with the SDP answer */
        {&fork_a, {.status = 183, .method = PRACK_METHOD_INVITE, .cseq = 1,
                   .flags = rel | PRACK_RSP_SDP, .rseq = 4711}, PRACK_ACT_SEND_PRACK},
        /* 200 to our PRACK (CSeq 2): the host says which PRACK, by its RAck */
        {&fork_a, {.status = 200, .method = PRACK_METHOD_PRACK, .cseq = 2, .rseq = 4711},
         PRACK_ACT_EVENT},
        /* the other fork numbers its own reliable 1xx: 180, RSeq: 90 */
        {&fork_b, {.status = 180, .method = PRACK_METHOD_INVITE, .cseq = 1, .flags = rel,
                   .rseq = 90}, PRACK_ACT_SEND_PRACK},
        /* 200 to the INVITE on the first fork (its SDP repeats the answer) */
        {&fork_a, {.status = 200, .method = PRACK_METHOD_INVITE, .cseq = 1,
                   .flags = PRACK_RSP_SDP}, PRACK_ACT_DELIVER_FINAL},
    };

    for (size_t i = 0; i < sizeof(script) / sizeof(script[0]); i++) {
        struct early_dialog *d = script[i].dialog;
        now += 40; /* a response arrives */
        if (!d->seen) { /* a To-tag seen for the first time: a new early dialog */
            prack_uac_dialog_init(&d->prack);
            d->seen = 1;
        }
        if (prack_on_response(&uac, &d->prack, now, &script[i].rsp, &out) != PRACK_OK ||
            out.n == 0 || out.v[0].type != script[i].expect)
            return 1;
        carry_out(d, &out);
    }

    prack_uac_stats_t st;
    prack_uac_counters(&uac, &st);
    int as_expected = prack_uac_state(&uac) == PRACK_UAC_ACCEPTED && st.pracks_sent == 2 &&
                      st.pracks_ok == 1 && prack_uac_dialog_rseq(&fork_a.prack) == 4711 &&
                      prack_uac_dialog_rseq(&fork_b.prack) == 90;
    return as_expected ? 0 : 1;
}
