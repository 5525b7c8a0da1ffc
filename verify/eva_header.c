/*
 * EVA driver for lib/header.c and the helpers of lib/prack.c: every parser
 * and formatter with any input of up to IN_MAX bytes (every byte unknown),
 * any length up to the buffer's, any output capacity, NULL where a pointer
 * may be NULL; the names, texts and the action formatter with any value.
 * Run by scripts/eva-check.sh.
 */
#include <stddef.h>
#include <stdint.h>

#include "eva_common.h"
#include "prack/header.h"
#include "prack/prack.h"

/* Long enough for every branch of the grammar: an RSeq of 11 digits
 * (overflow), a RAck with a folded line, several option tags. */
#define IN_MAX 24

static char in[IN_MAX], tag[IN_MAX], obuf[64];

static void header(void)
{
    Frama_C_make_unknown(in, sizeof(in));
    Frama_C_make_unknown(tag, sizeof(tag));
    size_t len = Frama_C_size_t_interval(0, sizeof(in));
    size_t tag_len = Frama_C_size_t_interval(0, sizeof(tag));
    size_t cap = Frama_C_size_t_interval(0, sizeof(obuf));
    uint32_t a = any_u32();
    uint32_t b = any_u32();
    uint32_t rseq;
    prack_rack_t rack;
    /*
     * One analysis per input length: the scanners compare a position with
     * len - k, a relation between two variables that intervals cannot hold;
     * with len known they are exact. Every length 0..IN_MAX is analysed.
     */
    //@ split len;
    /* NULL pointers get calls of their own, with every length */
    (void)prack_parse_rseq(in, len, &rseq);
    (void)prack_parse_rseq(NULL, len, &rseq);
    (void)prack_parse_rseq(in, len, NULL);
    (void)prack_parse_rack(in, len, &rack);
    (void)prack_parse_rack(NULL, len, &rack);
    (void)prack_parse_rack(in, len, NULL);
    (void)prack_option_tags_find(in, len, tag, tag_len);
    (void)prack_option_tags_find(NULL, len, tag, tag_len);
    (void)prack_option_tags_find(in, len, NULL, tag_len);
    (void)prack_format_rseq(obuf, cap, a);
    (void)prack_format_rseq(NULL, cap, a);
    (void)prack_format_rack(obuf, cap, a, b, in, len);
    (void)prack_format_rack(NULL, cap, a, b, in, len);
    (void)prack_format_rack(obuf, cap, a, b, NULL, len);
}

static void misc(void)
{
    prack_config_t cfg;
    prack_action_t act;
    unsigned v = any_u32();
    (void)prack_version();
    (void)prack_version_number();
    (void)prack_strerror(Frama_C_int_interval(INT32_MIN, INT32_MAX));
    (void)prack_config_init(&cfg);
    (void)prack_config_init(NULL);
    (void)prack_act_name(v);
    (void)prack_reason_name(v);
    (void)prack_sdp_name(v);
    (void)prack_uas_state_name(v);
    (void)prack_uac_state_name(v);
    Frama_C_make_unknown((char *)&act, sizeof(act));
    size_t cap = Frama_C_size_t_interval(0, sizeof(obuf));
    (void)prack_action_format(obuf, cap, &act);
    (void)prack_action_format(NULL, cap, &act);
    (void)prack_action_format(obuf, cap, NULL);
}

int main(void)
{
    header();
    misc();
    return 0;
}
