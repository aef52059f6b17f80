// Functions for the OpenSSL macros that Swift cannot import; see COpenSSLShims.h.
#include "COpenSSLShims.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int COpenSSLShims_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}

int COpenSSLShims_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_max_proto_version(ctx, version);
}

int COpenSSLShims_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}

long COpenSSLShims_SSL_CTX_set_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_mode(ctx, mode);
}

uint64_t COpenSSLShims_SSL_CTX_set_options(SSL_CTX *ctx, uint64_t options) {
    return SSL_CTX_set_options(ctx, options);
}

long COpenSSLShims_SSL_CTX_set_session_cache_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_session_cache_mode(ctx, mode);
}

long COpenSSLShims_BIO_set_mem_eof_return(BIO *bio, long value) {
    return BIO_set_mem_eof_return(bio, value);
}

size_t COpenSSLShims_BIO_ctrl_pending(BIO *bio) {
    return BIO_ctrl_pending(bio);
}

int COpenSSLShims_sk_X509_num(const STACK_OF(X509) *stack) {
    return sk_X509_num(stack);
}

X509 *COpenSSLShims_sk_X509_value(const STACK_OF(X509) *stack, int index) {
    return sk_X509_value(stack, index);
}

int COpenSSLShims_sk_GENERAL_NAME_num(const GENERAL_NAMES *names) {
    return sk_GENERAL_NAME_num(names);
}

const GENERAL_NAME *COpenSSLShims_sk_GENERAL_NAME_value(const GENERAL_NAMES *names, int index) {
    return sk_GENERAL_NAME_value(names, index);
}

void COpenSSLShims_GENERAL_NAMES_free(GENERAL_NAMES *names) {
    GENERAL_NAMES_free(names);
}

// The server's ALPN choice: the first of the client's offers that the server supports.
// `arg` points at the server's list in wire format; it lives as long as the context.
struct ferry_alpn_list {
    const unsigned char *protocols;
    unsigned int length;
};

static int ferry_alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                             const unsigned char *in, unsigned int inlen, void *arg) {
    (void)ssl;
    const struct ferry_alpn_list *list = arg;
    unsigned char *selected = NULL;
    if (SSL_select_next_proto(&selected, outlen, list->protocols, list->length, in, inlen) !=
        OPENSSL_NPN_NEGOTIATED) {
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
}

// A ClientHello without the ALPN extension never reaches the selection callback above, and
// OpenSSL would complete the handshake; refuse it here with the same alert.
static int ferry_client_hello_requires_alpn(SSL *ssl, int *alert, void *arg) {
    (void)arg;
    const unsigned char *extension = NULL;
    size_t length = 0;
    if (!SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_application_layer_protocol_negotiation, &extension, &length)) {
        *alert = SSL_AD_NO_APPLICATION_PROTOCOL;
        return SSL_CLIENT_HELLO_ERROR;
    }
    return SSL_CLIENT_HELLO_SUCCESS;
}

static int ferry_alpn_list_index = -1;

static void ferry_alpn_list_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp) {
    (void)parent; (void)ad; (void)idx; (void)argl; (void)argp;
    free(ptr);
}

void COpenSSLShims_SSL_CTX_require_alpn(SSL_CTX *ctx, const unsigned char *protocols, unsigned int length) {
    if (ferry_alpn_list_index < 0) {
        // Registered once per process; contexts are created before serving, on one thread.
        ferry_alpn_list_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, ferry_alpn_list_free);
    }
    struct ferry_alpn_list *list = malloc(sizeof(*list) + length);
    unsigned char *copy = (unsigned char *)(list + 1);
    memcpy(copy, protocols, length);
    list->protocols = copy;
    list->length = length;
    SSL_CTX_set_ex_data(ctx, ferry_alpn_list_index, list);
    SSL_CTX_set_alpn_select_cb(ctx, ferry_alpn_select, list);
    SSL_CTX_set_client_hello_cb(ctx, ferry_client_hello_requires_alpn, NULL);
}

int COpenSSLShims_ERR_received_alert(unsigned long code) {
    // OpenSSL reports a fatal alert from the peer as reason SSL_AD_REASON_OFFSET + the alert.
    if (ERR_SYSTEM_ERROR(code) || ERR_GET_LIB(code) != ERR_LIB_SSL) {
        return -1;
    }
    int reason = ERR_GET_REASON(code);
    if (reason < SSL_AD_REASON_OFFSET || reason > SSL_AD_REASON_OFFSET + 255) {
        return -1;
    }
    return reason - SSL_AD_REASON_OFFSET;
}

int COpenSSLShims_GENERAL_NAME_print(const GENERAL_NAME *name, char *buffer, int capacity) {
    const char *prefix;
    const ASN1_STRING *value;
    switch (name->type) {
    case GEN_DNS: prefix = "DNS:"; value = name->d.dNSName; break;
    case GEN_URI: prefix = "URI:"; value = name->d.uniformResourceIdentifier; break;
    case GEN_EMAIL: prefix = "email:"; value = name->d.rfc822Name; break;
    case GEN_IPADD: {
        const unsigned char *ip = ASN1_STRING_get0_data(name->d.iPAddress);
        int len = ASN1_STRING_length(name->d.iPAddress);
        if (len == 4) {
            return snprintf(buffer, (size_t)capacity, "IP:%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
        }
        return -1;
    }
    default:
        return -1;
    }
    int length = ASN1_STRING_length(value);
    int prefixLength = (int)strlen(prefix);
    if (prefixLength + length + 1 > capacity) {
        return -1;
    }
    memcpy(buffer, prefix, (size_t)prefixLength);
    memcpy(buffer + prefixLength, ASN1_STRING_get0_data(value), (size_t)length);
    buffer[prefixLength + length] = '\0';
    return prefixLength + length;
}
