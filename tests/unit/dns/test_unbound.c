/*
 * test_unbound.c - the libunbound resolver against a real unbound server.
 *
 * main() starts /usr/sbin/unbound on 127.0.0.1 at a random high port, with
 * a static local zone (example.org) holding A, AAAA, MX and a two-string
 * TXT record, and waits until it answers a hand-made UDP query.  The cases
 * then resolve through the forwarder option, blocking and asynchronously.
 * The server is killed at the end.  Nothing leaves loopback.  Without the
 * unbound binary the program exits 77 (skipped).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ik_test.h"
#include "inkan/dns.h"
#include "inkan/resolver_unbound.h"

#define UNBOUND_BIN "/usr/sbin/unbound"

static char dir[128];
static char fwd[64];
static int port;

static void write_config(const char *path, const char *addr, int at_port)
{
    FILE *f = fopen(path, "w");
    ASSERT_TRUE(f != NULL);
    fprintf(f,
            "server:\n"
            "    interface: %s\n"
            "    port: %d\n"
            "    do-daemonize: no\n"
            "    chroot: \"\"\n"
            "    username: \"\"\n"
            "    directory: \"%s\"\n"
            "    pidfile: \"\"\n"
            "    use-syslog: no\n"
            "    logfile: \"\"\n"
            "    verbosity: 0\n"
            "    num-threads: 1\n"
            "    do-ip6: no\n"
            "    so-reuseport: no\n"
            "    access-control: 127.0.0.0/8 allow\n"
            "    module-config: \"iterator\"\n"
            "    local-zone: \"example.org.\" static\n"
            "    local-data: \"example.org. 300 IN A 192.0.2.10\"\n"
            "    local-data: \"example.org. 300 IN MX 10 mail.example.org.\"\n"
            "    local-data: \"example.org. 300 IN MX 20 backup.example.org.\"\n"
            "    local-data: 'example.org. 300 IN TXT \"v=spf1 ip4:192.0.2.0/24 \" \"-all\"'\n"
            "    local-data: \"mail.example.org. 300 IN A 192.0.2.25\"\n"
            "    local-data: \"v6.example.org. 300 IN AAAA 2001:db8::25\"\n"
            /* not under 2.0.192.in-addr.arpa: libunbound answers the reverse
             * zones of documentation ranges locally (RFC 6303) */
            "    local-data: \"25.ptr.example.org. 300 IN PTR mail.example.org.\"\n"
            "    local-zone: \"refused.example.\" refuse\n"
            /* names with octets that text form must escape */
            "    local-data: 'a\\000b.example.org. 300 IN TXT \"nul\"'\n"
            "    local-data: 'back\\092slash.example.org. 300 IN TXT \"backslash\"'\n"
            "    local-data: 'sp\\032ace.example.org. 300 IN TXT \"space\"'\n"
            "    local-data: 'b.example.org. 300 IN TXT \"not me\"'\n"
            "remote-control:\n"
            "    control-enable: no\n",
            addr, at_port, dir);
    fclose(f);
}

/*
 * A minimal DNS query for example.org/A; 0 when the server answers.  (Not
 * .test: libunbound answers RFC 6761 names locally, without forwarding.)
 */
static int probe_at(const char *addr, int at_port)
{
    static const unsigned char q[] = { 0x12, 0x34, 0x01, 0x00, 0,   1,   0,   0,   0,   0,
                                       0,    0,    7,    'e',  'x', 'a', 'm', 'p', 'l', 'e',
                                       3,    'o',  'r',  'g',  0,   0,   1,   0,   1 };
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0)
        return -1;
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)at_port) };
    if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
        close(s);
        return -1;
    }
    unsigned char buf[512];
    int ok = -1;
    if (sendto(s, q, sizeof(q), 0, (struct sockaddr *)&sa, sizeof(sa)) == (ssize_t)sizeof(q)) {
        struct pollfd pfd = { s, POLLIN, 0 };
        if (poll(&pfd, 1, 200) == 1 && recv(s, buf, sizeof(buf), 0) >= 12 && buf[0] == 0x12
            && buf[1] == 0x34)
            ok = 0;
    }
    close(s);
    return ok;
}

/* Runs unbound on addr:at_port (0: a free high port, set in port); the
 * pid, or -1 when it never answers. */
static pid_t start_unbound_at(const char *addr, int at_port, const char *name)
{
    char conf[256], log[256];
    snprintf(conf, sizeof(conf), "%s/%s.conf", dir, name);
    snprintf(log, sizeof(log), "%s/%s.log", dir, name);
    for (int attempt = 0; attempt < (at_port ? 1 : 8); attempt++) {
        int p = at_port;
        if (p == 0)
            p = port =
                20000 + (int)((unsigned)(getpid() * 7919 + attempt * 104729 + time(NULL)) % 40000u);
        write_config(conf, addr, p);
        pid_t pid = fork();
        if (pid < 0)
            return -1;
        if (pid == 0) {
            FILE *l = freopen(log, "w", stderr);
            (void)l;
            execl(UNBOUND_BIN, "unbound", "-d", "-c", conf, (char *)NULL);
            _exit(127);
        }
        for (int i = 0; i < 50; i++) { /* up to ~10 s */
            int status;
            if (waitpid(pid, &status, WNOHANG) == pid)
                break; /* exited: most likely the port was taken; try another */
            if (probe_at(addr, p) == 0)
                return pid;
        }
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    return -1;
}

static pid_t start_unbound(void)
{
    pid_t pid = start_unbound_at("127.0.0.1", 0, "unbound");
    if (pid > 0)
        snprintf(fwd, sizeof(fwd), "127.0.0.1@%d", port);
    return pid;
}

static void stop_unbound(pid_t pid)
{
    kill(pid, SIGTERM);
    int status;
    for (int i = 0; i < 50 && waitpid(pid, &status, WNOHANG) == 0; i++)
        usleep(100000);
    if (waitpid(pid, &status, WNOHANG) == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
}

/* ---- helpers --------------------------------------------------------------- */

static ik_resolver make_resolver(unsigned timeout_ms)
{
    ik_unbound_options o;
    ik_unbound_options_init(&o);
    o.forwarder = fwd;
    o.no_ipv6 = 1;
    o.timeout_ms = timeout_ms;
    char err[256];
    ik_resolver r;
    ik_status st = ik_resolver_unbound_new(NULL, &o, &r, err, sizeof(err));
    if (st != IK_OK)
        IK_TEST_FAIL_("ik_resolver_unbound_new: %s: %s", ik_status_name(st), err);
    ASSERT_CSTR(r.ops->name, "unbound");
    return r;
}

static ik_dns_answer *resolve(ik_resolver *r, ik_arena *a, const char *name, uint16_t type)
{
    ik_dns_query *q = ik_dns_query_new(a, ik_str_c(name), type);
    ASSERT_OK(r->ops->resolve(r->self, a, q));
    ASSERT_TRUE(q->answer != NULL);
    return q->answer;
}

#define ASSERT_DNS(ans, want)                                                                      \
    do {                                                                                           \
        const ik_dns_answer *x_ = (ans);                                                           \
        if (x_->status != (want))                                                                  \
            IK_TEST_FAIL_("%s: got %s (%.*s), want %s", #ans, ik_dns_status_name(x_->status),      \
                          (int)x_->why.len, x_->why.p ? x_->why.p : "", ik_dns_status_name(want)); \
    } while (0)

/* ---- cases ------------------------------------------------------------------ */

static void unbound_forwarder_answers_a_txt_mx_ptr(void)
{
    ik_resolver r = make_resolver(3000);
    ik_arena *a = ik_arena_new(NULL);
    char buf[IK_IP_TEXT_MAX];

    ik_dns_answer *ans = resolve(&r, a, "Example.ORG.", IK_DNS_T_A);
    ASSERT_DNS(ans, IK_DNS_OK);
    ASSERT_EQ(ans->nrr, 1);
    ik_ip_format(&ans->rr[0].u.addr, buf);
    ASSERT_CSTR(buf, "192.0.2.10");
    ASSERT_TRUE(ans->ttl > 0 && ans->ttl <= 300);
    ASSERT_FALSE(ans->secure);
    ASSERT_STR(ans->canonical, "example.org");

    ans = resolve(&r, a, "example.org", IK_DNS_T_TXT);
    ASSERT_DNS(ans, IK_DNS_OK);
    ASSERT_EQ(ans->rr[0].u.txt.nstrings, 2);
    ASSERT_STR(ans->rr[0].u.txt.strings[0], "v=spf1 ip4:192.0.2.0/24 ");
    ASSERT_STR(ans->rr[0].u.txt.joined, "v=spf1 ip4:192.0.2.0/24 -all");

    ans = resolve(&r, a, "example.org", IK_DNS_T_MX);
    ASSERT_DNS(ans, IK_DNS_OK);
    ASSERT_EQ(ans->nrr, 2);
    int saw10 = 0, saw20 = 0;
    for (size_t i = 0; i < ans->nrr; i++) {
        if (ans->rr[i].u.mx.pref == 10) {
            ASSERT_STR(ans->rr[i].u.mx.host, "mail.example.org");
            saw10 = 1;
        } else if (ans->rr[i].u.mx.pref == 20) {
            ASSERT_STR(ans->rr[i].u.mx.host, "backup.example.org");
            saw20 = 1;
        }
    }
    ASSERT_TRUE(saw10 && saw20);

    ans = resolve(&r, a, "v6.example.org", IK_DNS_T_AAAA);
    ASSERT_DNS(ans, IK_DNS_OK);
    ik_ip_format(&ans->rr[0].u.addr, buf);
    ASSERT_CSTR(buf, "2001:db8::25");

    ans = resolve(&r, a, "25.ptr.example.org", IK_DNS_T_PTR);
    ASSERT_DNS(ans, IK_DNS_OK);
    ASSERT_STR(ans->rr[0].u.name, "mail.example.org");
    ik_resolver_close(&r);
    ik_arena_free(a);
}

static void unbound_nxdomain_nodata_refused_invalid(void)
{
    ik_resolver r = make_resolver(3000);
    ik_arena *a = ik_arena_new(NULL);
    ASSERT_DNS(resolve(&r, a, "nx.example.org", IK_DNS_T_A), IK_DNS_NXDOMAIN);
    ASSERT_DNS(resolve(&r, a, "example.org", IK_DNS_T_AAAA), IK_DNS_NODATA);
    ASSERT_DNS(resolve(&r, a, "mail.example.org", IK_DNS_T_TXT), IK_DNS_NODATA);
    /* the server refuses: unbound passes on REFUSED as SERVFAIL or REFUSED;
     * either way this is a failure, never data or NXDOMAIN */
    ik_dns_answer *ans = resolve(&r, a, "x.refused.example", IK_DNS_T_A);
    ASSERT_TRUE(ans->status == IK_DNS_TEMPFAIL || ans->status == IK_DNS_PERMFAIL);
    ASSERT_EQ(ans->nrr, 0);
    ans = resolve(&r, a, "bad..name", IK_DNS_T_A);
    ASSERT_DNS(ans, IK_DNS_INVALID);
    ik_resolver_close(&r);
    ik_arena_free(a);
}

static void unbound_answer_all_runs_queries_in_parallel(void)
{
    ik_resolver r = make_resolver(3000);
    ik_arena *a = ik_arena_new(NULL);
    static const struct {
        const char *name;
        uint16_t type;
        ik_dns_status want;
    } qs[] = {
        { "example.org", IK_DNS_T_A, IK_DNS_OK },
        { "example.org", IK_DNS_T_TXT, IK_DNS_OK },
        { "mail.example.org", IK_DNS_T_A, IK_DNS_OK },
        { "nx1.example.org", IK_DNS_T_A, IK_DNS_NXDOMAIN },
        { "example.org", IK_DNS_T_AAAA, IK_DNS_NODATA },
        { "bad..name", IK_DNS_T_A, IK_DNS_INVALID },
    };
    ik_dns_query *list = NULL, *tail = NULL;
    for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
        ik_dns_query *q = ik_dns_query_new(a, ik_str_c(qs[i].name), qs[i].type);
        if (tail)
            tail->next = q;
        else
            list = q;
        tail = q;
    }
    ASSERT_OK(ik_resolver_answer_all(&r, a, list));
    size_t i = 0;
    for (ik_dns_query *q = list; q; q = q->next, i++) {
        ASSERT_TRUE(q->answer != NULL);
        ASSERT_DNS(q->answer, qs[i].want);
    }
    ASSERT_STATUS(r.ops->wait(r.self), IK_ESTATE);
    ik_resolver_close(&r);
    ik_arena_free(a);
}

typedef struct counter {
    int done;
    int in_submit;
    int bad;
} counter;

static void count_done(void *arg, ik_dns_query *q)
{
    counter *c = arg;
    if (c->in_submit || q->answer == NULL)
        c->bad++;
    c->done++;
}

static void unbound_fd_and_process_deliver_answers(void)
{
    ik_resolver r = make_resolver(3000);
    ik_arena *a = ik_arena_new(NULL);
    counter c = { 0, 0, 0 };
    ik_dns_query *q1 = ik_dns_query_new(a, IK_STR_LIT("example.org"), IK_DNS_T_MX);
    ik_dns_query *q2 = ik_dns_query_new(a, IK_STR_LIT("nx2.example.org"), IK_DNS_T_TXT);
    c.in_submit = 1;
    ASSERT_OK(r.ops->submit(r.self, a, q1, count_done, &c));
    ASSERT_OK(r.ops->submit(r.self, a, q2, count_done, &c));
    c.in_submit = 0;
    ASSERT_EQ(c.done, 0);
    int fd = r.ops->fd(r.self);
    ASSERT_TRUE(fd >= 0);
    for (int rounds = 0; c.done < 2 && rounds < 100; rounds++) {
        struct pollfd pfd = { fd, POLLIN, 0 };
        poll(&pfd, 1, 100);
        ASSERT_OK(r.ops->process(r.self));
    }
    ASSERT_EQ(c.done, 2);
    ASSERT_EQ(c.bad, 0);
    ASSERT_DNS(q1->answer, IK_DNS_OK);
    ASSERT_EQ(q1->answer->nrr, 2);
    ASSERT_DNS(q2->answer, IK_DNS_NXDOMAIN);
    /* a blocking resolve in between does not run other queries' callbacks */
    ik_dns_query *q3 = ik_dns_query_new(a, IK_STR_LIT("mail.example.org"), IK_DNS_T_A);
    ASSERT_OK(r.ops->submit(r.self, a, q3, count_done, &c));
    ik_dns_answer *ans = resolve(&r, a, "example.org", IK_DNS_T_A);
    ASSERT_DNS(ans, IK_DNS_OK);
    ASSERT_EQ(c.done, 2);
    ASSERT_OK(r.ops->wait(r.self));
    ASSERT_EQ(c.done, 3);
    ASSERT_DNS(q3->answer, IK_DNS_OK);
    /* closing with a query in flight drops it without a callback */
    ik_dns_query *q4 = ik_dns_query_new(a, IK_STR_LIT("example.org"), IK_DNS_T_TXT);
    ASSERT_OK(r.ops->submit(r.self, a, q4, count_done, &c));
    ik_resolver_close(&r);
    ASSERT_EQ(c.done, 3);
    ik_arena_free(a);
}

static void unbound_dead_forwarder_is_tempfail_within_the_timeout(void)
{
    /* a port nothing listens on: our deadline, or unbound's SERVFAIL */
    ik_unbound_options o;
    ik_unbound_options_init(&o);
    char dead[64];
    snprintf(dead, sizeof(dead), "127.0.0.1@%d", port == 65000 ? 65001 : 65000);
    o.forwarder = dead;
    o.no_ipv6 = 1;
    o.timeout_ms = 400;
    ik_resolver r;
    char err[256];
    ASSERT_OK(ik_resolver_unbound_new(NULL, &o, &r, err, sizeof(err)));
    ik_arena *a = ik_arena_new(NULL);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ik_dns_answer *ans = resolve(&r, a, "example.org", IK_DNS_T_A);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ASSERT_DNS(ans, IK_DNS_TEMPFAIL);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    ASSERT_TRUE(ms < 2000);
    ik_resolver_close(&r);
    ik_arena_free(a);
}

static pid_t port53_pid;

/* A failed assertion ends the case's process: the server must not outlive
 * it and hold port 53 for the next run. */
static void kill_port53(void)
{
    if (port53_pid > 0)
        stop_unbound(port53_pid);
    port53_pid = 0;
}

static void unbound_resolv_conf_nameservers_are_the_default(void)
{
    /* resolv.conf has no port: a second unbound on port 53 of another
     * loopback address, which needs root (CI runs as root) */
    if (geteuid() != 0) {
        printf("# not root: port 53 cannot be bound, resolv.conf mode not checked\n");
        return;
    }
    port53_pid = start_unbound_at("127.83.0.1", 53, "port53");
    if (port53_pid <= 0) {
        /* a DNS server of the machine's own on 0.0.0.0:53 takes the port */
        printf("# 127.83.0.1:53 cannot be bound: resolv.conf mode not checked\n");
        return;
    }
    atexit(kill_port53);
    char path[256];
    snprintf(path, sizeof(path), "%s/resolv.conf", dir);
    FILE *f = fopen(path, "w");
    ASSERT_TRUE(f != NULL);
    fputs("# written by test_unbound\nsearch example.net\nnameserver 127.83.0.1\n"
          "options ndots:1\n",
          f);
    fclose(f);
    ik_unbound_options o;
    ik_unbound_options_init(&o);
    o.resolv_conf = path;
    o.no_ipv6 = 1;
    o.timeout_ms = 3000;
    ik_resolver r;
    char err[256];
    ASSERT_OK(ik_resolver_unbound_new(NULL, &o, &r, err, sizeof(err)));
    ik_arena *a = ik_arena_new(NULL);
    ik_dns_answer *ans = resolve(&r, a, "example.org", IK_DNS_T_A);
    ASSERT_DNS(ans, IK_DNS_OK);
    ASSERT_EQ(ans->nrr, 1);
    char text[IK_IP_TEXT_MAX];
    ik_ip_format(&ans->rr[0].u.addr, text);
    ASSERT_CSTR(text, "192.0.2.10");
    ik_arena_free(a);
    ik_resolver_close(&r);
    kill_port53();
}

static void unbound_names_with_special_octets_are_escaped(void)
{
    /* explicit lengths: the NUL, backslash and space are label octets */
    static const struct {
        const char *name;
        size_t len;
        const char *txt;
    } cases[] = {
        { "a\0b.example.org", 15, "nul" },
        { "back\\slash.example.org", 22, "backslash" },
        { "sp ace.example.org", 18, "space" },
    };
    ik_resolver r = make_resolver(3000);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ik_arena *a = ik_arena_new(NULL);
        ik_dns_query *q =
            ik_dns_query_new(a, ik_str_make(cases[i].name, cases[i].len), IK_DNS_T_TXT);
        ASSERT_OK(r.ops->resolve(r.self, a, q));
        ASSERT_DNS(q->answer, IK_DNS_OK);
        ASSERT_EQ(q->answer->nrr, 1);
        ASSERT_STR(q->answer->rr[0].u.txt.joined, cases[i].txt);
        ik_arena_free(a);
    }
    ik_resolver_close(&r);
}

static void unbound_rejects_bad_options(void)
{
    ik_unbound_options o;
    ik_resolver r = { NULL, NULL };
    char err[256];
    static const char *const bad[] = { "not-an-ip",   "127.0.0.1@0",   "127.0.0.1@70000",
                                       "127.0.0.1@",  "127.0.0.1@53x", "",
                                       "192.0.2.1/24" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ik_unbound_options_init(&o);
        o.forwarder = bad[i];
        ASSERT_STATUS(ik_resolver_unbound_new(NULL, &o, &r, err, sizeof(err)), IK_EINVAL);
        ASSERT_TRUE(strstr(err, "bad forwarder") != NULL);
        ASSERT_TRUE(r.ops == NULL);
    }
    ik_unbound_options_init(&o);
    o.forwarder = "::1@53";
    ASSERT_OK(ik_resolver_unbound_new(NULL, &o, &r, err, sizeof(err)));
    ik_resolver_close(&r);
    o.recursive = 1;
    ASSERT_STATUS(ik_resolver_unbound_new(NULL, &o, &r, err, sizeof(err)), IK_EINVAL);
    ASSERT_CSTR(err, "recursive and forwarder exclude each other");
    ik_unbound_options_init(&o);
    o.resolv_conf = "/nonexistent/resolv.conf";
    ASSERT_STATUS(ik_resolver_unbound_new(NULL, &o, &r, err, sizeof(err)), IK_EIO);
    ASSERT_TRUE(strstr(err, "/nonexistent/resolv.conf") != NULL);
    /* a root server: only for recursion, and only IP[@PORT] */
    ik_unbound_options_init(&o);
    o.root_server = "127.0.0.1@5353";
    ASSERT_STATUS(ik_resolver_unbound_new(NULL, &o, &r, err, sizeof(err)), IK_EINVAL);
    ASSERT_CSTR(err, "a root server needs recursive mode");
    o.recursive = 1;
    o.trust_anchor_file = "";
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        o.root_server = bad[i];
        ASSERT_STATUS(ik_resolver_unbound_new(NULL, &o, &r, err, sizeof(err)), IK_EINVAL);
        ASSERT_TRUE(strstr(err, "bad root server") != NULL);
        ASSERT_TRUE(r.ops == NULL);
    }
    o.root_server = "127.0.0.1@5353";
    ASSERT_OK(ik_resolver_unbound_new(NULL, &o, &r, err, sizeof(err)));
    ik_resolver_close(&r);
}

static void unbound_recursive_mode_loads_the_root_trust_anchor(void)
{
    struct stat sb;
    if (stat(IK_UNBOUND_ROOT_KEY, &sb) != 0) {
        printf("# %s absent: recursive mode not checked\n", IK_UNBOUND_ROOT_KEY);
        return;
    }
    ik_unbound_options o;
    ik_unbound_options_init(&o);
    o.recursive = 1;
    ik_resolver r;
    char err[256];
    ASSERT_OK(ik_resolver_unbound_new(NULL, &o, &r, err, sizeof(err)));
    /* no query: tests never leave loopback */
    ik_resolver_close(&r);
}

/* Making the resolver and answering through it, with allocation number n
 * failing for each n in turn: IK_ENOMEM (or a lookup that fails
 * cleanly), never a crash or a leak; with no failure, an answer. */
static void unbound_survives_allocation_failures(void)
{
    int answered = 0;
    for (long fail = 0; fail < 1000 && !answered; fail++) {
        ik_test_alloc ta;
        ik_test_alloc_init(&ta, fail);
        ik_unbound_options o;
        ik_unbound_options_init(&o);
        o.forwarder = fwd;
        o.no_ipv6 = 1;
        o.timeout_ms = 3000;
        char err[256];
        ik_resolver r;
        ik_status st = ik_resolver_unbound_new(&ta.al, &o, &r, err, sizeof(err));
        if (st != IK_OK) {
            ASSERT_STATUS(st, IK_ENOMEM);
            ASSERT_TRUE(r.ops == NULL);
            continue;
        }
        ik_arena *a = ik_arena_new(&ta.al);
        ik_dns_query *q = a ? ik_dns_query_new(a, IK_STR_LIT("example.org"), IK_DNS_T_TXT) : NULL;
        if (q != NULL) {
            st = r.ops->resolve(r.self, a, q);
            if (st == IK_OK && q->answer != NULL && q->answer->status == IK_DNS_OK) {
                ASSERT_STR(q->answer->rr[0].u.txt.joined, "v=spf1 ip4:192.0.2.0/24 -all");
                answered = 1;
            } else if (st != IK_OK) {
                ASSERT_STATUS(st, IK_ENOMEM);
            }
        }
        ik_resolver_close(&r);
        ik_arena_free(a);
    }
    ASSERT_TRUE(answered);
}

static const ik_test_case cases[] = {
    IK_TEST_CASE(unbound_forwarder_answers_a_txt_mx_ptr),
    IK_TEST_CASE(unbound_nxdomain_nodata_refused_invalid),
    IK_TEST_CASE(unbound_answer_all_runs_queries_in_parallel),
    IK_TEST_CASE(unbound_fd_and_process_deliver_answers),
    IK_TEST_CASE(unbound_dead_forwarder_is_tempfail_within_the_timeout),
    IK_TEST_CASE(unbound_rejects_bad_options),
    IK_TEST_CASE(unbound_names_with_special_octets_are_escaped),
    IK_TEST_CASE(unbound_recursive_mode_loads_the_root_trust_anchor),
    IK_TEST_CASE(unbound_resolv_conf_nameservers_are_the_default),
    IK_TEST_CASE(unbound_survives_allocation_failures),
};

int main(int argc, char **argv)
{
    if (access(UNBOUND_BIN, X_OK) != 0) {
        printf("skipped: %s not installed\n", UNBOUND_BIN);
        return 77;
    }
    snprintf(dir, sizeof(dir), "/tmp/ik_unbound_XXXXXX");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    pid_t pid = start_unbound();
    if (pid < 0) {
        char cmd[300];
        fprintf(stderr, "could not start unbound; its log:\n");
        snprintf(cmd, sizeof(cmd), "cat '%s/unbound.log' >&2; rm -rf '%s'", dir, dir);
        if (system(cmd) != 0)
            fprintf(stderr, "(no log)\n");
        return 1;
    }
    int rc = ik_test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
    stop_unbound(pid);
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return rc;
}
