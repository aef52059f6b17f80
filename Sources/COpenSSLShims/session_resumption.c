// TLS session resumption: server tickets under keys derived from a secret and the time, and a
// client's memory of the newest ticket; see COpenSSLShims.h.
#include "COpenSSLShims.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/bio.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

// MARK: - Server: ticket keys

enum { TICKET_SECRET_MAX = 64 };

/// What a server context's ticket callback derives its keys from.
typedef struct {
    unsigned char secret[TICKET_SECRET_MAX];
    size_t secret_length;
    uint64_t rotation_seconds;
} TicketKeySource;

/// One epoch's keys: a name the ticket carries, an AES-256-CBC key and an HMAC-SHA256 key.
typedef struct {
    unsigned char name[16];
    unsigned char aes[32];
    unsigned char hmac[32];
} TicketKeys;

static int ticket_source_index = -1;
static pthread_once_t ticket_source_once = PTHREAD_ONCE_INIT;

static void free_ticket_source(void *parent, void *pointer, CRYPTO_EX_DATA *data, int index, long argl, void *argp) {
    (void)parent; (void)data; (void)index; (void)argl; (void)argp;
    if (pointer != NULL) OPENSSL_clear_free(pointer, sizeof(TicketKeySource));
}

static void make_ticket_source_index(void) {
    ticket_source_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, free_ticket_source);
}

/// HMAC-SHA256(secret, label || epoch as 8 big-endian bytes): one key per label and epoch.
static int derive(const TicketKeySource *source, const char *label, uint64_t epoch, unsigned char out[32]) {
    unsigned char message[64];
    size_t label_length = strlen(label);
    memcpy(message, label, label_length);
    for (int byte = 0; byte < 8; byte++) message[label_length + byte] = (unsigned char)(epoch >> (56 - 8 * byte));
    unsigned int length = 0;
    return HMAC(EVP_sha256(), source->secret, (int)source->secret_length, message, label_length + 8, out, &length) != NULL
        && length == 32;
}

static int keys_for_epoch(const TicketKeySource *source, uint64_t epoch, TicketKeys *keys) {
    unsigned char name[32];
    if (!derive(source, "ferry tls ticket name", epoch, name)) return 0;
    memcpy(keys->name, name, sizeof keys->name);
    return derive(source, "ferry tls ticket aes", epoch, keys->aes)
        && derive(source, "ferry tls ticket hmac", epoch, keys->hmac);
}

static int use_keys(const TicketKeys *keys, unsigned char *iv, EVP_CIPHER_CTX *cipher, EVP_MAC_CTX *mac, int encrypt) {
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, (void *)keys->hmac, sizeof keys->hmac),
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
        OSSL_PARAM_construct_end(),
    };
    if (EVP_MAC_CTX_set_params(mac, params) != 1) return 0;
    return encrypt ? EVP_EncryptInit_ex(cipher, EVP_aes_256_cbc(), NULL, keys->aes, iv) == 1
                   : EVP_DecryptInit_ex(cipher, EVP_aes_256_cbc(), NULL, keys->aes, iv) == 1;
}

/// OpenSSL's ticket key callback: new tickets (TLS 1.3 only) under this epoch's keys; a ticket
/// under the previous, this or the next epoch's keys is accepted (the previous one's is renewed);
/// any other ticket means a full handshake.
static int ticket_key_callback(SSL *ssl, unsigned char key_name[16], unsigned char iv[EVP_MAX_IV_LENGTH],
                               EVP_CIPHER_CTX *cipher, EVP_MAC_CTX *mac, int encrypt) {
    const TicketKeySource *source = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ticket_source_index);
    if (source == NULL) return encrypt ? -1 : 0;
    uint64_t epoch = (uint64_t)time(NULL) / source->rotation_seconds;
    TicketKeys keys;
    int result = 0;
    if (encrypt) {
        // TLS 1.2 tickets carry the master secret itself: a leaked secret would open recorded
        // traffic. Only TLS 1.3 tickets (resumed with a fresh ECDHE exchange) are issued.
        if (SSL_version(ssl) != TLS1_3_VERSION) return 0;
        if (!keys_for_epoch(source, epoch, &keys) || RAND_bytes(iv, 16) != 1) {
            result = -1;
        } else {
            memcpy(key_name, keys.name, sizeof keys.name);
            result = use_keys(&keys, iv, cipher, mac, 1) ? 1 : -1;
        }
    } else {
        // This epoch's keys, the previous one's (renewed), and the next one's: a replica whose
        // clock runs a little ahead may already have moved on.
        const int64_t offsets[] = {0, -1, 1};
        for (size_t index = 0; index < 3; index++) {
            if (offsets[index] < 0 && epoch == 0) continue;
            if (!keys_for_epoch(source, epoch + (uint64_t)offsets[index], &keys)) break;
            if (memcmp(key_name, keys.name, sizeof keys.name) == 0) {
                result = use_keys(&keys, iv, cipher, mac, 0) ? (offsets[index] < 0 ? 2 : 1) : -1;
                break;
            }
        }
    }
    OPENSSL_cleanse(&keys, sizeof keys);
    return result;
}

// MARK: - Server: how old the authentication behind a ticket is

/// Stamps each new ticket with when its client last presented a certificate: the time of this
/// full handshake, or, for a resumed session, the stamp it was resumed with (so renewing tickets
/// never extends an authentication).
static int generate_ticket_callback(SSL *ssl, void *arg) {
    (void)arg;
    SSL_SESSION *session = SSL_get_session(ssl);
    if (session == NULL) return 0;
    void *data = NULL;
    size_t length = 0;
    SSL_SESSION_get0_ticket_appdata(session, &data, &length);
    if (length == 8) return 1;  // Resumed: keeps the stamp it came with.
    unsigned char stamp[8];
    uint64_t now = (uint64_t)time(NULL);
    for (int byte = 0; byte < 8; byte++) stamp[byte] = (unsigned char)(now >> (56 - 8 * byte));
    return SSL_SESSION_set1_ticket_appdata(session, stamp, sizeof stamp);
}

/// Accepts a decrypted ticket only while the authentication behind it is at most one lifetime
/// old and the client certificate it carries has not expired; otherwise the handshake is a full
/// one, with certificates.
static SSL_TICKET_RETURN decrypt_ticket_callback(SSL *ssl, SSL_SESSION *session, const unsigned char *key_name,
                                                 size_t key_name_length, SSL_TICKET_STATUS status, void *arg) {
    (void)key_name; (void)key_name_length; (void)arg;
    switch (status) {
    case SSL_TICKET_SUCCESS:
    case SSL_TICKET_SUCCESS_RENEW:
        break;
    case SSL_TICKET_FATAL_ERR_MALLOC:
    case SSL_TICKET_FATAL_ERR_OTHER:
        return SSL_TICKET_RETURN_ABORT;
    default:
        return SSL_TICKET_RETURN_IGNORE_RENEW;
    }
    const TicketKeySource *source = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ticket_source_index);
    void *data = NULL;
    size_t length = 0;
    SSL_SESSION_get0_ticket_appdata(session, &data, &length);
    if (source == NULL || data == NULL || length != 8) return SSL_TICKET_RETURN_IGNORE_RENEW;
    uint64_t stamp = 0;
    for (int byte = 0; byte < 8; byte++) stamp = (stamp << 8) | ((const unsigned char *)data)[byte];
    uint64_t now = (uint64_t)time(NULL);
    if (stamp > now + 300 || now - stamp > source->rotation_seconds) return SSL_TICKET_RETURN_IGNORE_RENEW;
    X509 *peer = SSL_SESSION_get0_peer(session);
    if (peer != NULL && X509_cmp_current_time(X509_get0_notAfter(peer)) <= 0) return SSL_TICKET_RETURN_IGNORE_RENEW;
    return status == SSL_TICKET_SUCCESS_RENEW ? SSL_TICKET_RETURN_USE_RENEW : SSL_TICKET_RETURN_USE;
}

/// SHA-256 of `material` followed by the bytes of the file at `path` (if any).
static int digest_context(const unsigned char *material, size_t length, const char *path, unsigned char *digest,
                          unsigned int *digest_length) {
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 && EVP_DigestUpdate(md, material, length) == 1;
    if (ok && path != NULL) {
        BIO *file = BIO_new_file(path, "rb");
        ok = file != NULL;
        unsigned char chunk[4096];
        int read = 0;
        while (ok && (read = BIO_read(file, chunk, sizeof chunk)) > 0) ok = EVP_DigestUpdate(md, chunk, (size_t)read) == 1;
        BIO_free(file);
    }
    ok = ok && EVP_DigestFinal_ex(md, digest, digest_length) == 1;
    EVP_MD_CTX_free(md);
    return ok;
}

int COpenSSLShims_SSL_CTX_enable_session_tickets(SSL_CTX *ctx, const unsigned char *secret, size_t secret_length,
                                                 uint64_t lifetime_seconds, const unsigned char *session_context,
                                                 size_t session_context_length, const char *trust_roots_path) {
    pthread_once(&ticket_source_once, make_ticket_source_index);
    if (ticket_source_index < 0 || secret_length == 0 || secret_length > TICKET_SECRET_MAX || lifetime_seconds == 0) {
        return 0;
    }
    // Sessions resume only under the same trust: the context is a digest of what the caller says
    // decides it (the verification mode and the CA bundle), so a changed CA bundle refuses every
    // ticket made under the old one. (Without a context, OpenSSL fails a resumption under
    // client-certificate verification with internal_error.)
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_length = 0;
    if (!digest_context(session_context, session_context_length, trust_roots_path, digest, &digest_length)
        || SSL_CTX_set_session_id_context(ctx, digest, digest_length) != 1) {
        return 0;
    }
    TicketKeySource *source = OPENSSL_zalloc(sizeof(TicketKeySource));
    if (source == NULL) return 0;
    memcpy(source->secret, secret, secret_length);
    source->secret_length = secret_length;
    source->rotation_seconds = lifetime_seconds;
    if (SSL_CTX_set_ex_data(ctx, ticket_source_index, source) != 1) {
        OPENSSL_clear_free(source, sizeof(TicketKeySource));
        return 0;
    }
    SSL_CTX_set_timeout(ctx, (long)lifetime_seconds);
    // Stateless tickets only: the server keeps nothing per session.
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER | SSL_SESS_CACHE_NO_INTERNAL);
    SSL_CTX_clear_options(ctx, SSL_OP_NO_TICKET);
    return SSL_CTX_set_num_tickets(ctx, 1) == 1 && SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, ticket_key_callback) == 1
        && SSL_CTX_set_session_ticket_cb(ctx, generate_ticket_callback, decrypt_ticket_callback, NULL) == 1;
}

// MARK: - Client: the newest ticket

/// The newest resumable session a client context received.
typedef struct {
    pthread_mutex_t lock;
    SSL_SESSION *session;
} ClientSessionSlot;

static int client_slot_index = -1;
static pthread_once_t client_slot_once = PTHREAD_ONCE_INIT;

static void free_client_slot(void *parent, void *pointer, CRYPTO_EX_DATA *data, int index, long argl, void *argp) {
    (void)parent; (void)data; (void)index; (void)argl; (void)argp;
    ClientSessionSlot *slot = pointer;
    if (slot == NULL) return;
    SSL_SESSION_free(slot->session);
    pthread_mutex_destroy(&slot->lock);
    OPENSSL_free(slot);
}

static void make_client_slot_index(void) {
    client_slot_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, free_client_slot);
}

/// OpenSSL's new-session callback: keeps a copy of the session. A copy, because OpenSSL marks a
/// connection's own session not resumable when that connection ends without close_notify, and
/// the reconnection after a server crash or kill is exactly when the ticket is wanted (TLS 1.3
/// tickets stay valid whatever became of the connection that received them).
static int new_session_callback(SSL *ssl, SSL_SESSION *session) {
    ClientSessionSlot *slot = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), client_slot_index);
    if (slot == NULL || !SSL_SESSION_is_resumable(session)) return 0;
    SSL_SESSION *copy = SSL_SESSION_dup(session);
    if (copy == NULL) return 0;
    pthread_mutex_lock(&slot->lock);
    SSL_SESSION *previous = slot->session;
    slot->session = copy;
    pthread_mutex_unlock(&slot->lock);
    SSL_SESSION_free(previous);
    return 0;  // OpenSSL keeps its own reference to `session`.
}

int COpenSSLShims_SSL_CTX_enable_client_sessions(SSL_CTX *ctx) {
    pthread_once(&client_slot_once, make_client_slot_index);
    if (client_slot_index < 0) return 0;
    ClientSessionSlot *slot = OPENSSL_zalloc(sizeof(ClientSessionSlot));
    if (slot == NULL) return 0;
    pthread_mutex_init(&slot->lock, NULL);
    if (SSL_CTX_set_ex_data(ctx, client_slot_index, slot) != 1) {
        free_client_slot(NULL, slot, NULL, 0, 0, NULL);
        return 0;
    }
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ctx, new_session_callback);
    return 1;
}

/// Whether a session may be offered to a server named `target`: unless the session records the
/// name it was made for (OpenSSL records it only when the server acknowledged SNI), any server
/// that can open the ticket holds the issuer's secret anyway.
static int same_host(const char *made_for, const char *target) {
    if (made_for == NULL) return 1;
    return target != NULL && strcmp(made_for, target) == 0;
}

int COpenSSLShims_SSL_offer_cached_session(SSL *ssl) {
    ClientSessionSlot *slot = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), client_slot_index);
    if (slot == NULL) return 0;
    int offered = 0;
    pthread_mutex_lock(&slot->lock);
    SSL_SESSION *session = slot->session;
    SSL_SESSION *copy = NULL;
    if (session != NULL && (uint64_t)time(NULL) < (uint64_t)SSL_SESSION_get_time(session) + (uint64_t)SSL_SESSION_get_timeout(session)
        && same_host(SSL_SESSION_get0_hostname(session), SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name))) {
        // A copy: if this connection is cut off, OpenSSL marks its session unresumable, and the
        // remembered one must stay usable.
        copy = SSL_SESSION_dup(session);
    }
    pthread_mutex_unlock(&slot->lock);
    if (copy != NULL) {
        offered = SSL_set_session(ssl, copy);  // Takes its own reference.
        SSL_SESSION_free(copy);
    }
    return offered;
}
