package io.p2psync.peers;

import java.net.URI;

/** Peer base urls in one form, so the same device listed by two sources is recognised as one. */
final class PeerUrls {

    private PeerUrls() {
    }

    /**
     * The url with a lower-case scheme and host and no trailing slash.
     *
     * @throws IllegalArgumentException if it is not an absolute http(s) url with a host and no query
     */
    static URI normalize(URI url) {
        if (url == null || url.getScheme() == null || url.getHost() == null) {
            throw new IllegalArgumentException("a peer url must look like http://host:port, was " + url);
        }
        String scheme = url.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("a peer url must be http or https, was " + url);
        }
        if (url.getQuery() != null || url.getFragment() != null) {
            throw new IllegalArgumentException("a peer url has no query or fragment, was " + url);
        }
        String path = url.getPath() == null ? "" : url.getPath().replaceAll("/+$", "");
        String host = url.getHost().toLowerCase(java.util.Locale.ROOT);
        return URI.create(scheme + "://" + (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host)
                + (url.getPort() < 0 ? "" : ":" + url.getPort()) + path);
    }

    /** Like {@link #normalize(URI)} for text; null for null, blank or unparsable text. */
    static URI normalizeOrNull(String url) {
        if (url == null || url.isBlank()) {
            return null;
        }
        try {
            return normalize(URI.create(url.trim()));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
