// The OpenSSL 3 headers Ferry uses. Everything the Swift side touches goes through FerryTLS;
// macros Swift cannot import are wrapped in COpenSSLShims.
#ifndef FERRY_COPENSSL_SHIM_H
#define FERRY_COPENSSL_SHIM_H

#include <openssl/opensslv.h>
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/bio.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>

#if OPENSSL_VERSION_MAJOR < 3
#error "Ferry requires OpenSSL 3.0 or newer"
#endif

#endif
