/*
 * sofia-uas: the reference UAS of the load benchmark (bench/run.sh), a small
 * sofia-sip nua program answering each INVITE as prack-uas does with
 * --provisional 183:sdp --answer-after 0: a reliable 183 with the SDP answer,
 * then the 200 once the PRACK has come. nua answers the PRACK and the BYE
 * itself and produces the answer from the offer (its soa module).
 *
 *   sofia-uas [--bind HOST:PORT] [--one-thread] [--default-buffers]
 *
 * By default nua runs its stack in a thread of its own, as an application
 * using nua as documented gets it; --one-thread keeps everything in the
 * thread of the main loop. Its UDP socket gets a 1 MiB receive buffer, as the
 * example programs ask for, so that both servers absorb the same bursts;
 * --default-buffers leaves the system's default. It prints "sofia-uas
 * listening on ..." once bound, and on SIGINT or SIGTERM a RESULT line: the
 * INVITEs answered, the calls that reached the confirmed state and those
 * that ended.
 */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <sofia-sip/nua.h>
#include <sofia-sip/soa_tag.h>
#include <sofia-sip/su_tag_io.h>
#include <sofia-sip/sip_status.h>

/* What the 183 answers with: one PCMU stream, as prack-uas does. */
static const char local_sdp[] =
    "v=0\r\n"
    "o=sofia-uas 1 1 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "c=IN IP4 127.0.0.1\r\n"
    "t=0 0\r\n"
    "m=audio 5004 RTP/AVP 0\r\n"
    "a=rtpmap:0 PCMU/8000\r\n";

static volatile sig_atomic_t stop;
static su_root_t *root;
static unsigned long invites, confirmed, terminated;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static void on_event(nua_event_t event, int status, char const *phrase, nua_t *nua,
                     nua_magic_t *magic, nua_handle_t *nh, nua_hmagic_t *hmagic, sip_t const *sip,
                     tagi_t tags[])
{
    (void)phrase, (void)nua, (void)magic, (void)hmagic, (void)sip;
    switch (event) {
    case nua_i_invite:
        invites++;
        /* Require: 100rel and the answer: nua sends it reliably (RSeq). */
        nua_respond(nh, SIP_183_SESSION_PROGRESS, SIPTAG_REQUIRE_STR("100rel"),
                    SOATAG_USER_SDP_STR(local_sdp), TAG_END());
        break;
    case nua_i_prack:
        /* nua has answered the PRACK with 200; now the INVITE. */
        nua_respond(nh, SIP_200_OK, TAG_END());
        break;
    case nua_i_state: {
        int state = nua_callstate_init;
        tl_gets(tags, NUTAG_CALLSTATE_REF(state), TAG_END());
        if (state == nua_callstate_ready)
            confirmed++;
        else if (state == nua_callstate_terminated) {
            terminated++;
            nua_handle_destroy(nh);
        }
        break;
    }
    case nua_r_shutdown:
        if (status >= 200)
            su_root_break(root);
        break;
    default:
        break;
    }
}

/* nua does not expose its sockets: give every UDP socket of the process the
 * receive buffer the example programs ask for. Only sofia's are open here. */
static void grow_udp_buffers(void)
{
    for (int fd = 0; fd < 1024; fd++) {
        int type = 0;
        socklen_t len = sizeof(type);
        if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_DGRAM)
            continue;
        int size = 1 << 20;
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
    }
}

/* The signal handler only sets a flag; the loop looks at it ten times a second. */
static void check_stop(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
    (void)m, (void)t;
    static int asked;
    if (stop && !asked) {
        asked = 1;
        nua_shutdown((nua_t *)arg);
    }
}

int main(int argc, char **argv)
{
    const char *bind = "127.0.0.1:5080";
    int one_thread = 0, default_buffers = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--bind") == 0 && i + 1 < argc) {
            bind = argv[++i];
        } else if (strcmp(argv[i], "--one-thread") == 0) {
            one_thread = 1;
        } else if (strcmp(argv[i], "--default-buffers") == 0) {
            default_buffers = 1;
        } else {
            fprintf(stderr,
                    "usage: sofia-uas [--bind HOST:PORT] [--one-thread] [--default-buffers]\n");
            return 2;
        }
    }
    char url[128];
    if (snprintf(url, sizeof(url), "sip:%s", bind) >= (int)sizeof(url)) {
        fprintf(stderr, "sofia-uas: --bind too long\n");
        return 2;
    }

    su_init();
    root = su_root_create(NULL);
    if (!root) {
        fprintf(stderr, "sofia-uas: su_root_create failed\n");
        return 1;
    }
    if (one_thread)
        su_root_threading(root, 0);
    nua_t *nua = nua_create(root, on_event, NULL, NUTAG_URL(url),
                            SIPTAG_SUPPORTED_STR("100rel"), NUTAG_EARLY_MEDIA(1),
                            NUTAG_AUTOANSWER(0), NUTAG_AUTOALERT(0),
                            SOATAG_USER_SDP_STR(local_sdp), TAG_END());
    if (!nua) {
        fprintf(stderr, "sofia-uas: cannot listen on %s\n", url);
        su_root_destroy(root);
        su_deinit();
        return 1;
    }
    if (!default_buffers)
        grow_udp_buffers();
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    su_timer_t *timer = su_timer_create(su_root_task(root), 100);
    su_timer_set_for_ever(timer, check_stop, (su_timer_arg_t *)nua);

    printf("sofia-uas listening on %s (sofia-sip nua, %s)\n", bind,
           one_thread ? "one thread" : "stack in its own thread");
    fflush(stdout);
    su_root_run(root);

    su_timer_destroy(timer);
    nua_destroy(nua);
    su_root_destroy(root);
    su_deinit();
    printf("RESULT sofia-uas invites=%lu confirmed=%lu terminated=%lu\n", invites, confirmed,
           terminated);
    return 0;
}
