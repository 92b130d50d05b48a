#ifndef DIALOGUE_LWS_SHIM_H
#define DIALOGUE_LWS_SHIM_H
/* The parts of libwebsockets Swift cannot import directly: macros with expressions
 * (LWS_PRE) and helpers that read several header tokens at once. Nothing else. */
#include <libwebsockets.h>
#if defined(LWS_WITH_TLS) && __has_include(<openssl/ssl.h>)
#include <openssl/ssl.h>
#endif

/* OpenSSL options for the server's TLS context: no SSLv3, TLS 1.0 or 1.1, no compression,
 * no renegotiation, the server's cipher order. */
static inline long dlg_tls_server_options(void) {
#if defined(LWS_WITH_TLS) && __has_include(<openssl/ssl.h>)
    return (long)(SSL_OP_NO_SSLv3 | SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1 | SSL_OP_NO_COMPRESSION |
                  SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
#else
    return 0;
#endif
}

/* Bytes lws needs in front of every buffer given to lws_write(). */
static inline size_t dlg_lws_pre(void) { return LWS_PRE; }

/* The HTTP method of the request on wsi, from the URI token lws filled in. */
static inline const char *dlg_lws_http_method(struct lws *wsi) {
    if (lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI)) return "GET";
    if (lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI)) return "POST";
    if (lws_hdr_total_length(wsi, WSI_TOKEN_PUT_URI)) return "PUT";
    if (lws_hdr_total_length(wsi, WSI_TOKEN_DELETE_URI)) return "DELETE";
    if (lws_hdr_total_length(wsi, WSI_TOKEN_PATCH_URI)) return "PATCH";
    if (lws_hdr_total_length(wsi, WSI_TOKEN_OPTIONS_URI)) return "OPTIONS";
    if (lws_hdr_total_length(wsi, WSI_TOKEN_HEAD_URI)) return "HEAD";
    return "";
}

/* The request path: whichever method token holds it. */
static inline int dlg_lws_copy_path(struct lws *wsi, char *buf, int len) {
    static const enum lws_token_indexes tokens[] = {
        WSI_TOKEN_GET_URI, WSI_TOKEN_POST_URI, WSI_TOKEN_PUT_URI, WSI_TOKEN_DELETE_URI,
        WSI_TOKEN_PATCH_URI, WSI_TOKEN_OPTIONS_URI, WSI_TOKEN_HEAD_URI };
    for (unsigned i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++)
        if (lws_hdr_total_length(wsi, tokens[i]))
            return lws_hdr_copy(wsi, buf, len, tokens[i]);
    return -1;
}

/* Stopping an lws context that runs an event library's loop: lws_context_destroy() must be
 * called from inside the loop but outside any connection's callback, so it is scheduled as
 * a zero-delay timer. The struct must outlive the context. */
struct dlg_lws_stopper {
    lws_sorted_usec_list_t sul;
    struct lws_context *context;
};

static inline void dlg_lws_stopper_fire(lws_sorted_usec_list_t *sul) {
    struct dlg_lws_stopper *stopper = lws_container_of(sul, struct dlg_lws_stopper, sul);
    lws_context_destroy(stopper->context);
}

static inline void dlg_lws_schedule_stop(struct dlg_lws_stopper *stopper, struct lws_context *context) {
    stopper->context = context;
    lws_sul_schedule(context, 0, &stopper->sul, dlg_lws_stopper_fire, 1);
}
#endif
