// beat_floor: the least a TLS server spends per heartbeat on this machine.
//
// A measuring stick for docs/BENCHMARKS.md, not part of Ferry. A trickling heartbeat costs a
// server at least one wake-up from epoll_wait, one read of one TLS record, and one write of one
// TLS record back; this program does exactly that and nothing else, in C against OpenSSL, so that
// Ferry's own figure (ferry-bench server-load) can be read against the floor under it.
//
//   beat_floor server CERT_DIR THREADS [--plain]
//       prints "READY <port>", then echoes one ACK-byte acknowledgement per BEAT bytes read, on
//       THREADS epoll loops (SO_REUSEPORT), until killed.
//   beat_floor client CERT_DIR PORT SERVER_PID CONNECTIONS RATE WARMUP SECONDS [--plain]
//       opens CONNECTIONS connections, has each send BEAT bytes RATE times a second (spread over
//       1-ms slots), and after WARMUP seconds measures SECONDS: the server's CPU per beat (from
//       /proc/SERVER_PID/stat), the acknowledgements' p50/p99 and the server's RSS.
//
// TLS 1.3 with mutual authentication, P-256 certificates from `deploy/certs/ferry-certs.sh dev`
// (server.pem, worker-1.pem, ca/ca.pem); --plain measures the same over bare TCP.

#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { BEAT = 96, ACK = 32, RING = 8, MAX_LATENCY_US = 2000000 };

typedef struct {
    int fd;
    SSL *ssl;
    int ready;
    size_t pending;
    uint64_t sent_at[RING];
    unsigned head, count;
} conn_t;

static int plain;

static void die(const char *what) {
    fprintf(stderr, "beat_floor: %s: %s\n", what, errno ? strerror(errno) : "failed");
    ERR_print_errors_fp(stderr);
    exit(1);
}

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void raise_descriptor_limit(void) {
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

static SSL_CTX *make_context(int server, const char *dir) {
    char cert[4096], key[4096], ca[4096];
    const char *name = server ? "server" : "worker-1";
    snprintf(cert, sizeof cert, "%s/%s.pem", dir, name);
    snprintf(key, sizeof key, "%s/%s.key", dir, name);
    snprintf(ca, sizeof ca, "%s/ca/ca.pem", dir);
    SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
    if (!ctx) die("SSL_CTX_new");
    SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
    if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) die(cert);
    if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) die(key);
    if (SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1) die(ca);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    // Whole socket reads, as Ferry's memory BIOs get them: one read per wake-up, not two per record.
    SSL_CTX_set_read_ahead(ctx, 1);
    if (server) {
        SSL_CTX_set_num_tickets(ctx, 0);
        SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    }
    return ctx;
}

static conn_t *new_conn(int fd, SSL_CTX *ctx, int server) {
    conn_t *c = calloc(1, sizeof *c);
    if (!c) die("calloc");
    c->fd = fd;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (plain) {
        c->ready = 1;
        return c;
    }
    c->ssl = SSL_new(ctx);
    if (!c->ssl || SSL_set_fd(c->ssl, fd) != 1) die("SSL_new");
    if (server) SSL_set_accept_state(c->ssl);
    else SSL_set_connect_state(c->ssl);
    return c;
}

// Closes the connection and frees it (the server's only way to end one).
static void drop_conn(conn_t *c) {
    if (c->ssl) SSL_free(c->ssl);
    close(c->fd);
    free(c);
}

// 1 when the handshake is done, 0 while it needs the peer, -1 when it failed.
static int advance_handshake(conn_t *c) {
    if (c->ready) return 1;
    int r = SSL_do_handshake(c->ssl);
    if (r == 1) return c->ready = 1;
    int e = SSL_get_error(c->ssl, r);
    return (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) ? 0 : -1;
}

// One read from the socket (and whatever OpenSSL already holds of it): bytes read, 0 when the
// socket has nothing now, -1 when the connection ended.
static long read_some(conn_t *c, char *buf, size_t size) {
    if (plain) {
        ssize_t n = read(c->fd, buf, size);
        if (n > 0) return n;
        return (n < 0 && errno == EAGAIN) ? 0 : -1;
    }
    long total = 0;
    do {
        int n = SSL_read(c->ssl, buf + total, (int)(size - (size_t)total));
        if (n <= 0) {
            int e = SSL_get_error(c->ssl, n);
            if (e == SSL_ERROR_WANT_READ && total == 0) return 0;
            if (e == SSL_ERROR_WANT_READ) break;
            return total > 0 ? total : -1;
        }
        total += n;
    } while (SSL_has_pending(c->ssl) && (size_t)total < size);
    return total;
}

// One write of one record; the peers here never fill a socket's buffer.
static int write_all(conn_t *c, const char *buf, size_t size) {
    if (plain) return write(c->fd, buf, size) == (ssize_t)size ? 0 : -1;
    return SSL_write(c->ssl, buf, (int)size) == (int)size ? 0 : -1;
}

// MARK: server

typedef struct {
    int listener;
    SSL_CTX *ctx;
} loop_args_t;

static int listen_on(int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(fd, 8192) != 0) die("listen");
    return fd;
}

static void *server_loop(void *raw) {
    loop_args_t *args = raw;
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(ep, EPOLL_CTL_ADD, args->listener, &ev);
    char buf[16384], acks[ACK * 64];
    memset(acks, 'a', sizeof acks);
    struct epoll_event events[256];
    for (;;) {
        int n = epoll_wait(ep, events, 256, -1);
        for (int i = 0; i < n; i++) {
            conn_t *c = events[i].data.ptr;
            if (!c) {
                int fd;
                while ((fd = accept4(args->listener, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    struct epoll_event add = {.events = EPOLLIN, .data.ptr = new_conn(fd, args->ctx, 1)};
                    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &add);
                }
                continue;
            }
            int state = advance_handshake(c);
            long got = state == 1 ? read_some(c, buf, sizeof buf) : 0;
            if (state < 0 || got < 0) {
                drop_conn(c);
                continue;
            }
            c->pending += (size_t)got;
            size_t beats = c->pending / BEAT;
            c->pending %= BEAT;
            if (beats > 64) beats = 64;
            if (beats > 0 && write_all(c, acks, beats * ACK) != 0) {
                drop_conn(c);
            }
        }
    }
    return NULL;
}

static _Noreturn void run_server(const char *dir, int threads) {
    SSL_CTX *ctx = plain ? NULL : make_context(1, dir);
    int first = listen_on(0);
    struct sockaddr_in bound;
    socklen_t length = sizeof bound;
    getsockname(first, (struct sockaddr *)&bound, &length);
    int port = ntohs(bound.sin_port);
    for (int t = 0; t < threads; t++) {
        loop_args_t *args = malloc(sizeof *args);
        args->listener = t == 0 ? first : listen_on(port);
        args->ctx = ctx;
        pthread_t thread;
        if (pthread_create(&thread, NULL, server_loop, args) != 0) die("pthread_create");
    }
    printf("READY %d\n", port);
    fflush(stdout);
    for (;;) pause();
}

// MARK: client

typedef struct {
    uint64_t utime_stime_ticks;
    long rss_kib;
} server_usage_t;

static server_usage_t read_server(int pid) {
    server_usage_t usage = {0, 0};
    char path[64], text[4096];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f || !fgets(text, sizeof text, f)) die(path);
    fclose(f);
    // Fields 14 and 15 (utime, stime) count from the last ')' (the command may hold spaces).
    char *p = strrchr(text, ')');
    if (!p) die(path);
    p += 2;
    unsigned long long utime = 0, stime = 0;
    sscanf(p, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime);
    usage.utime_stime_ticks = utime + stime;
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    f = fopen(path, "r");
    while (f && fgets(text, sizeof text, f))
        if (sscanf(text, "VmRSS: %ld", &usage.rss_kib) == 1) break;
    if (f) fclose(f);
    return usage;
}

static int connect_to(int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (fd < 0 || (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0 && errno != EINPROGRESS)) die("connect");
    return fd;
}

static uint32_t *latency_us;
static uint64_t acked, sent, skipped;

static void take_acks(conn_t *c, long bytes, int measuring) {
    c->pending += (size_t)bytes;
    uint64_t now = now_ns();
    for (; c->pending >= ACK && c->count > 0; c->pending -= ACK, c->count--, c->head = (c->head + 1) % RING) {
        uint64_t us = (now - c->sent_at[c->head]) / 1000;
        if (measuring) {
            latency_us[us < MAX_LATENCY_US ? us : MAX_LATENCY_US - 1]++;
            acked++;
        }
    }
}

static double percentile(double fraction) {
    uint64_t total = 0, seen = 0;
    for (int i = 0; i < MAX_LATENCY_US; i++) total += latency_us[i];
    for (int i = 0; i < MAX_LATENCY_US; i++) {
        seen += latency_us[i];
        if (total > 0 && (double)seen >= fraction * (double)total) return i;
    }
    return -1;
}

static int run_client(const char *dir, int port, int pid, int count, double rate, double warmup, double seconds) {
    SSL_CTX *ctx = plain ? NULL : make_context(0, dir);
    latency_us = calloc(MAX_LATENCY_US, sizeof *latency_us);
    conn_t **conns = calloc((size_t)count, sizeof *conns);
    int ep = epoll_create1(0);
    char buf[16384], beat[BEAT];
    memset(beat, 'b', sizeof beat);
    struct epoll_event events[256];

    // Connect, 64 handshakes in flight at a time.
    int opened = 0, ready = 0;
    while (ready < count) {
        while (opened < count && opened - ready < 64) {
            conn_t *c = new_conn(connect_to(port), ctx, 0);
            conns[opened++] = c;
            struct epoll_event add = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
            epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &add);
            if (plain) ready++;
        }
        int n = epoll_wait(ep, events, 256, 1000);
        for (int i = 0; i < n && !plain; i++) {
            conn_t *c = events[i].data.ptr;
            if (c->ready) continue;
            int state = advance_handshake(c);
            if (state < 0) die("handshake");
            if (state == 1) ready++;
        }
    }
    for (int i = 0; i < count; i++) {
        struct epoll_event mod = {.events = EPOLLIN, .data.ptr = conns[i]};
        epoll_ctl(ep, EPOLL_CTL_MOD, conns[i]->fd, &mod);
    }
    fprintf(stderr, "beat_floor: %d connections ready\n", count);

    // Beat j goes to connection j % count at start + j × gap: each connection RATE times a second.
    // The wait is in whole milliseconds, so beats leave in 1-ms slots, as ferry-bench's metronome
    // writes them.
    uint64_t gap = (uint64_t)(1e9 / rate / count);
    uint64_t start = now_ns(), measure_from = start + (uint64_t)(warmup * 1e9), until = measure_from + (uint64_t)(seconds * 1e9);
    uint64_t next = 0;
    int measuring = 0;
    server_usage_t before = {0, 0};
    for (;;) {
        uint64_t now = now_ns();
        if (!measuring && now >= measure_from) {
            measuring = 1;
            before = read_server(pid);
        }
        if (now >= until) break;
        for (; start + next * gap <= now; next++) {
            conn_t *c = conns[next % (uint64_t)count];
            if (c->count == RING) {  // eight beats unanswered: this one is skipped, and said so
                if (measuring) skipped++;
                continue;
            }
            c->sent_at[(c->head + c->count++) % RING] = now_ns();
            if (write_all(c, beat, BEAT) != 0) die("write");
            if (measuring) sent++;
        }
        uint64_t due = start + next * gap;
        int timeout_ms = due > now ? (int)((due - now + 999999) / 1000000) : 0;
        int n = epoll_wait(ep, events, 256, timeout_ms);
        for (int i = 0; i < n; i++) {
            conn_t *c = events[i].data.ptr;
            long got = read_some(c, buf, sizeof buf);
            if (got < 0) die("the server closed a connection");
            if (got > 0) take_acks(c, got, measuring);
        }
    }
    server_usage_t after = read_server(pid);
    uint64_t ticks = after.utime_stime_ticks - before.utime_stime_ticks;
    double cpu_us = (double)ticks * 1e6 / (double)sysconf(_SC_CLK_TCK);
    if (ticks < 100) fprintf(stderr, "beat_floor: only %llu clock ticks of server CPU: measure longer or more beats\n", (unsigned long long)ticks);
    printf("%s, %d connections x %.2f beats/s, %.0f s: sent %llu, acknowledged %llu, skipped %llu; server CPU %.2f us per beat; "
           "ack p50 %.0f us, p99 %.0f us; server RSS %ld MiB\n",
           plain ? "TCP" : "TLS 1.3", count, rate, seconds, (unsigned long long)sent, (unsigned long long)acked, (unsigned long long)skipped,
           acked ? cpu_us / (double)acked : 0, percentile(0.5), percentile(0.99), after.rss_kib / 1024);
    return 0;
}

int main(int argc, char **argv) {
    raise_descriptor_limit();
    int kept = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--plain") == 0) plain = 1;
        else argv[kept++] = argv[i];
    }
    argc = kept;
    if (argc == 4 && strcmp(argv[1], "server") == 0) run_server(argv[2], atoi(argv[3]));
    if (argc == 9 && strcmp(argv[1], "client") == 0) {
        int connections = atoi(argv[5]);
        double rate = atof(argv[6]);
        if (connections < 1 || rate <= 0 || 1e9 / rate / connections < 1) {
            fprintf(stderr, "beat_floor: CONNECTIONS must be at least 1 and RATE × CONNECTIONS between 0 and 1e9 beats/s\n");
            return 2;
        }
        return run_client(argv[2], atoi(argv[3]), atoi(argv[4]), connections, rate, atof(argv[7]), atof(argv[8]));
    }
    fprintf(stderr, "usage: beat_floor server CERT_DIR THREADS [--plain]\n"
                    "       beat_floor client CERT_DIR PORT SERVER_PID CONNECTIONS RATE WARMUP SECONDS [--plain]\n");
    return 2;
}
