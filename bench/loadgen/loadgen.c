/*
 * loadgen — load generator for dialogue-server (see README.md next to this file).
 *
 * One thread, one epoll loop, non-blocking sockets, its own minimal WebSocket client
 * (RFC 6455: upgrade with Sec-WebSocket-Key and a checked Sec-WebSocket-Accept, masked
 * client frames, 7/16/64-bit lengths, fragments, ping -> pong, close) and a minimal
 * HTTP/1.1 keep-alive client for set-up (sessions and invites).
 *
 * Modes: idle, fanout, append.  `loadgen --help` documents the flags.
 * Every run ends with one machine-readable line: `RESULT {...json...}`.
 *
 * Build: cc -O2 -Wall -Wextra -o .build-bench/loadgen bench/loadgen/loadgen.c -lm
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

/* ------------------------------------------------------------------ utilities */

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "loadgen: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(2);
}

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) die("out of memory");
    return p;
}
static void *xrealloc(void *p, size_t n) {
    p = realloc(p, n ? n : 1);
    if (!p) die("out of memory");
    return p;
}
static void *xcalloc(size_t a, size_t b) {
    void *p = calloc(a ? a : 1, b ? b : 1);
    if (!p) die("out of memory");
    return p;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd64(void) { /* xorshift64* */
    uint64_t x = rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

/* find `"key":` in [p, p+n) and return a pointer just after the colon, or NULL */
static const char *json_key(const char *p, size_t n, const char *quoted_key_colon) {
    size_t kl = strlen(quoted_key_colon);
    const char *q = memmem(p, n, quoted_key_colon, kl);
    return q ? q + kl : NULL;
}

/* copy a JSON string value (no escapes expected) starting at `"` into out */
static int json_str(const char *p, const char *end, char *out, size_t cap) {
    if (!p || p >= end || *p != '"') return -1;
    p++;
    size_t i = 0;
    while (p < end && *p != '"') {
        if (*p == '\\') { if (p + 1 < end) p++; }
        if (i + 1 < cap) out[i++] = *p;
        p++;
    }
    out[i] = 0;
    return p < end ? 0 : -1;
}

static int64_t json_int(const char *p, const char *end) {
    if (!p) return -1;
    while (p < end && (*p == ' ')) p++;
    if (p >= end || !isdigit((unsigned char)*p)) return -1;
    int64_t v = 0;
    while (p < end && isdigit((unsigned char)*p)) v = v * 10 + (*p++ - '0');
    return v;
}

/* ------------------------------------------------------------------ SHA-1, base64 */

typedef struct { uint32_t h[5]; uint64_t len; uint8_t buf[64]; size_t n; } sha1_ctx;
#define ROL(x, c) (((x) << (c)) | ((x) >> (32 - (c))))
static void sha1_block(sha1_ctx *c, const uint8_t *b) {
    uint32_t w[80], a, bb, cc, d, e, t;
    for (int i = 0; i < 16; i++) w[i] = (uint32_t)b[4*i] << 24 | (uint32_t)b[4*i+1] << 16 | (uint32_t)b[4*i+2] << 8 | b[4*i+3];
    for (int i = 16; i < 80; i++) w[i] = ROL(w[i-3] ^ w[i-8] ^ w[i-14] ^ w[i-16], 1);
    a = c->h[0]; bb = c->h[1]; cc = c->h[2]; d = c->h[3]; e = c->h[4];
    for (int i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20) { f = (bb & cc) | (~bb & d); k = 0x5A827999; }
        else if (i < 40) { f = bb ^ cc ^ d; k = 0x6ED9EBA1; }
        else if (i < 60) { f = (bb & cc) | (bb & d) | (cc & d); k = 0x8F1BBCDC; }
        else { f = bb ^ cc ^ d; k = 0xCA62C1D6; }
        t = ROL(a, 5) + f + e + k + w[i];
        e = d; d = cc; cc = ROL(bb, 30); bb = a; a = t;
    }
    c->h[0] += a; c->h[1] += bb; c->h[2] += cc; c->h[3] += d; c->h[4] += e;
}
static void sha1(const uint8_t *p, size_t n, uint8_t out[20]) {
    sha1_ctx c = {{0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0}, 0, {0}, 0};
    c.len = n;
    while (n >= 64) { sha1_block(&c, p); p += 64; n -= 64; }
    uint8_t last[128] = {0};
    memcpy(last, p, n);
    last[n] = 0x80;
    size_t tot = (n + 9 <= 64) ? 64 : 128;
    uint64_t bits = c.len * 8;
    for (int i = 0; i < 8; i++) last[tot - 1 - i] = (uint8_t)(bits >> (8 * i));
    sha1_block(&c, last);
    if (tot == 128) sha1_block(&c, last + 64);
    for (int i = 0; i < 5; i++) { out[4*i] = c.h[i] >> 24; out[4*i+1] = c.h[i] >> 16; out[4*i+2] = c.h[i] >> 8; out[4*i+3] = c.h[i]; }
}
static void b64(const uint8_t *p, size_t n, char *out) {
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i+1] << 8 : 0) | (i + 2 < n ? p[i+2] : 0);
        out[o++] = t[(v >> 18) & 63];
        out[o++] = t[(v >> 12) & 63];
        out[o++] = i + 1 < n ? t[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? t[v & 63] : '=';
    }
    out[o] = 0;
}

/* ------------------------------------------------------------------ histogram */
/* Log-linear buckets over nanoseconds: exact below 64 ns, then 64 sub-buckets per power
 * of two (relative error < 1.6 %), like HdrHistogram with 2 significant digits. */
#define HBUCKETS (58 * 64 + 128)
typedef struct { uint64_t b[HBUCKETS]; uint64_t n, max, min; double sum; } hist;

static void h_init(hist *h) { memset(h, 0, sizeof *h); h->min = UINT64_MAX; }
static int h_index(uint64_t v) {
    if (v < 64) return (int)v;
    int e = 63 - __builtin_clzll(v);
    return (e - 6) * 64 + (int)(v >> (e - 6));
}
static uint64_t h_upper(int idx) {
    if (idx < 64) return (uint64_t)idx;
    int k = idx / 64 - 1;
    uint64_t m = (uint64_t)(idx - k * 64);
    return ((m + 1) << k) - 1;
}
static void h_add(hist *h, uint64_t v) {
    h->b[h_index(v)]++;
    h->n++;
    h->sum += (double)v;
    if (v > h->max) h->max = v;
    if (v < h->min) h->min = v;
}
static uint64_t h_pct(const hist *h, double p) {
    if (!h->n) return 0;
    uint64_t want = (uint64_t)ceil(p / 100.0 * (double)h->n);
    if (want < 1) want = 1;
    uint64_t acc = 0;
    for (int i = 0; i < HBUCKETS; i++) {
        acc += h->b[i];
        if (acc >= want) { uint64_t u = h_upper(i); return u > h->max ? h->max : u; }
    }
    return h->max;
}
static void h_print(const char *name, const hist *h) {
    if (!h->n) { printf("%-22s no samples\n", name); return; }
    printf("%-22s n=%" PRIu64 "  p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  mean %.3f ms\n",
           name, h->n, h_pct(h, 50) / 1e6, h_pct(h, 90) / 1e6, h_pct(h, 99) / 1e6, h_pct(h, 99.9) / 1e6,
           h->max / 1e6, h->sum / h->n / 1e6);
}
static void h_json(char *out, size_t cap, const hist *h) {
    snprintf(out, cap, "{\"n\":%" PRIu64 ",\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,\"p999\":%.3f,\"max\":%.3f,\"mean\":%.3f}",
             h->n, h_pct(h, 50) / 1e6, h_pct(h, 90) / 1e6, h_pct(h, 99) / 1e6, h_pct(h, 99.9) / 1e6,
             h->max / 1e6, h->n ? h->sum / h->n / 1e6 : 0.0);
}

/* ------------------------------------------------------------------ /proc of the server */

static int g_pid = 0;
static int g_alt_pid = 0; /* --alt-pid: a second node; its CPU is added to the server's */

static double one_proc_cpu_s(int pid);
static double proc_cpu_s(int pid) { /* utime + stime of the server (both nodes with --alt-pid) */
    double cpu = one_proc_cpu_s(pid);
    if (pid == g_pid && g_alt_pid > 0 && cpu >= 0) {
        double alt = one_proc_cpu_s(g_alt_pid);
        if (alt >= 0) cpu += alt;
    }
    return cpu;
}

/* --cpu-comm NAME: the summed CPU of every process so named (PostgreSQL's), over the same
 * window as the server's. A process that exits inside the window takes its time along. */
static char g_cpu_comm[32] = "";
static double comm_cpu_s(void) {
    if (!g_cpu_comm[0]) return -1;
    DIR *d = opendir("/proc");
    if (!d) return -1;
    double total = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        char path[300], buf[512];
        snprintf(path, sizeof path, "/proc/%s/comm", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f) continue;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = 0;
        if (n && buf[n - 1] == '\n') buf[n - 1] = 0;
        if (strcmp(buf, g_cpu_comm)) continue;
        double cpu = one_proc_cpu_s(atoi(e->d_name));
        if (cpu > 0) total += cpu;
    }
    closedir(d);
    return total;
}

static double one_proc_cpu_s(int pid) {
    if (pid <= 0) return -1;
    char path[64], buf[4096];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    if (!p) return -1;
    p += 2; /* field 3 (state) */
    unsigned long long ut = 0, st = 0;
    for (int field = 3; field <= 15 && *p; field++) {
        if (field == 14) ut = strtoull(p, NULL, 10);
        if (field == 15) st = strtoull(p, NULL, 10);
        p = strchr(p, ' ');
        if (!p) break;
        p++;
    }
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* run-queue wait of all the server's threads (ns), from /proc/PID/task/TID/schedstat: time
 * its threads were runnable but not running, i.e. starved by other processes on its core */
static double proc_wait_s(int pid) {
    if (pid <= 0) return -1;
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", pid);
    DIR *d = opendir(path);
    if (!d) return -1;
    struct dirent *e;
    unsigned long long tot = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char f[320];
        snprintf(f, sizeof f, "/proc/%d/task/%.32s/schedstat", pid, e->d_name);
        FILE *fp = fopen(f, "r");
        if (!fp) continue;
        unsigned long long run, wait;
        if (fscanf(fp, "%llu %llu", &run, &wait) == 2) tot += wait;
        fclose(fp);
    }
    closedir(d);
    return tot / 1e9;
}

static long proc_kib(int pid, const char *file, const char *key) {
    if (pid <= 0) return -1;
    char path[96], line[256];
    snprintf(path, sizeof path, "/proc/%d/%s", pid, file);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    long v = -1;
    size_t kl = strlen(key);
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, key, kl) && line[kl] == ':') { v = strtol(line + kl + 1, NULL, 10); break; }
    }
    fclose(f);
    return v;
}
static long server_rss_kib(void) { return proc_kib(g_pid, "status", "VmRSS"); }
static long server_pss_kib(void) { return proc_kib(g_pid, "smaps_rollup", "Pss"); }
static long server_anon_kib(void) { return proc_kib(g_pid, "status", "RssAnon"); }

static double self_cpu_s(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* ------------------------------------------------------------------ options */

enum { MODE_IDLE, MODE_FANOUT, MODE_APPEND, MODE_RELAY };
enum { PEER_NONE, PEER_LWS_MIRROR, PEER_RELAY };
static struct {
    int mode;
    char host[64];
    int port;
    char token[256];
    int connections, sessions, members, senders, window, src_addrs, concurrency, http_parallel;
    double rate, duration, hold, drain, settle, connect_timeout;
    int text_bytes;
    int auth_invite;
    char fsync_dir[512];
    int fsync_samples;
    int verbose;
    int peer;            /* relay mode: PEER_LWS_MIRROR or PEER_RELAY */
    char path[256];      /* relay mode: WebSocket path of --peer-url */
    int alt_port;        /* --alt-port: odd-numbered connections go to a second node */
} opt;

static void usage(FILE *f) {
    fprintf(f,
"usage: loadgen MODE --url http://127.0.0.1:PORT/ --token OFFICER_TOKEN [--pid SERVER_PID] [options]\n"
"\n"
"modes\n"
"  idle    open --connections N authenticated WebSocket connections (hello), hold them\n"
"          --hold S seconds, then print the server's RSS and PSS growth per connection\n"
"  fanout  --sessions S x --members M investors (joined with invite codes); --senders K of\n"
"          each session send `say` open-loop at --rate R messages/s in total for --duration D\n"
"          seconds; latency send -> every receiver, loss, duplicates, server CPU per delivery\n"
"  append  --connections C officers in --sessions N sessions (default: one each) keep\n"
"          --window W appends outstanding for --duration D seconds; append -> ack latency,\n"
"          acked appends/s, server CPU per append; with --fsync-dir, the disk's fsync first\n"
"  relay   the fanout scenario against a peer that relays and stores nothing: --peer\n"
"          lws-mirror|relay --peer-url ws://127.0.0.1:PORT/PATH, --sessions S rooms x\n"
"          --members M, one sender per room, --rate R, payload = the text of a fanout `say`\n"
"          (--text-bytes); no --token. Rooms: relay -> PATH/<k> (Hummingbird bench/relay);\n"
"          lws-mirror -> PATH?mirror=<k> with Sec-WebSocket-Protocol: lws-mirror-protocol\n"
"          (libwebsockets-test-server: one mirror instance per `mirror` URL argument, at\n"
"          most 3 of them, so --sessions <= 3)\n"
"\n"
"common options\n"
"  --url URL               server base URL (http://HOST:PORT/); WebSocket path is /v1/ws\n"
"  --token T               officer token (also env DIALOGUE_TOKEN)\n"
"  --pid PID               server process id: CPU from /proc/PID/stat, RSS/PSS from\n"
"                          /proc/PID/status and smaps_rollup (figures omitted without it)\n"
"  --src-addrs N           spread connections over 127.0.0.1..127.0.0.N (default 8)\n"
"  --concurrency N         WebSocket handshakes in flight while connecting (default 256)\n"
"  --http-parallel N       HTTP set-up connections in parallel (default 8)\n"
"  --connect-timeout S     give up waiting for connections after S seconds (default 120)\n"
"  --verbose               print every error frame and close\n"
"\n"
"idle\n"
"  --connections N         default 1000\n"
"  --hold S                seconds to hold the connections before measuring (default 10)\n"
"  --auth officer|invite   authenticate with the officer token (default) or one invite\n"
"                          code per connection (creates sessions of 100 invites)\n"
"\n"
"fanout\n"
"  --sessions S            default 100\n"
"  --members M             investors per session (default 10); all of them receive\n"
"  --senders K             senders per session, among the members (default 1)\n"
"  --rate R                messages/s in, over all senders (default 1000); deliveries = R x M\n"
"  --duration D            seconds of sending (default 10)\n"
"  --drain S               seconds to wait for outstanding deliveries after sending (default 10)\n"
"  --settle S              seconds between connecting and sending (default 1)\n"
"  --text-bytes N          message text length (default 64; at least the timestamp)\n"
"\n"
"append\n"
"  --connections C         officer connections (default 8)\n"
"  --sessions N            sessions, connections spread round-robin (default C)\n"
"  --window W              outstanding appends per connection (default 32)\n"
"  --duration D            seconds (default 10)\n"
"  --text-bytes N          default 100\n"
"  --fsync-dir DIR         first measure 4 KiB write+fsync latency in DIR (the server's\n"
"                          data directory, same disk) --fsync-samples times (default 2000)\n"
"\n"
"two nodes\n"
"  --alt-port P            WebSocket connections with an odd number connect to this port on\n"
"                          the same host (a second node sharing the store), so every session's\n"
"                          members are split across both nodes; set-up requests stay on --url\n"
"  --alt-pid PID           the second node's pid: server CPU is the sum of both\n"
"  --cpu-comm NAME         also measure the CPU of every process named NAME (postgres) over the window\n"
"\n"
"output: human-readable lines, then one line `RESULT {json}`; times in ms unless named _us.\n"
"exit status: 0 run completed, 1 completed with losses/errors/closes, 2 usage or set-up failure\n");
}

static void parse_url(const char *u) {
    const char *p = u;
    if (!strncmp(p, "http://", 7)) p += 7;
    else if (!strncmp(p, "ws://", 5)) p += 5;
    else die("--url must start with http:// (TLS is not supported)");
    const char *colon = strchr(p, ':');
    const char *slash = strchr(p, '/');
    if (!slash) slash = p + strlen(p);
    if (colon && colon < slash) {
        snprintf(opt.host, sizeof opt.host, "%.*s", (int)(colon - p), p);
        opt.port = atoi(colon + 1);
    } else {
        snprintf(opt.host, sizeof opt.host, "%.*s", (int)(slash - p), p);
        opt.port = 80;
    }
    if (!strcmp(opt.host, "localhost")) strcpy(opt.host, "127.0.0.1");
}

static void parse_args(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) { usage(stdout); exit(argc < 2 ? 2 : 0); }
    if (!strcmp(argv[1], "idle")) opt.mode = MODE_IDLE;
    else if (!strcmp(argv[1], "fanout")) opt.mode = MODE_FANOUT;
    else if (!strcmp(argv[1], "append")) opt.mode = MODE_APPEND;
    else if (!strcmp(argv[1], "relay")) opt.mode = MODE_RELAY;
    else { usage(stderr); die("unknown mode %s", argv[1]); }
    opt.connections = opt.mode == MODE_APPEND ? 8 : 1000;
    opt.sessions = opt.mode == MODE_APPEND ? 0 : 100;
    opt.members = 10; opt.senders = 1; opt.window = 32; opt.src_addrs = 8; opt.concurrency = 256;
    opt.http_parallel = 8; opt.rate = 1000; opt.duration = 10; opt.hold = 10; opt.drain = 10;
    opt.settle = 1; opt.connect_timeout = 120; opt.text_bytes = opt.mode == MODE_APPEND ? 100 : 64;
    opt.fsync_samples = 2000;
    const char *url = NULL;
    const char *env = getenv("DIALOGUE_TOKEN");
    if (env) snprintf(opt.token, sizeof opt.token, "%s", env);
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { usage(stdout); exit(0); }
        if (!strcmp(a, "--verbose")) { opt.verbose = 1; continue; }
        if (i + 1 >= argc) die("%s needs a value (see --help)", a);
        const char *v = argv[++i];
        if (!strcmp(a, "--url")) url = v;
        else if (!strcmp(a, "--token")) snprintf(opt.token, sizeof opt.token, "%s", v);
        else if (!strcmp(a, "--pid")) g_pid = atoi(v);
        else if (!strcmp(a, "--alt-pid")) g_alt_pid = atoi(v);
        else if (!strcmp(a, "--cpu-comm")) snprintf(g_cpu_comm, sizeof g_cpu_comm, "%s", v);
        else if (!strcmp(a, "--alt-port")) opt.alt_port = atoi(v);
        else if (!strcmp(a, "--connections")) opt.connections = atoi(v);
        else if (!strcmp(a, "--sessions")) opt.sessions = atoi(v);
        else if (!strcmp(a, "--members")) opt.members = atoi(v);
        else if (!strcmp(a, "--senders")) opt.senders = atoi(v);
        else if (!strcmp(a, "--window")) opt.window = atoi(v);
        else if (!strcmp(a, "--src-addrs")) opt.src_addrs = atoi(v);
        else if (!strcmp(a, "--concurrency")) opt.concurrency = atoi(v);
        else if (!strcmp(a, "--http-parallel")) opt.http_parallel = atoi(v);
        else if (!strcmp(a, "--rate")) opt.rate = atof(v);
        else if (!strcmp(a, "--duration")) opt.duration = atof(v);
        else if (!strcmp(a, "--hold")) opt.hold = atof(v);
        else if (!strcmp(a, "--drain")) opt.drain = atof(v);
        else if (!strcmp(a, "--settle")) opt.settle = atof(v);
        else if (!strcmp(a, "--connect-timeout")) opt.connect_timeout = atof(v);
        else if (!strcmp(a, "--text-bytes")) opt.text_bytes = atoi(v);
        else if (!strcmp(a, "--fsync-dir")) snprintf(opt.fsync_dir, sizeof opt.fsync_dir, "%s", v);
        else if (!strcmp(a, "--fsync-samples")) opt.fsync_samples = atoi(v);
        else if (!strcmp(a, "--peer-url")) url = v;
        else if (!strcmp(a, "--peer")) {
            if (!strcmp(v, "lws-mirror")) opt.peer = PEER_LWS_MIRROR;
            else if (!strcmp(v, "relay")) opt.peer = PEER_RELAY;
            else die("--peer lws-mirror|relay");
        }
        else if (!strcmp(a, "--auth")) {
            if (!strcmp(v, "invite")) opt.auth_invite = 1;
            else if (!strcmp(v, "officer")) opt.auth_invite = 0;
            else die("--auth officer|invite");
        } else die("unknown option %s (see --help)", a);
    }
    if (!url) die(opt.mode == MODE_RELAY ? "--peer-url is required" : "--url is required");
    parse_url(url);
    if (opt.mode == MODE_RELAY) {
        if (!opt.peer) die("relay mode needs --peer lws-mirror|relay");
        const char *p = strstr(url, "://");
        p = p ? strchr(p + 3, '/') : NULL;
        snprintf(opt.path, sizeof opt.path, "%s", p && *p ? p : "/");
        size_t pl = strlen(opt.path); /* relay: PATH/<k>, so no trailing slash */
        if (opt.peer == PEER_RELAY && pl > 1 && opt.path[pl - 1] == '/') opt.path[pl - 1] = 0;
    } else if (!opt.token[0]) die("--token (or DIALOGUE_TOKEN) is required");
    if (opt.src_addrs < 1) opt.src_addrs = 1;
    if (opt.src_addrs > 250) opt.src_addrs = 250;
    if (opt.concurrency < 1) opt.concurrency = 1;
    if (opt.http_parallel < 1) opt.http_parallel = 1;
    if (opt.mode == MODE_APPEND && opt.sessions <= 0) opt.sessions = opt.connections;
    if (opt.mode == MODE_FANOUT || opt.mode == MODE_RELAY) {
        if (opt.mode == MODE_RELAY && opt.senders != 1) die("relay mode: one sender per room (--senders 1)");
        /* libwebsockets-test-server 4.1's mirror plugin keeps at most 3 instances
         * (MAX_MIRROR_INSTANCES) and refuses the connection that would open a fourth */
        if (opt.mode == MODE_RELAY && opt.peer == PEER_LWS_MIRROR && opt.sessions > 3)
            die("--peer lws-mirror: at most 3 rooms (lws-mirror-protocol keeps at most 3 mirror instances)");
        if (opt.sessions < 1 || opt.members < 1) die("--sessions and --members must be >= 1");
        if (opt.senders < 1 || opt.senders > opt.members) die("--senders must be within 1..members");
        if (opt.rate <= 0) die("--rate must be > 0");
        opt.connections = opt.sessions * opt.members;
    }
    if (opt.connections < 1) die("--connections must be >= 1");
    if (opt.window < 1) opt.window = 1;
    if (opt.text_bytes < 40) opt.text_bytes = 40;
    if (opt.text_bytes > 60000) opt.text_bytes = 60000;
}

/* ------------------------------------------------------------------ sockets */

static struct sockaddr_in g_server;
static struct sockaddr_in g_alt_server; /* --alt-port */
static int g_loopback;

static void resolve(void) {
    memset(&g_server, 0, sizeof g_server);
    g_server.sin_family = AF_INET;
    g_server.sin_port = htons((uint16_t)opt.port);
    if (inet_pton(AF_INET, opt.host, &g_server.sin_addr) != 1) {
        struct addrinfo hints = {0}, *res;
        hints.ai_family = AF_INET;
        if (getaddrinfo(opt.host, NULL, &hints, &res) || !res) die("cannot resolve %s", opt.host);
        g_server.sin_addr = ((struct sockaddr_in *)res->ai_addr)->sin_addr;
        freeaddrinfo(res);
    }
    g_loopback = (ntohl(g_server.sin_addr.s_addr) >> 24) == 127;
    g_alt_server = g_server;
    if (opt.alt_port) g_alt_server.sin_port = htons((uint16_t)opt.alt_port);
}

/* a non-blocking socket, bound to source address 127.0.0.(1 + k % N) on loopback */
static int open_socket(int k, int nonblock) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (g_loopback && opt.src_addrs > 1) {
        setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        struct sockaddr_in src = {0};
        src.sin_family = AF_INET;
        src.sin_addr.s_addr = htonl(0x7F000001u + (uint32_t)(k % opt.src_addrs));
        if (bind(fd, (struct sockaddr *)&src, sizeof src) < 0) { close(fd); return -1; }
    }
    const struct sockaddr_in *to = (opt.alt_port && k >= 0 && (k & 1)) ? &g_alt_server : &g_server;
    int r = connect(fd, (const struct sockaddr *)to, sizeof *to);
    if (r < 0 && errno != EINPROGRESS) { int e = errno; close(fd); errno = e; return -1; }
    return fd;
}

/* ------------------------------------------------------------------ HTTP set-up client */

typedef struct {
    char path[160];
    char body[512];
    int status;
    char *resp; /* response body (malloc) */
} http_req;

typedef struct {
    int fd;
    int cur; /* request index or -1 */
    char *out; size_t olen, ooff;
    char *in; size_t ilen, icap;
    int retries;
} http_conn;

static void http_start(http_conn *hc, http_req *r) {
    size_t bl = strlen(r->body);
    size_t cap = 1024 + bl;
    hc->out = xrealloc(hc->out, cap);
    hc->olen = (size_t)snprintf(hc->out, cap,
        "POST %s HTTP/1.1\r\nHost: %s:%d\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\n"
        "Content-Length: %zu\r\n\r\n%s", r->path, opt.host, opt.port, opt.token, bl, r->body);
    hc->ooff = 0;
    hc->ilen = 0;
}

/* Runs every request (POST, JSON body) over `par` keep-alive connections. */
static void http_batch(http_req *reqs, int n, int par) {
    if (par > n) par = n;
    if (n == 0) return;
    http_conn *hc = xcalloc((size_t)par, sizeof *hc);
    struct pollfd *pf = xcalloc((size_t)par, sizeof *pf);
    int next = 0, done = 0;
    for (int i = 0; i < par; i++) { hc[i].fd = -1; hc[i].cur = -1; }
    uint64_t deadline = now_ns() + (uint64_t)(60e9 + n * 50e6);
    while (done < n) {
        for (int i = 0; i < par; i++) {
            if (hc[i].cur < 0 && next < n) { hc[i].cur = next++; hc[i].retries = 0; http_start(&hc[i], &reqs[hc[i].cur]); }
            if (hc[i].cur >= 0 && hc[i].fd < 0) {
                hc[i].fd = open_socket(i, 0);
                if (hc[i].fd < 0) die("HTTP connect: %s", strerror(errno));
                hc[i].ooff = 0; hc[i].ilen = 0;
            }
            pf[i].fd = hc[i].cur >= 0 ? hc[i].fd : -1;
            pf[i].events = hc[i].ooff < hc[i].olen ? POLLOUT : POLLIN;
            pf[i].revents = 0;
        }
        if (now_ns() > deadline) die("HTTP set-up timed out");
        int r = poll(pf, (nfds_t)par, 1000);
        if (r < 0 && errno != EINTR) die("poll: %s", strerror(errno));
        for (int i = 0; i < par; i++) {
            http_conn *c = &hc[i];
            if (c->cur < 0 || !pf[i].revents) continue;
            if (c->ooff < c->olen) {
                ssize_t w = write(c->fd, c->out + c->ooff, c->olen - c->ooff);
                if (w > 0) c->ooff += (size_t)w;
                else if (w < 0 && errno != EAGAIN && errno != EINTR) goto reconnect;
                continue;
            }
            if (c->icap - c->ilen < 4096) { c->icap = c->icap * 2 + 8192; c->in = xrealloc(c->in, c->icap); }
            ssize_t got = read(c->fd, c->in + c->ilen, c->icap - c->ilen - 1);
            if (got <= 0) {
                if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
                goto reconnect;
            }
            c->ilen += (size_t)got;
            c->in[c->ilen] = 0;
            char *hend = strstr(c->in, "\r\n\r\n");
            if (!hend) continue;
            char *cl = strcasestr(c->in, "\r\ncontent-length:");
            if (!cl || cl > hend) die("HTTP response without Content-Length: %.200s", c->in);
            size_t blen = strtoul(cl + 17, NULL, 10);
            size_t hlen = (size_t)(hend + 4 - c->in);
            if (c->ilen < hlen + blen) continue;
            http_req *rq = &reqs[c->cur];
            rq->status = atoi(c->in + 9);
            rq->resp = xmalloc(blen + 1);
            memcpy(rq->resp, c->in + hlen, blen);
            rq->resp[blen] = 0;
            int close_after = strcasestr(c->in, "\r\nconnection: close") && strcasestr(c->in, "\r\nconnection: close") < hend;
            c->cur = -1;
            done++;
            if (close_after) { close(c->fd); c->fd = -1; }
            continue;
        reconnect:
            close(c->fd);
            c->fd = -1;
            if (++c->retries > 3) die("HTTP request to %s failed repeatedly", reqs[c->cur].path);
            http_start(c, &reqs[c->cur]);
        }
    }
    for (int i = 0; i < par; i++) { if (hc[i].fd >= 0) close(hc[i].fd); free(hc[i].out); free(hc[i].in); }
    free(hc);
    free(pf);
}

/* creates `n` sessions; returns their ids (each char[64]) */
static char (*create_sessions(int n))[64] {
    http_req *r = xcalloc((size_t)n, sizeof *r);
    for (int i = 0; i < n; i++) {
        snprintf(r[i].path, sizeof r[i].path, "/v1/sessions");
        snprintf(r[i].body, sizeof r[i].body, "{\"title\":\"loadgen %d\",\"assistant\":\"off\"}", i);
    }
    http_batch(r, n, opt.http_parallel);
    char (*ids)[64] = xcalloc((size_t)n, 64);
    for (int i = 0; i < n; i++) {
        const char *v = r[i].resp ? json_key(r[i].resp, strlen(r[i].resp), "\"id\":") : NULL;
        if (r[i].status != 201 || !v || json_str(v, r[i].resp + strlen(r[i].resp), ids[i], 64))
            die("POST /v1/sessions answered %d: %.300s", r[i].status, r[i].resp ? r[i].resp : "");
        free(r[i].resp);
    }
    free(r);
    return ids;
}

/* creates `per` invites in each of `ns` sessions; returns codes (char[64]) session-major */
static char (*create_invites(char (*sids)[64], int ns, int per))[64] {
    int n = ns * per;
    http_req *r = xcalloc((size_t)n, sizeof *r);
    for (int s = 0; s < ns; s++)
        for (int m = 0; m < per; m++) {
            http_req *q = &r[s * per + m];
            snprintf(q->path, sizeof q->path, "/v1/sessions/%s/invites", sids[s]);
            snprintf(q->body, sizeof q->body, "{\"name\":\"m%d\",\"language\":\"en\"}", m);
        }
    http_batch(r, n, opt.http_parallel);
    char (*codes)[64] = xcalloc((size_t)n, 64);
    for (int i = 0; i < n; i++) {
        const char *v = r[i].resp ? json_key(r[i].resp, strlen(r[i].resp), "\"code\":") : NULL;
        if (r[i].status != 201 || !v || json_str(v, r[i].resp + strlen(r[i].resp), codes[i], 64))
            die("POST %s answered %d: %.300s", r[i].path, r[i].status, r[i].resp ? r[i].resp : "");
        free(r[i].resp);
    }
    free(r);
    return codes;
}

/* ------------------------------------------------------------------ WebSocket client */

enum { ST_IDLE, ST_CONNECTING, ST_UPGRADE, ST_HELLO, ST_JOINING, ST_READY, ST_CLOSED };

typedef struct conn {
    int fd;
    int idx;
    uint8_t state;
    uint8_t want_out;
    uint8_t closed_by_server;
    uint8_t frag_op;
    uint8_t retries;
    uint8_t verify;     /* append: reads the whole history after the run and checks it */
    uint64_t hist_msgs, hist_bad, hist_frames, hist_bytes;
    int session;        /* session index, -1 none */
    int sender;         /* index among senders, -1 when not a sender */
    const char *token;  /* hello token */
    char key[32];       /* Sec-WebSocket-Key */
    uint8_t *r; size_t rlen, rcap;     /* unparsed input */
    uint8_t *w; size_t wlen, woff, wcap; /* pending output */
    uint8_t *frag; size_t flen, fcap;  /* fragmented message */
    int64_t last_seq;   /* highest event seq seen */
    uint64_t sent, acked, outstanding, next_id;
} conn;

static int g_ep;
static conn *g_conns;
static int g_nconns;
static int g_pending; /* connections between connect() and ready */
static int *g_retry, g_nretry; /* connections to open again (hello refused with not_found) */

/* counters */
static struct {
    uint64_t opened, ready, failed_connect, failed_upgrade, closes, eof, error_frames, pings, frames_in, bytes_in;
    uint64_t events, msg_events, dups, gap_events, unauthorized;
    uint64_t sent, acked, received, skipped, failed_hello, hello_not_found;
    uint64_t close_codes[8]; /* 1000,1001,1003,1007,1008,1009,1011,other */
    char first_error[256];
    char first_close[256];
} st;

static hist h_lat, h_ack, h_lag;
static uint64_t g_t0;            /* fan-out: start of the measured window */
static uint32_t *g_slot_max_us;  /* fan-out: max latency (us) per 100 ms of due time */
static int g_nslots;
static int g_measuring;   /* record latencies */
static int g_sending;     /* append: keep windows full */
static uint64_t g_t_end_send;

static void conn_set_out(conn *c, int on) {
    if (c->fd < 0 || c->want_out == on) return;
    struct epoll_event ev = {0};
    ev.events = EPOLLIN | EPOLLRDHUP | (on ? EPOLLOUT : 0);
    ev.data.ptr = c;
    epoll_ctl(g_ep, EPOLL_CTL_MOD, c->fd, &ev);
    c->want_out = (uint8_t)on;
}

static void conn_close(conn *c, int why_server) {
    if (c->fd >= 0) { epoll_ctl(g_ep, EPOLL_CTL_DEL, c->fd, NULL); close(c->fd); }
    c->fd = -1;
    if (c->state == ST_READY && st.ready) st.ready--;
    else if (c->state >= ST_CONNECTING && c->state < ST_READY) g_pending--;
    c->state = ST_CLOSED;
    c->closed_by_server = (uint8_t)why_server;
    free(c->r); c->r = NULL; c->rlen = c->rcap = 0;
    free(c->w); c->w = NULL; c->wlen = c->woff = c->wcap = 0;
    free(c->frag); c->frag = NULL; c->flen = c->fcap = 0;
}

static void conn_flush(conn *c) {
    while (c->woff < c->wlen) {
        ssize_t n = send(c->fd, c->w + c->woff, c->wlen - c->woff, MSG_NOSIGNAL);
        if (n > 0) { c->woff += (size_t)n; continue; }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) { conn_set_out(c, 1); return; }
        st.eof++;
        conn_close(c, 1);
        return;
    }
    c->woff = c->wlen = 0;
    if (c->wcap > 65536) { free(c->w); c->w = NULL; c->wcap = 0; }
    conn_set_out(c, 0);
}

static void conn_queue(conn *c, const void *p, size_t n) {
    if (c->fd < 0) return;
    if (c->wlen == 0 && c->state > ST_CONNECTING) { /* try to write straight away */
        ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
        if (w == (ssize_t)n) return;
        if (w < 0) {
            if (errno != EAGAIN && errno != EINTR) { st.eof++; conn_close(c, 1); return; }
            w = 0;
        }
        p = (const uint8_t *)p + w;
        n -= (size_t)w;
    }
    if (c->wlen + n > c->wcap) { c->wcap = (c->wlen + n) * 2 + 512; c->w = xrealloc(c->w, c->wcap); }
    memcpy(c->w + c->wlen, p, n);
    c->wlen += n;
    if (c->state > ST_CONNECTING) conn_set_out(c, 1);
}

/* a masked client frame */
static void ws_send(conn *c, int opcode, const void *payload, size_t n) {
    uint8_t stackbuf[2048];
    size_t h = 2 + (n < 126 ? 0 : n < 65536 ? 2 : 8) + 4;
    uint8_t *f = h + n <= sizeof stackbuf ? stackbuf : xmalloc(h + n);
    f[0] = (uint8_t)(0x80 | opcode);
    size_t o;
    if (n < 126) { f[1] = (uint8_t)(0x80 | n); o = 2; }
    else if (n < 65536) { f[1] = 0x80 | 126; f[2] = (uint8_t)(n >> 8); f[3] = (uint8_t)n; o = 4; }
    else { f[1] = 0x80 | 127; for (int i = 0; i < 8; i++) f[2 + i] = (uint8_t)((uint64_t)n >> (56 - 8 * i)); o = 10; }
    uint32_t mk = (uint32_t)rnd64();
    uint8_t m[4] = {(uint8_t)mk, (uint8_t)(mk >> 8), (uint8_t)(mk >> 16), (uint8_t)(mk >> 24)};
    memcpy(f + o, m, 4);
    o += 4;
    const uint8_t *p = payload;
    for (size_t i = 0; i < n; i++) f[o + i] = p[i] ^ m[i & 3];
    conn_queue(c, f, o + n);
    if (f != stackbuf) free(f);
}
static void ws_text(conn *c, const char *s, size_t n) { ws_send(c, 1, s, n); }

static void note_error(conn *c, const char *msg, size_t n) {
    st.error_frames++;
    if (!st.first_error[0]) snprintf(st.first_error, sizeof st.first_error, "conn %d: %.*s", c->idx, (int)(n > 200 ? 200 : n), msg);
    if (opt.verbose) fprintf(stderr, "error frame on conn %d: %.*s\n", c->idx, (int)n, msg);
}

/* mode hooks */
static void on_ready(conn *c);
static void on_ack(conn *c, const char *cid, const char *end, int64_t seq);
static void on_event(conn *c, const char *m, size_t n);
static void on_relay_text(conn *c, const char *m, size_t n);

static void handle_text(conn *c, const char *m, size_t n) {
    const char *end = m + n;
    const char *t = json_key(m, n > 64 ? 64 : n, "\"type\":\"");
    if (!t) t = json_key(m, n, "\"type\":\"");
    if (!t) return;
    size_t rem = (size_t)(end - t);
    if (rem >= 6 && !memcmp(t, "event\"", 6)) { on_event(c, m, n); return; }
    if (rem >= 4 && !memcmp(t, "ack\"", 4)) {
        const char *cid = json_key(m, n, "\"clientId\":\"");
        on_ack(c, cid, end, json_int(json_key(m, n, "\"seq\":"), end));
        return;
    }
    if (rem >= 8 && !memcmp(t, "history\"", 8) && c->verify) {
        /* every event once, in order, seq without holes; count our messages */
        const char *p = m, *q;
        c->hist_frames++;
        c->hist_bytes += n;
        while ((q = memmem(p, (size_t)(end - p), "\"seq\":", 6))) {
            int64_t sq = json_int(q + 6, end);
            if (sq != c->last_seq + 1) c->hist_bad++;
            if (sq > c->last_seq) c->last_seq = sq;
            p = q + 6;
        }
        for (p = m; (q = memmem(p, (size_t)(end - p), "\"text\":\"LG ", 11)); p = q + 11) c->hist_msgs++;
        if (c->state == ST_JOINING && memmem(m, n, "\"complete\":true", 15)) on_ready(c);
        return;
    }
    if (rem >= 8 && !memcmp(t, "history\"", 8)) {
        /* highest seq in this frame: events are in order, so the last "seq": */
        const char *p = m, *last = NULL, *q;
        while ((q = memmem(p, (size_t)(end - p), "\"seq\":", 6))) { last = q + 6; p = last; }
        if (last) { int64_t s = json_int(last, end); if (s > c->last_seq) c->last_seq = s; }
        if (c->state == ST_JOINING && memmem(m, n, "\"complete\":true", 15)) on_ready(c);
        return;
    }
    if (rem >= 8 && !memcmp(t, "welcome\"", 8)) {
        if (c->state != ST_HELLO) return;
        if (opt.mode == MODE_FANOUT) { c->state = ST_JOINING; return; } /* investor: history follows */
        if (opt.mode == MODE_APPEND) {
            char buf[256];
            extern char (*g_sids)[64];
            int k = snprintf(buf, sizeof buf, "{\"type\":\"join\",\"session\":\"%s\"}", g_sids[c->session]);
            c->state = ST_JOINING;
            ws_text(c, buf, (size_t)k);
            return;
        }
        on_ready(c);
        return;
    }
    if (rem >= 6 && !memcmp(t, "error\"", 6)) {
        note_error(c, m, n);
        if (memmem(m, n, "\"unauthorized\"", 14)) st.unauthorized++;
        if (c->state < ST_READY) {
            /* hello or join refused. `not_found` for an invite whose session exists is the
             * server's session-loading race (see README): retry on a new connection. */
            if (memmem(m, n, "\"not_found\"", 11) && c->retries < 5 && g_nretry < g_nconns) {
                st.hello_not_found++;
                c->retries++;
                conn_close(c, 0);
                g_retry[g_nretry++] = c->idx;
                return;
            }
            st.failed_hello++;
            conn_close(c, 0);
            return;
        }
        if (opt.mode == MODE_APPEND || opt.mode == MODE_FANOUT) {
            /* a refused say still frees its window slot */
            const char *ref = json_key(m, n, "\"ref\":\"");
            if (ref) on_ack(c, NULL, end, -1);
        }
        return;
    }
    /* presence, translation: ignored */
}

static void handle_frame(conn *c, int fin, int op, uint8_t *p, size_t n) {
    st.frames_in++;
    switch (op) {
    case 0x9: st.pings++; ws_send(c, 0xA, p, n); return;
    case 0xA: return;
    case 0x8: {
        int code = n >= 2 ? (p[0] << 8 | p[1]) : 1005;
        st.closes++;
        int slot = code == 1000 ? 0 : code == 1001 ? 1 : code == 1003 ? 2 : code == 1007 ? 3 : code == 1008 ? 4 : code == 1009 ? 5 : code == 1011 ? 6 : 7;
        st.close_codes[slot]++;
        if (!st.first_close[0])
            snprintf(st.first_close, sizeof st.first_close, "conn %d: close %d %.*s", c->idx, code, (int)(n > 2 ? (n - 2 > 120 ? 120 : n - 2) : 0), (char *)p + 2);
        if (opt.verbose) fprintf(stderr, "conn %d closed by server: %d %.*s\n", c->idx, code, (int)(n > 2 ? n - 2 : 0), (char *)p + 2);
        uint8_t cb[2] = {(uint8_t)(code >> 8), (uint8_t)code};
        ws_send(c, 0x8, cb, n >= 2 ? 2 : 0);
        conn_close(c, 1);
        return;
    }
    case 0x1: case 0x2:
        if (fin) { if (op == 1) (opt.mode == MODE_RELAY ? on_relay_text : handle_text)(c, (char *)p, n); return; }
        c->frag_op = (uint8_t)op;
        c->flen = 0;
        /* fallthrough */
    case 0x0:
        if (c->flen + n > c->fcap) { c->fcap = (c->flen + n) * 2; c->frag = xrealloc(c->frag, c->fcap); }
        memcpy(c->frag + c->flen, p, n);
        c->flen += n;
        if (fin && op == 0) {
            if (c->frag_op == 1) (opt.mode == MODE_RELAY ? on_relay_text : handle_text)(c, (char *)c->frag, c->flen);
            c->flen = 0;
        }
        return;
    default: return;
    }
}

/* parses complete frames in p[0..n); returns bytes consumed */
static size_t ws_parse(conn *c, uint8_t *p, size_t n) {
    size_t off = 0;
    while (n - off >= 2 && c->fd >= 0) {
        uint8_t b0 = p[off], b1 = p[off + 1];
        uint64_t len = b1 & 0x7f;
        size_t h = 2;
        if (len == 126) {
            if (n - off < 4) break;
            len = (uint64_t)p[off + 2] << 8 | p[off + 3];
            h = 4;
        } else if (len == 127) {
            if (n - off < 10) break;
            len = 0;
            for (int i = 0; i < 8; i++) len = len << 8 | p[off + 2 + i];
            h = 10;
        }
        if (b1 & 0x80) h += 4;
        if ((uint64_t)(n - off) < h + len) break;
        uint8_t *pl = p + off + h;
        if (b1 & 0x80) { uint8_t *mk = pl - 4; for (uint64_t i = 0; i < len; i++) pl[i] ^= mk[i & 3]; }
        off += h + (size_t)len;
        handle_frame(c, b0 & 0x80, b0 & 0x0f, pl, (size_t)len);
    }
    return off;
}

static void send_upgrade(conn *c) {
    uint8_t raw[16];
    for (int i = 0; i < 16; i += 8) { uint64_t r = rnd64(); memcpy(raw + i, &r, 8); }
    b64(raw, 16, c->key);
    char req[1024], path[320];
    const char *proto = "";
    if (opt.mode != MODE_RELAY) snprintf(path, sizeof path, "/v1/ws");
    else if (opt.peer == PEER_RELAY) snprintf(path, sizeof path, "%s/%d", opt.path, c->session);
    else {
        snprintf(path, sizeof path, "%s%smirror=%d", opt.path, strchr(opt.path, '?') ? "&" : "?", c->session);
        proto = "Sec-WebSocket-Protocol: lws-mirror-protocol\r\n";
    }
    int k = snprintf(req, sizeof req,
        "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n%s\r\n", path, opt.host, opt.port, c->key, proto);
    c->state = ST_UPGRADE;
    conn_queue(c, req, (size_t)k);
}

static int check_upgrade(conn *c, const char *hdr, size_t hlen) {
    if (hlen < 12 || memcmp(hdr + 9, "101", 3)) return -1;
    char cat[128], want[40];
    uint8_t dig[20];
    int k = snprintf(cat, sizeof cat, "%s258EAFA5-E914-47DA-95CA-C5AB0DC85B11", c->key);
    sha1((uint8_t *)cat, (size_t)k, dig);
    b64(dig, 20, want);
    const char *a = memmem(hdr, hlen, "ccept:", 6); /* Sec-WebSocket-Accept, any case of the rest */
    if (!a) return -1;
    a += 6;
    while (*a == ' ') a++;
    return strncmp(a, want, strlen(want)) ? -1 : 0;
}

static void send_hello(conn *c) {
    char buf[512];
    int k = snprintf(buf, sizeof buf, "{\"type\":\"hello\",\"token\":\"%s\",\"language\":\"en\",\"name\":\"lg%d\"}", c->token, c->idx);
    c->state = ST_HELLO;
    ws_text(c, buf, (size_t)k);
}

static uint8_t g_rbuf[1 << 18];

static void conn_readable(conn *c) {
    for (;;) {
        ssize_t n = recv(c->fd, g_rbuf, sizeof g_rbuf, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return;
        if (n <= 0) { st.eof++; conn_close(c, 1); return; }
        st.bytes_in += (uint64_t)n;
        uint8_t *p = g_rbuf;
        size_t len = (size_t)n;
        if (c->rlen) { /* join with the leftover */
            if (c->rlen + len > c->rcap) { c->rcap = (c->rlen + len) * 2; c->r = xrealloc(c->r, c->rcap); }
            memcpy(c->r + c->rlen, p, len);
            c->rlen += len;
            p = c->r;
            len = c->rlen;
        }
        size_t used = 0;
        if (c->state == ST_UPGRADE) {
            uint8_t *e = memmem(p, len, "\r\n\r\n", 4);
            if (!e) used = 0;
            else {
                size_t hl = (size_t)(e + 4 - p);
                if (check_upgrade(c, (char *)p, hl)) {
                    st.failed_upgrade++;
                    if (!st.first_error[0]) snprintf(st.first_error, sizeof st.first_error, "upgrade refused: %.150s", (char *)p);
                    conn_close(c, 1);
                    return;
                }
                used = hl;
                if (opt.mode == MODE_RELAY) on_ready(c); /* no hello: the peer relays from here on */
                else send_hello(c);
                if (c->fd < 0) return;
            }
        }
        if (c->state >= ST_HELLO) used += ws_parse(c, p + used, len - used);
        if (c->fd < 0) return;
        size_t left = len - used;
        if (left) {
            if (p == c->r) memmove(c->r, c->r + used, left);
            else {
                if (left > c->rcap) { c->rcap = left * 2 + 1024; c->r = xrealloc(c->r, c->rcap); }
                memcpy(c->r, p + used, left);
            }
        }
        c->rlen = left;
        if (!left && c->rcap > 65536) { free(c->r); c->r = NULL; c->rcap = 0; }
        if ((size_t)n < sizeof g_rbuf) return;
    }
}

static void conn_start(conn *c) {
    c->fd = open_socket(c->idx, 1);
    if (c->fd < 0) {
        st.failed_connect++;
        if (!st.first_error[0]) snprintf(st.first_error, sizeof st.first_error, "connect: %s", strerror(errno));
        c->state = ST_CLOSED;
        return;
    }
    c->state = ST_CONNECTING;
    c->want_out = 1;
    g_pending++;
    struct epoll_event ev = {0};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
    ev.data.ptr = c;
    if (epoll_ctl(g_ep, EPOLL_CTL_ADD, c->fd, &ev) < 0) die("epoll_ctl: %s", strerror(errno));
    st.opened++;
}

static void conn_event(conn *c, uint32_t evs) {
    if (c->fd < 0) return;
    if (c->state == ST_CONNECTING) {
        int err = 0;
        socklen_t l = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l);
        if (err) {
            st.failed_connect++;
            if (!st.first_error[0]) snprintf(st.first_error, sizeof st.first_error, "connect: %s", strerror(err));
            conn_close(c, 0);
            return;
        }
        conn_set_out(c, 0);
        send_upgrade(c);
        return;
    }
    if (evs & EPOLLIN) conn_readable(c);
    if (c->fd >= 0 && (evs & EPOLLOUT)) conn_flush(c);
    if (c->fd >= 0 && (evs & (EPOLLERR | EPOLLHUP)) && !(evs & EPOLLIN)) { st.eof++; conn_close(c, 1); }
}

/* one pass of the loop, waiting at most timeout_ns (epoll_pwait2: no 1 ms rounding) */
static void loop_once_ns(uint64_t timeout_ns) {
    static int no_pwait2;
    struct epoll_event evs[512];
    int n;
    if (!no_pwait2) {
        struct timespec ts = {(time_t)(timeout_ns / 1000000000ull), (long)(timeout_ns % 1000000000ull)};
        n = epoll_pwait2(g_ep, evs, 512, &ts, NULL);
        if (n < 0 && errno == ENOSYS) { no_pwait2 = 1; n = epoll_wait(g_ep, evs, 512, (int)((timeout_ns + 999999) / 1000000)); }
    } else n = epoll_wait(g_ep, evs, 512, (int)((timeout_ns + 999999) / 1000000));
    if (n < 0 && errno != EINTR) die("epoll_wait: %s", strerror(errno));
    for (int i = 0; i < n; i++) conn_event(evs[i].data.ptr, evs[i].events);
}
static void loop_once(int timeout_ms) { loop_once_ns((uint64_t)timeout_ms * 1000000ull); }

/* opens every connection with at most opt.concurrency handshakes in flight; returns ready count */
static int connect_range(int from, int to) {
    uint64_t t0 = now_ns(), deadline = t0 + (uint64_t)(opt.connect_timeout * 1e9), last = t0;
    int next = from;
    uint64_t ready0 = st.ready, nf0 = st.hello_not_found;
    for (;;) {
        int pending = g_pending;
        while (g_nretry && pending < opt.concurrency) { conn_start(&g_conns[g_retry[--g_nretry]]); pending++; }
        while (next < to && pending < opt.concurrency) { conn_start(&g_conns[next++]); pending++; }
        if (next >= to && pending == 0 && !g_nretry) break;
        if (now_ns() > deadline) { fprintf(stderr, "loadgen: connect timeout: %d still pending\n", pending); break; }
        loop_once(10);
        uint64_t t = now_ns();
        if (t - last > 2000000000ull) {
            last = t;
            fprintf(stderr, "  connecting: %d started, %" PRIu64 " ready, %d pending\n", next - from, st.ready - ready0, pending);
        }
    }
    double el = (now_ns() - t0) / 1e9;
    printf("connected %" PRIu64 "/%d in %.2f s (%.0f/s); failed connect %" PRIu64 ", upgrade %" PRIu64 ", hello/join refused %" PRIu64 ", closed %" PRIu64 "\n",
           st.ready - ready0, to - from, el, (st.ready - ready0) / (el > 0 ? el : 1), st.failed_connect, st.failed_upgrade, st.failed_hello, st.closes + st.eof);
    if (st.failed_connect || st.failed_upgrade || st.failed_hello) printf("first failure: %s\n", st.first_error);
    if (st.hello_not_found > nf0)
        printf("SERVER DEFECT: %" PRIu64 " hello/join frames for an existing session were refused with not_found "
               "(concurrent first use of a session not in memory); retried on new connections\n", st.hello_not_found - nf0);
    return (int)(st.ready - ready0);
}
static int connect_all(void) { return connect_range(0, g_nconns); }

static void run_for(double seconds) {
    uint64_t end = now_ns() + (uint64_t)(seconds * 1e9);
    while (now_ns() < end) loop_once(20);
}

static void raise_nofile(void) {
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    if ((rlim_t)g_nconns + 64 > rl.rlim_cur)
        die("%d connections need more open files than the limit %llu", g_nconns, (unsigned long long)rl.rlim_cur);
}

static void alloc_conns(int n) {
    g_nconns = n;
    g_conns = xcalloc((size_t)n, sizeof(conn));
    g_retry = xcalloc((size_t)n, sizeof *g_retry);
    for (int i = 0; i < n; i++) { g_conns[i].fd = -1; g_conns[i].idx = i; g_conns[i].session = -1; g_conns[i].sender = -1; g_conns[i].token = opt.token; }
    raise_nofile();
}

static int count_open(void) {
    int k = 0;
    for (int i = 0; i < g_nconns; i++) if (g_conns[i].state == ST_READY && g_conns[i].fd >= 0) k++;
    return k;
}

/* ------------------------------------------------------------------ mode hooks */

char (*g_sids)[64];
static int g_nsessions;
static uint64_t *g_sess_sent;     /* messages sent per session */
static uint64_t *g_sess_acked;    /* append: messages acknowledged per session */
static int *g_sess_members;       /* fanout: members ready per session at the start */
static conn **g_senders;
static int g_nsenders;

static void on_ready(conn *c) {
    if (c->state != ST_READY) { c->state = ST_READY; st.ready++; g_pending--; }
}

/* clientId = "<connection>.<n>-<send ns>": unique per sender even when several connections
 * share one officer account (the server deduplicates clientIds per participant); the send
 * time travels with the message */
static void send_say(conn *c, uint64_t t_sched, uint64_t t_now) {
    char buf[61000 + 512];
    char text[61000];
    int tl = snprintf(text, sizeof text, "LG %" PRIu64 " %d %" PRIu64 " ", t_sched, c->idx, c->next_id);
    while (tl < opt.text_bytes) text[tl++] = 'x';
    text[tl] = 0;
    int k = snprintf(buf, sizeof buf, "{\"type\":\"say\",\"session\":\"%s\",\"clientId\":\"%d.%" PRIu64 "-%" PRIu64 "\",\"text\":\"%s\"}",
                     g_sids[c->session], c->idx, c->next_id, t_sched, text);
    c->next_id++;
    c->sent++;
    c->outstanding++;
    st.sent++;
    if (g_sess_sent) g_sess_sent[c->session]++;
    if (t_now > t_sched) h_add(&h_lag, t_now - t_sched);
    else h_add(&h_lag, 0);
    ws_text(c, buf, (size_t)k);
}

/* relay mode: the bare text of a `say` ("LG <due ns> <conn> <n> xxx…", --text-bytes long) */
static void send_relay(conn *c, uint64_t t_sched, uint64_t t_now) {
    char text[61000];
    int tl = snprintf(text, sizeof text, "LG %" PRIu64 " %d %" PRIu64 " ", t_sched, c->idx, c->next_id);
    while (tl < opt.text_bytes) text[tl++] = 'x';
    c->next_id++;
    c->sent++;
    st.sent++;
    if (g_sess_sent) g_sess_sent[c->session]++;
    h_add(&h_lag, t_now > t_sched ? t_now - t_sched : 0);
    ws_text(c, text, (size_t)tl);
}

static void record_delivery(uint64_t ts) {
    uint64_t t = now_ns();
    if (!ts || t < ts) return;
    h_add(&h_lat, t - ts);
    if (g_slot_max_us && ts >= g_t0) {
        uint64_t k = (ts - g_t0) / 100000000ull, us = (t - ts) / 1000;
        if (k < (uint64_t)g_nslots && us > g_slot_max_us[k]) g_slot_max_us[k] = (uint32_t)(us > UINT32_MAX ? UINT32_MAX : us);
    }
}

/* relay mode: one sender per room, so per receiver the sender's counter <n> must go up by
 * one: lower or equal is a duplicate, a jump a hole (last_seq holds the last n + 1) */
static void on_relay_text(conn *c, const char *m, size_t n) {
    if (n < 3 || memcmp(m, "LG ", 3)) return;
    char tmp[96];
    size_t k = n < sizeof tmp - 1 ? n : sizeof tmp - 1;
    memcpy(tmp, m, k);
    tmp[k] = 0;
    char *e;
    uint64_t ts = strtoull(tmp + 3, &e, 10);
    strtol(e, &e, 10);
    int64_t seq = (int64_t)strtoull(e, NULL, 10) + 1;
    st.events++;
    st.msg_events++;
    if (seq <= c->last_seq) { st.dups++; return; }
    if (c->last_seq > 0 && seq > c->last_seq + 1) st.gap_events += (uint64_t)(seq - c->last_seq - 1);
    c->last_seq = seq;
    st.received++;
    if (g_measuring) record_delivery(ts);
}

static void on_ack(conn *c, const char *cid, const char *end, int64_t seq) {
    (void)seq;
    uint64_t t = now_ns();
    if (c->outstanding) c->outstanding--;
    if (!cid) return; /* an error answered the say */
    c->acked++;
    st.acked++;
    if (g_sess_acked && c->session >= 0) g_sess_acked[c->session]++;
    const char *dash = memchr(cid, '-', (size_t)(end - cid));
    if (dash && g_measuring) {
        uint64_t ts = strtoull(dash + 1, NULL, 10);
        if (ts && t >= ts) h_add(&h_ack, t - ts);
    }
    if (opt.mode == MODE_APPEND && g_sending && c->fd >= 0) {
        while (c->outstanding < (uint64_t)opt.window && c->fd >= 0) send_say(c, t, t);
    }
}

static void on_event(conn *c, const char *m, size_t n) {
    const char *end = m + n;
    st.events++;
    int64_t seq = json_int(json_key(m, n, "\"seq\":"), end);
    int dup = 0;
    if (seq > 0) {
        if (seq <= c->last_seq) { st.dups++; dup = 1; }
        else {
            if (c->last_seq > 0 && seq > c->last_seq + 1) st.gap_events += (uint64_t)(seq - c->last_seq - 1);
            c->last_seq = seq;
        }
    }
    if (!memmem(m, n, "\"kind\":\"message\"", 16)) return;
    st.msg_events++;
    const char *tx = json_key(m, n, "\"text\":\"LG ");
    if (!tx || dup) return;
    st.received++;
    if (g_measuring) record_delivery(strtoull(tx, NULL, 10));
}

/* ------------------------------------------------------------------ output */

static void print_close_codes(char *json, size_t cap) {
    static const char *names[] = {"1000", "1001", "1003", "1007", "1008", "1009", "1011", "other"};
    size_t o = (size_t)snprintf(json, cap, "{");
    for (int i = 0; i < 8; i++)
        if (st.close_codes[i]) o += (size_t)snprintf(json + o, cap - o, "%s\"%s\":%" PRIu64, o > 1 ? "," : "", names[i], st.close_codes[i]);
    snprintf(json + o, cap - o, "}");
    if (st.closes || st.eof)
        printf("closes by server: %" PRIu64 " (codes %s), connection losses without close: %" PRIu64 "; first: %s\n",
               st.closes, json, st.eof, st.first_close);
    if (st.error_frames) printf("error frames: %" PRIu64 "; first: %s\n", st.error_frames, st.first_error);
}

static void json_escape(const char *s, char *out, size_t cap) {
    size_t o = 0;
    for (; *s && o + 7 < cap; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') { out[o++] = '\\'; out[o++] = (char)ch; }
        else if (ch < 0x20) o += (size_t)snprintf(out + o, cap - o, "\\u%04x", ch);
        else out[o++] = (char)ch;
    }
    out[o] = 0;
}

/* ------------------------------------------------------------------ modes */

static int mode_idle(void) {
    char (*codes)[64] = NULL;
    if (opt.auth_invite) {
        int per = 100, ns = (opt.connections + per - 1) / per;
        uint64_t t = now_ns();
        g_sids = create_sessions(ns);
        codes = create_invites(g_sids, ns, per);
        printf("set-up: %d sessions, %d invites in %.1f s\n", ns, ns * per, (now_ns() - t) / 1e9);
    }
    alloc_conns(opt.connections);
    if (codes) for (int i = 0; i < g_nconns; i++) g_conns[i].token = codes[i];
    if (opt.auth_invite) opt.mode = MODE_FANOUT; /* investors: welcome then history */
    long rss0 = server_rss_kib(), pss0 = server_pss_kib(), anon0 = server_anon_kib();
    double cpu0 = proc_cpu_s(g_pid);
    printf("server before: RSS %ld KiB (anonymous %ld), PSS %ld KiB\n", rss0, anon0, pss0);
    int ready = connect_all();
    printf("holding %d connections for %.0f s\n", ready, opt.hold);
    double cpu1 = proc_cpu_s(g_pid);
    uint64_t th = now_ns();
    run_for(opt.hold);
    double hold_s = (now_ns() - th) / 1e9;
    double cpu2 = proc_cpu_s(g_pid);
    long rss1 = server_rss_kib(), pss1 = server_pss_kib(), anon1 = server_anon_kib();
    int still = count_open();
    double per_rss = ready ? (rss1 - rss0) * 1024.0 / ready : 0, per_pss = ready ? (pss1 - pss0) * 1024.0 / ready : 0;
    double per_anon = ready ? (anon1 - anon0) * 1024.0 / ready : 0;
    printf("server after: RSS %ld KiB (anonymous %ld), PSS %ld KiB; growth RSS %.1f MiB, PSS %.1f MiB\n", rss1, anon1, pss1,
           (rss1 - rss0) / 1024.0, (pss1 - pss0) / 1024.0);
    printf("per connection: RSS %.0f bytes (%.2f KiB), PSS %.0f bytes (%.2f KiB), anonymous %.0f bytes  [goal <= 20 KiB]\n",
           per_rss, per_rss / 1024, per_pss, per_pss / 1024, per_anon);
    printf("still open after hold: %d/%d; pings answered %" PRIu64 "; server CPU while idle %.1f %%\n",
           still, ready, st.pings, cpu2 >= 0 ? (cpu2 - cpu1) / hold_s * 100 : -1.0);
    char cc[256];
    print_close_codes(cc, sizeof cc);
    printf("RESULT {\"mode\":\"idle\",\"auth\":\"%s\",\"connections\":%d,\"ready\":%d,\"open_after_hold\":%d,\"hold_s\":%.1f,"
           "\"rss_before_kib\":%ld,\"rss_after_kib\":%ld,\"pss_before_kib\":%ld,\"pss_after_kib\":%ld,"
           "\"rss_per_conn_bytes\":%.0f,\"pss_per_conn_bytes\":%.0f,\"anon_per_conn_bytes\":%.0f,\"server_cpu_connect_s\":%.2f,\"server_cpu_idle_pct\":%.2f,"
           "\"pings\":%" PRIu64 ",\"errors\":%" PRIu64 ",\"closes\":%" PRIu64 ",\"close_codes\":%s,\"conn_lost\":%" PRIu64 "}\n",
           opt.auth_invite ? "invite" : "officer", opt.connections, ready, still, hold_s, rss0, rss1, pss0, pss1,
           per_rss, per_pss, per_anon, cpu1 - cpu0, (cpu2 - cpu1) / hold_s * 100, st.pings, st.error_frames, st.closes, cc, st.eof);
    fflush(stdout);
    for (int i = 0; i < g_nconns; i++) if (g_conns[i].fd >= 0) { close(g_conns[i].fd); g_conns[i].fd = -1; }
    return (ready < opt.connections || still < ready || st.error_frames) ? 1 : 0;
}

static int mode_fanout(void) {
    int S = opt.sessions, M = opt.members, relay = opt.mode == MODE_RELAY;
    uint64_t t = now_ns();
    char (*codes)[64] = NULL;
    g_nsessions = S;
    if (!relay) {
        g_sids = create_sessions(S);
        codes = create_invites(g_sids, S, M);
        printf("set-up: %d sessions, %d invites in %.1f s\n", S, S * M, (now_ns() - t) / 1e9);
    } else
        printf("peer %s at %s:%d%s: %d rooms x %d members\n", opt.peer == PEER_RELAY ? "relay" : "lws-mirror",
               opt.host, opt.port, opt.path, S, M);
    alloc_conns(S * M);
    g_sess_sent = xcalloc((size_t)S, sizeof *g_sess_sent);
    g_sess_members = xcalloc((size_t)S, sizeof *g_sess_members);
    g_nsenders = S * opt.senders;
    g_senders = xcalloc((size_t)g_nsenders, sizeof *g_senders);
    /* connection order interleaves sessions so that source addresses and sessions mix */
    for (int s = 0; s < S; s++)
        for (int m = 0; m < M; m++) {
            conn *c = &g_conns[s * M + m];
            c->session = s;
            if (codes) c->token = codes[s * M + m];
            if (m < opt.senders) { c->sender = s * opt.senders + m; }
        }
    /* senders in round-robin order across sessions: sender j = session j % S */
    for (int m = 0, j = 0; m < opt.senders; m++)
        for (int s = 0; s < S; s++) g_senders[j++] = &g_conns[s * M + m];
    int ready = connect_all();
    run_for(opt.settle);
    int receivers = 0;
    for (int i = 0; i < g_nconns; i++) if (g_conns[i].state == ST_READY && g_conns[i].fd >= 0) { g_sess_members[g_conns[i].session]++; receivers++; }
    uint64_t closes0 = st.closes + st.eof, err0 = st.error_frames, dup0 = st.dups, gap0 = st.gap_events;
    st.received = 0;
    printf("fan-out: %d sessions x %d members (%d ready), %d senders, %.0f msg/s in for %.0f s -> %.0f deliveries/s offered\n",
           S, M, ready, g_nsenders, opt.rate, opt.duration, opt.rate * M);

    double cpu0 = proc_cpu_s(g_pid), ucpu0 = self_cpu_s(), wait0 = proc_wait_s(g_pid), other0 = comm_cpu_s();
    long rss0 = server_rss_kib();
    uint64_t t0 = now_ns(), tend = t0 + (uint64_t)(opt.duration * 1e9);
    g_t0 = t0;
    printf("measured window starts at CLOCK_MONOTONIC %.3f s\n", t0 / 1e9);
    g_nslots = (int)(opt.duration * 10) + 1;
    g_slot_max_us = xcalloc((size_t)g_nslots, sizeof *g_slot_max_us);
    uint64_t j = 0, next = t0, last_report = t0, rec_at_report = 0;
    g_measuring = 1;
    while (next < tend) {
        uint64_t now = now_ns();
        while (next <= now && next < tend) {
            conn *c = g_senders[j % (uint64_t)g_nsenders];
            if (c->fd >= 0 && c->state == ST_READY) (relay ? send_relay : send_say)(c, next, now);
            else st.skipped++; /* its sender is not connected: not sent, reported */
            j++;
            next = t0 + (uint64_t)((double)j * 1e9 / opt.rate);
        }
        uint64_t to = next > now ? next - now : 0;
        loop_once_ns(to > 1000000 ? 1000000 : to);
        if (now - last_report > 2000000000ull) {
            double dt = (now - last_report) / 1e9;
            fprintf(stderr, "  t=%4.1fs sent %" PRIu64 " acked %" PRIu64 " delivered %" PRIu64 " (%.0f/s) p99 so far %.1f ms\n",
                    (now - t0) / 1e9, st.sent, st.acked, st.received, (st.received - rec_at_report) / dt, h_pct(&h_lat, 99) / 1e6);
            last_report = now;
            rec_at_report = st.received;
        }
    }
    g_t_end_send = now_ns();
    uint64_t expected = 0;
    for (int s = 0; s < S; s++) expected += g_sess_sent[s] * (uint64_t)g_sess_members[s];
    uint64_t drain_end = g_t_end_send + (uint64_t)(opt.drain * 1e9);
    while (now_ns() < drain_end && (st.received < expected || (!relay && st.acked < st.sent))) loop_once(2);
    uint64_t t1 = now_ns();
    double cpu1 = proc_cpu_s(g_pid), ucpu1 = self_cpu_s(), wait1 = proc_wait_s(g_pid), other1 = comm_cpu_s();
    double other = other0 >= 0 && other1 >= 0 ? (other1 > other0 ? other1 - other0 : 0) : -1;
    long rss1 = server_rss_kib(), pss1 = server_pss_kib();
    g_measuring = 0;
    double el = (t1 - t0) / 1e9, send_el = (g_t_end_send - t0) / 1e9;
    double scpu = cpu1 - cpu0;
    if (cpu0 < 0 || cpu1 < 0) { scpu = -1; wait1 = wait0; if (g_pid > 0) printf("server process gone: CPU not measured\n"); }
    uint64_t lost = expected > st.received ? expected - st.received : 0;
    uint64_t closes = st.closes + st.eof - closes0, errs = st.error_frames - err0, dups = st.dups - dup0, gaps = st.gap_events - gap0;
    printf("sent %" PRIu64 " (%.0f/s), acked %" PRIu64 ", deliveries %" PRIu64 "/%" PRIu64 " expected in %.2f s (%.0f/s)\n",
           st.sent, st.sent / send_el, st.acked, st.received, expected, el, st.received / el);
    if (st.skipped) printf("not sent (sender not connected): %" PRIu64 "\n", st.skipped);
    printf("lost %" PRIu64 ", duplicates %" PRIu64 ", seq gaps %" PRIu64 ", error frames %" PRIu64 ", closes %" PRIu64 "\n", lost, dups, gaps, errs, closes);
    {   /* where the slow deliveries were: 100 ms slices of due time whose max exceeded 50 ms */
        int shown = 0, slow = 0;
        for (int k = 0; k < g_nslots; k++) if (g_slot_max_us[k] > 50000) slow++;
        if (slow) {
            printf("slices of 100 ms (by send time) with a delivery over 50 ms: %d of %d:", slow, g_nslots);
            for (int k = 0; k < g_nslots && shown < 20; k++)
                if (g_slot_max_us[k] > 50000) { printf(" t=%.1fs:%.0fms", k / 10.0, g_slot_max_us[k] / 1000.0); shown++; }
            printf("%s\n", slow > shown ? " …" : "");
        }
    }
    h_print("send -> receiver", &h_lat);
    h_print("send -> ack", &h_ack);
    h_print("client send lag", &h_lag);
    double us_per = st.received && scpu >= 0 ? scpu * 1e6 / st.received : -1;
    double waitpct = wait1 > wait0 ? (wait1 - wait0) / el * 100 : 0; /* threads that exited take their wait along */
    if (scpu < 0) printf("server CPU not measured (no --pid, or the server is gone); load generator CPU %.0f %%\n", (ucpu1 - ucpu0) / el * 100);
    else printf("server CPU %.2f s over %.2f s (%.0f %% of a core) = %.2f us per delivery; server threads waiting for a CPU %.0f %% of the window; load generator CPU %.0f %%; server RSS %ld -> %ld KiB\n",
           scpu, el, scpu / el * 100, us_per, waitpct, (ucpu1 - ucpu0) / el * 100, rss0, rss1);
    char cc[256], hl[256], ha[256], hg[256];
    print_close_codes(cc, sizeof cc);
    h_json(hl, sizeof hl, &h_lat);
    h_json(ha, sizeof ha, &h_ack);
    h_json(hg, sizeof hg, &h_lag);
    char fe[512];
    json_escape(st.first_error, fe, sizeof fe);
    printf("RESULT {\"mode\":\"%s\",\"sessions\":%d,\"members\":%d,\"senders\":%d,\"ready\":%d,\"rate\":%.0f,\"duration_s\":%.1f,"
           "\"text_bytes\":%d,\"hello_not_found\":%" PRIu64 ",\"sent\":%" PRIu64 ",\"skipped\":%" PRIu64 ",\"acked\":%" PRIu64 ",\"expected\":%" PRIu64 ",\"received\":%" PRIu64 ",\"lost\":%" PRIu64 ","
           "\"duplicates\":%" PRIu64 ",\"seq_gaps\":%" PRIu64 ",\"errors\":%" PRIu64 ",\"closes\":%" PRIu64 ",\"close_codes\":%s,"
           "\"window_s\":%.3f,\"msgs_per_s\":%.1f,\"deliveries_per_s\":%.1f,\"latency_ms\":%s,\"ack_ms\":%s,\"send_lag_ms\":%s,"
           "\"server_cpu_s\":%.3f,\"server_cpu_pct\":%.1f,\"server_cpu_us_per_delivery\":%.3f,\"server_runqueue_wait_pct\":%.1f,\"client_cpu_pct\":%.1f,"
           "\"server_rss_kib\":%ld,\"server_pss_kib\":%ld,\"other_cpu_s\":%.3f,\"first_error\":\"%s\"}\n",
           relay ? (opt.peer == PEER_RELAY ? "relay\",\"peer\":\"relay" : "relay\",\"peer\":\"lws-mirror") : "fanout",
           S, M, g_nsenders, ready, opt.rate, opt.duration, opt.text_bytes, st.hello_not_found, st.sent, st.skipped, st.acked, expected, st.received, lost,
           dups, gaps, errs, closes, cc, el, st.sent / send_el, st.received / el, hl, ha, hg,
           scpu, scpu / el * 100, us_per, waitpct, (ucpu1 - ucpu0) / el * 100, rss1, pss1, other, fe);
    fflush(stdout);
    return (lost || dups || gaps || errs || closes || st.skipped || ready < g_nconns) ? 1 : 0;
}

static int fsync_probe(hist *h) {
    char path[640];
    snprintf(path, sizeof path, "%s/.loadgen-fsync-probe", opt.fsync_dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) { fprintf(stderr, "loadgen: fsync probe %s: %s\n", path, strerror(errno)); return -1; }
    char buf[4096];
    memset(buf, 'f', sizeof buf);
    for (int i = 0; i < opt.fsync_samples; i++) {
        if (pwrite(fd, buf, sizeof buf, (off_t)(i % 1024) * 4096) != (ssize_t)sizeof buf) { close(fd); return -1; }
        uint64_t t = now_ns();
        if (fsync(fd)) { close(fd); return -1; }
        h_add(h, now_ns() - t);
    }
    close(fd);
    unlink(path);
    return 0;
}

static int mode_append(void) {
    hist h_fs;
    h_init(&h_fs);
    int have_fs = 0;
    if (opt.fsync_dir[0]) {
        if (fsync_probe(&h_fs) == 0) { have_fs = 1; h_print("disk write+fsync 4KiB", &h_fs); }
    }
    uint64_t t = now_ns();
    g_sids = create_sessions(opt.sessions);
    g_nsessions = opt.sessions;
    printf("set-up: %d sessions in %.1f s\n", opt.sessions, (now_ns() - t) / 1e9);
    alloc_conns(opt.connections + opt.sessions);
    for (int i = 0; i < g_nconns; i++) g_conns[i].session = i % opt.sessions;
    for (int i = opt.connections; i < g_nconns; i++) { g_conns[i].session = i - opt.connections; g_conns[i].verify = 1; }
    uint64_t *sess_acked = xcalloc((size_t)opt.sessions, sizeof *sess_acked);
    g_sess_acked = sess_acked;
    g_sess_sent = xcalloc((size_t)opt.sessions, sizeof *g_sess_sent);
    g_sess_members = xcalloc((size_t)opt.sessions, sizeof *g_sess_members);
    int ready = connect_range(0, opt.connections);
    run_for(opt.settle);
    for (int i = 0; i < opt.connections; i++) if (g_conns[i].state == ST_READY && g_conns[i].fd >= 0) g_sess_members[g_conns[i].session]++;
    uint64_t dup0 = st.dups, gap0 = st.gap_events;
    st.received = 0;
    printf("append: %d officers in %d sessions, window %d, %d-byte texts, %.0f s\n", ready, opt.sessions, opt.window, opt.text_bytes, opt.duration);
    uint64_t closes0 = st.closes + st.eof, err0 = st.error_frames, ev0 = st.events;
    double cpu0 = proc_cpu_s(g_pid), ucpu0 = self_cpu_s(), wait0 = proc_wait_s(g_pid), other0 = comm_cpu_s();
    uint64_t t0 = now_ns(), tend = t0 + (uint64_t)(opt.duration * 1e9), last = t0, ack_last = 0;
    g_measuring = 1;
    g_sending = 1;
    for (int i = 0; i < opt.connections; i++) {
        conn *c = &g_conns[i];
        if (c->state == ST_READY) while (c->outstanding < (uint64_t)opt.window && c->fd >= 0) send_say(c, t0, now_ns());
    }
    while (now_ns() < tend) {
        loop_once(5);
        uint64_t now = now_ns();
        if (now - last > 2000000000ull) {
            fprintf(stderr, "  t=%4.1fs acked %" PRIu64 " (%.0f/s)\n", (now - t0) / 1e9, st.acked, (st.acked - ack_last) / ((now - last) / 1e9));
            last = now;
            ack_last = st.acked;
        }
    }
    g_sending = 0;
    uint64_t acked_in_window = st.acked, t_stop = now_ns();
    uint64_t drain_end = t_stop + (uint64_t)(opt.drain * 1e9);
    uint64_t expected = 0;
    for (int k = 0; k < opt.sessions; k++) expected += g_sess_sent[k] * (uint64_t)g_sess_members[k];
    while (now_ns() < drain_end && (st.acked + st.error_frames - err0 < st.sent || st.received < expected)) loop_once(2);
    uint64_t t1 = now_ns();
    uint64_t lost = expected > st.received ? expected - st.received : 0, dups = st.dups - dup0, gaps = st.gap_events - gap0;
    double cpu1 = proc_cpu_s(g_pid), ucpu1 = self_cpu_s(), wait1 = proc_wait_s(g_pid), other1 = comm_cpu_s();
    double other = other0 >= 0 && other1 >= 0 ? (other1 > other0 ? other1 - other0 : 0) : -1;
    g_measuring = 0;
    double win = (t_stop - t0) / 1e9, el = (t1 - t0) / 1e9, scpu = cpu1 - cpu0;
    if (cpu0 < 0 || cpu1 < 0) { scpu = -1; wait1 = wait0; if (g_pid > 0) printf("server process gone: CPU not measured\n"); }
    uint64_t closes = st.closes + st.eof - closes0, errs = st.error_frames - err0, evs = st.events - ev0;
    double rate = acked_in_window / win;
    printf("sent %" PRIu64 ", acked %" PRIu64 " (%" PRIu64 " within %.2f s = %.0f acked appends/s), errors %" PRIu64 ", closes %" PRIu64 "\n",
           st.sent, st.acked, acked_in_window, win, rate, errs, closes);
    printf("events received %" PRIu64 " (own messages %" PRIu64 "/%" PRIu64 " expected): lost %" PRIu64 ", duplicates %" PRIu64 ", seq gaps %" PRIu64 "\n",
           evs, st.received, expected, lost, dups, gaps);
    h_print("append -> ack", &h_ack);
    double us_per = st.acked && scpu >= 0 ? scpu * 1e6 / st.acked : -1;
    if (scpu < 0) printf("server CPU not measured (no --pid, or the server is gone); load generator CPU %.0f %%\n", (ucpu1 - ucpu0) / el * 100);
    else printf("server CPU %.2f s over %.2f s (%.0f %% of a core) = %.2f us per append (with its ack and %.1f event frames); server threads waiting for a CPU %.0f %%; load generator CPU %.0f %%\n",
           scpu, el, scpu / el * 100, us_per, st.acked ? (double)evs / st.acked : 0.0, (wait1 - wait0) / el * 100, (ucpu1 - ucpu0) / el * 100);
    if (have_fs)
        printf("ack p99 - fsync p99 = %.3f ms  [goal <= 2 ms]; acked appends/s %.0f [goal >= 20,000]\n",
               (h_pct(&h_ack, 99) - (double)h_pct(&h_fs, 99)) / 1e6, rate);
    /* read every session's whole history on new connections: each acknowledged append
     * must be there exactly once, in order (this also exercises 64-bit frame lengths) */
    uint64_t v_missing = 0, v_extra = 0, v_bad = 0, v_msgs = 0, v_bytes = 0, v_frames = 0;
    uint64_t tv = now_ns();
    int vready = connect_range(opt.connections, g_nconns);
    for (int k = 0; k < opt.sessions; k++) {
        conn *v = &g_conns[opt.connections + k];
        if (v->state != ST_READY) { v_missing += sess_acked[k]; continue; }
        v_msgs += v->hist_msgs; v_bad += v->hist_bad; v_bytes += v->hist_bytes; v_frames += v->hist_frames;
        if (v->hist_msgs < sess_acked[k]) v_missing += sess_acked[k] - v->hist_msgs;
        if (v->hist_msgs > g_sess_sent[k]) v_extra += v->hist_msgs - g_sess_sent[k];
    }
    double tvs = (now_ns() - tv) / 1e9;
    printf("history check: %d/%d sessions read, %" PRIu64 " messages in %" PRIu64 " frames (%.1f MiB, %.2f s): acknowledged but missing %" PRIu64
           ", more than sent %" PRIu64 ", seq out of order/holes %" PRIu64 "\n",
           vready, opt.sessions, v_msgs, v_frames, v_bytes / 1048576.0, tvs, v_missing, v_extra, v_bad);
    char cc[256], ha[256], hf[256], fe[512];
    print_close_codes(cc, sizeof cc);
    h_json(ha, sizeof ha, &h_ack);
    if (have_fs) h_json(hf, sizeof hf, &h_fs); else strcpy(hf, "null");
    json_escape(st.first_error, fe, sizeof fe);
    printf("RESULT {\"mode\":\"append\",\"connections\":%d,\"sessions\":%d,\"ready\":%d,\"window\":%d,\"duration_s\":%.1f,\"text_bytes\":%d,"
           "\"sent\":%" PRIu64 ",\"acked\":%" PRIu64 ",\"acked_in_window\":%" PRIu64 ",\"acked_per_s\":%.1f,\"events_received\":%" PRIu64 ","
           "\"expected_events\":%" PRIu64 ",\"received_events\":%" PRIu64 ",\"lost\":%" PRIu64 ",\"duplicates\":%" PRIu64 ",\"seq_gaps\":%" PRIu64 ","
           "\"errors\":%" PRIu64 ",\"closes\":%" PRIu64 ",\"close_codes\":%s,\"ack_ms\":%s,\"fsync_ms\":%s,"
           "\"server_cpu_s\":%.3f,\"server_cpu_pct\":%.1f,\"server_cpu_us_per_append\":%.3f,\"server_runqueue_wait_pct\":%.1f,\"client_cpu_pct\":%.1f,"
           "\"history_sessions_read\":%d,\"history_messages\":%" PRIu64 ",\"history_missing\":%" PRIu64 ",\"history_extra\":%" PRIu64 ",\"history_bad_seq\":%" PRIu64 ","
           "\"other_cpu_s\":%.3f,\"first_error\":\"%s\"}\n",
           opt.connections, opt.sessions, ready, opt.window, opt.duration, opt.text_bytes, st.sent, st.acked, acked_in_window, rate, evs,
           expected, st.received, lost, dups, gaps, errs, closes, cc, ha, hf, scpu, scpu / el * 100, us_per, (wait1 - wait0) / el * 100, (ucpu1 - ucpu0) / el * 100,
           vready, v_msgs, v_missing, v_extra, v_bad, other, fe);
    fflush(stdout);
    return (errs || closes || lost || dups || gaps || st.acked < st.sent || ready < opt.connections ||
            v_missing || v_extra || v_bad || vready < opt.sessions) ? 1 : 0;
}

int main(int argc, char **argv) {
    parse_args(argc, argv);
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN);
    rng_state ^= now_ns() ^ ((uint64_t)getpid() << 32);
    resolve();
    g_ep = epoll_create1(EPOLL_CLOEXEC);
    if (g_ep < 0) die("epoll_create1: %s", strerror(errno));
    h_init(&h_lat);
    h_init(&h_ack);
    h_init(&h_lag);
    if (g_pid > 0 && proc_cpu_s(g_pid) < 0) die("cannot read /proc/%d/stat", g_pid);
    switch (opt.mode) {
    case MODE_IDLE: return mode_idle();
    case MODE_FANOUT: case MODE_RELAY: return mode_fanout();
    default: return mode_append();
    }
}
