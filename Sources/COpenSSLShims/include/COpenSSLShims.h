// Functions for the OpenSSL macros that Swift cannot import.
//
// OpenSSL exposes many operations only as function-like macros over SSL_ctrl / BIO_ctrl, and
// Swift's Clang importer drops those. Each shim here is a real function with the original name
// prefixed by `COpenSSLShims_`, so FerryTLS calls typed functions instead of raw ctrl codes.
#ifndef FERRY_COPENSSL_SHIMS_H
#define FERRY_COPENSSL_SHIMS_H

#include <openssl/ssl.h>
#include <openssl/bio.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

// Option bits are macros built from casts, which Swift does not import; these constants carry them.
static const uint64_t COpenSSLShims_SSL_OP_NO_COMPRESSION = SSL_OP_NO_COMPRESSION;
static const uint64_t COpenSSLShims_SSL_OP_NO_RENEGOTIATION = SSL_OP_NO_RENEGOTIATION;
static const uint64_t COpenSSLShims_SSL_OP_CIPHER_SERVER_PREFERENCE = SSL_OP_CIPHER_SERVER_PREFERENCE;

int COpenSSLShims_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version);
int COpenSSLShims_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int version);
int COpenSSLShims_SSL_set_tlsext_host_name(SSL *ssl, const char *name);
long COpenSSLShims_SSL_CTX_set_mode(SSL_CTX *ctx, long mode);
uint64_t COpenSSLShims_SSL_CTX_set_options(SSL_CTX *ctx, uint64_t options);
long COpenSSLShims_SSL_CTX_set_session_cache_mode(SSL_CTX *ctx, long mode);
long COpenSSLShims_BIO_set_mem_eof_return(BIO *bio, long value);
size_t COpenSSLShims_BIO_ctrl_pending(BIO *bio);
int COpenSSLShims_sk_X509_num(const STACK_OF(X509) *stack);
X509 *COpenSSLShims_sk_X509_value(const STACK_OF(X509) *stack, int index);
int COpenSSLShims_sk_GENERAL_NAME_num(const GENERAL_NAMES *names);
const GENERAL_NAME *COpenSSLShims_sk_GENERAL_NAME_value(const GENERAL_NAMES *names, int index);
void COpenSSLShims_GENERAL_NAMES_free(GENERAL_NAMES *names);

/// Installs an ALPN selection callback on a server context that picks `protocol` (wire format:
/// length-prefixed list) or fails the handshake with no_application_protocol, and a ClientHello
/// callback that fails a handshake offering no ALPN at all with the same alert (120).
void COpenSSLShims_SSL_CTX_require_alpn(SSL_CTX *ctx, const unsigned char *protocols, unsigned int length);

/// The TLS alert (0-255) that a packed error code from the error queue reports the peer sent,
/// or -1 when the code is not about a received alert.
int COpenSSLShims_ERR_received_alert(unsigned long code);

/// Returns the type and value of a general name as text, e.g. "DNS:localhost", into `buffer`.
/// Returns the number of bytes written (without NUL), or -1 when the name type is not supported.
int COpenSSLShims_GENERAL_NAME_print(const GENERAL_NAME *name, char *buffer, int capacity);

/// Server: issues stateless TLS 1.3 session tickets (one per handshake) whose keys are derived
/// from `secret` (1-64 bytes) and the current epoch of `lifetime_seconds`, so a restarted
/// server, and every server holding the same secret, accepts them. A ticket resumes only while
/// the certificate authentication behind it is at most one lifetime old and the client
/// certificate in it has not expired, and only under the same session context: a digest of
/// `session_context` (the verification mode, the protocols) and the bytes of the CA bundle at
/// `trust_roots_path` (may be NULL), so a changed CA bundle refuses older tickets. Returns 1 on
/// success.
int COpenSSLShims_SSL_CTX_enable_session_tickets(SSL_CTX *ctx, const unsigned char *secret, size_t secret_length,
                                                 uint64_t lifetime_seconds, const unsigned char *session_context,
                                                 size_t session_context_length, const char *trust_roots_path);

/// Client: remembers the newest resumable session the server sends, for
/// COpenSSLShims_SSL_offer_cached_session. Returns 1 on success.
int COpenSSLShims_SSL_CTX_enable_client_sessions(SSL_CTX *ctx);

/// Client: offers the remembered session on a new connection, unless there is none or it has
/// expired. Call before the handshake. Returns 1 when a session was offered.
int COpenSSLShims_SSL_offer_cached_session(SSL *ssl);

#endif
