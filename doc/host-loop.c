/*
 * The smallest useful host of the UAS engine: one INVITE, a reliable 183 with
 * the SDP answer, a 200 that the engine holds until the PRACK, and the timer
 * loop. Messages are printed instead of sent; a real host builds SIP messages
 * from the same actions (see examples/prack-uas.c). The README quotes this file.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <prack/prack.h>

/* The host keeps each provisional it sends, to retransmit it; the engine
 * carries its address as the cookie of that 1xx. */
struct provisional {
    char text[64];
};

/* Carry out a batch: here, print what a SIP stack would send. */
static void carry_out(const prack_actions_t *out)
{
    for (uint32_t i = 0; i < out->n; i++) {
        const prack_action_t *a = &out->v[i];
        struct provisional *p = (struct provisional *)(uintptr_t)a->user; /* 0: none */
        switch (a->type) {
        case PRACK_ACT_SEND_1XX:
            if (a->flags & PRACK_AF_RELIABLE)
                printf("send %s with Require: 100rel, RSeq: %u%s\n", p ? p->text : "1xx",
                       a->rseq, (a->flags & PRACK_AF_RETRANSMIT) ? " (again)" : "");
            else
                printf("send %u\n", a->status);
            break;
        case PRACK_ACT_SEND_FINAL:
            printf("send final %u\n", a->status);
            break;
        case PRACK_ACT_ANSWER_PRACK:
            printf("answer PRACK with %u\n", a->status);
            break;
        default: {
            char line[128];
            prack_action_format(line, sizeof(line), a);
            printf("(%s)\n", line);
        }
        }
        if (a->flags & PRACK_AF_RELEASE)
            free(p); /* the engine never mentions this 1xx again */
    }
}

int main(void)
{
    prack_config_t cfg;
    prack_config_init(&cfg); /* T1 500 ms, 504 on timeout, policy "supported" */

    prack_uas_t uas;                       /* 136 bytes, queue included, no heap */
    prack_actions_t out;
    prack_invite_t inv = {.cseq = 1, .flags = PRACK_INV_SUPPORTED_100REL | PRACK_INV_SDP};
    prack_time_t now = 0;                  /* the host's monotonic clock, in ms */

    prack_uas_init(&uas, &cfg, &inv, 0x2545F491u /* from the host's RNG */, now, &out);
    carry_out(&out);
    struct provisional *p183 = malloc(sizeof(*p183));
    if (!p183)
        return 1;
    snprintf(p183->text, sizeof(p183->text), "183 Session Progress (SDP answer)");
    if (prack_uas_send_1xx(&uas, now, 183, PRACK_1XX_SDP, (uintptr_t)p183, &out) != PRACK_OK)
        free(p183); /* not accepted: still ours */
    carry_out(&out);
    prack_uas_send_final(&uas, now, 200, &out); /* held: the 183 had SDP */
    carry_out(&out);

    /* The event loop: sleep until the deadline (or a message), then tell the engine. */
    while (prack_next_deadline(&uas) != PRACK_TIME_NONE) {
        now = prack_next_deadline(&uas);
        prack_on_timer(&uas, now, &out);
        carry_out(&out);
        if (now >= 1500) { /* the PRACK arrives: CSeq 2 PRACK, RAck "<rseq> 1 INVITE" */
            prack_prack_t pr = {.flags = PRACK_PR_RACK, .cseq = 2,
                                .rack_rseq = prack_uas_unacked(&uas), .rack_cseq = 1,
                                .method = "INVITE", .method_len = 6};
            prack_uas_on_prack(&uas, now, &pr, &out);
            carry_out(&out); /* 200 to the PRACK, then the released 200 to the INVITE */
        }
    }
    return prack_uas_state(&uas) == PRACK_UAS_COMPLETED ? 0 : 1;
}
