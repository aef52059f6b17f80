// TLS session resumption: server tickets under keys derived from a secret and the time, and a
// client's memory of the newest ticket; see COpenSSLShims.h.
#include "COpenSSLShims.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
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

/// OpenSSL's ticket key callback: new tickets under this epoch's keys; a ticket under this
/// epoch's or the previous one's keys is accepted (the previous one's is renewed); any other
/// ticket means a full handshake.
static int ticket_key_callback(SSL *ssl, unsigned char key_name[16], unsigned char iv[EVP_MAX_IV_LENGTH],
                               EVP_CIPHER_CTX *cipher, EVP_MAC_CTX *mac, int encrypt) {
    const TicketKeySource *source = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ticket_source_index);
    if (source == NULL) return encrypt ? -1 : 0;
    uint64_t epoch = (uint64_t)time(NULL) / source->rotation_seconds;
    TicketKeys keys;
    int result = 0;
    if (encrypt) {
        if (!keys_for_epoch(source, epoch, &keys) || RAND_bytes(iv, 16) != 1) {
            result = -1;
        } else {
            memcpy(key_name, keys.name, sizeof keys.name);
            result = use_keys(&keys, iv, cipher, mac, 1) ? 1 : -1;
        }
    } else {
        for (uint64_t age = 0; age < 2 && epoch >= age; age++) {
            if (!keys_for_epoch(source, epoch - age, &keys)) break;
            if (memcmp(key_name, keys.name, sizeof keys.name) == 0) {
                result = use_keys(&keys, iv, cipher, mac, 0) ? (age == 0 ? 1 : 2) : -1;
                break;
            }
        }
    }
    OPENSSL_cleanse(&keys, sizeof keys);
    return result;
}

int COpenSSLShims_SSL_CTX_enable_session_tickets(SSL_CTX *ctx, const unsigned char *secret, size_t secret_length,
                                                 uint64_t lifetime_seconds, const unsigned char *session_context,
                                                 size_t session_context_length) {
    pthread_once(&ticket_source_once, make_ticket_source_index);
    if (ticket_source_index < 0 || secret_length == 0 || secret_length > TICKET_SECRET_MAX || lifetime_seconds == 0) {
        return 0;
    }
    // A server that verifies client certificates resumes only sessions made under the same
    // context (OpenSSL fails such a resumption with internal_error otherwise).
    if (SSL_CTX_set_session_id_context(ctx, session_context, (unsigned int)session_context_length) != 1) return 0;
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
    return SSL_CTX_set_num_tickets(ctx, 1) == 1 && SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, ticket_key_callback) == 1;
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

int COpenSSLShims_SSL_offer_cached_session(SSL *ssl) {
    ClientSessionSlot *slot = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), client_slot_index);
    if (slot == NULL) return 0;
    int offered = 0;
    pthread_mutex_lock(&slot->lock);
    SSL_SESSION *session = slot->session;
    if (session != NULL && (uint64_t)time(NULL) < (uint64_t)SSL_SESSION_get_time(session) + (uint64_t)SSL_SESSION_get_timeout(session)) {
        offered = SSL_set_session(ssl, session);  // Takes its own reference.
    }
    pthread_mutex_unlock(&slot->lock);
    return offered;
}
