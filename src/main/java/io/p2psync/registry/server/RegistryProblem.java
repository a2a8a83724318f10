package io.p2psync.registry.server;

import java.net.URI;

/**
 * A request the registry refuses, as an RFC 9457 problem: {@link Kind} gives the status, the stable type URI and
 * title; the detail is for people.
 */
final class RegistryProblem extends RuntimeException {

    static final String PROBLEM_BASE = "urn:p2psync:problem:registry-";

    /** Why a request was refused. */
    enum Kind {
        TOKEN_REQUIRED(401, "token-required", "Network token required"),
        WRONG_TOKEN(401, "wrong-token", "Wrong network token"),
        ADMIN_REQUIRED(401, "admin-required", "Registry admin required"),
        UNKNOWN_NETWORK(404, "unknown-network", "Unknown network"),
        UNKNOWN_PEER(404, "unknown-peer", "Unknown peer"),
        MALFORMED(400, "malformed", "Malformed request"),
        UNSIGNED(400, "unsigned", "Unsigned request"),
        TOO_MANY_ADDRESSES(400, "too-many-addresses", "Too many addresses"),
        BAD_SIGNATURE(401, "bad-signature", "Bad signature"),
        STALE_TIMESTAMP(401, "stale-timestamp", "Stale timestamp"),
        REPLAYED(401, "replayed", "Replayed or outdated announcement"),
        NAME_TAKEN(409, "name-taken", "Name taken"),
        BODY_TOO_LARGE(413, "body-too-large", "Body too large"),
        RATE_LIMITED(429, "rate-limited", "Too many requests");

        final int status;
        final URI type;
        final String title;

        Kind(int status, String slug, String title) {
            this.status = status;
            this.type = URI.create(PROBLEM_BASE + slug);
            this.title = title;
        }
    }

    final Kind kind;
    /** Seconds to wait before trying again ({@link Kind#RATE_LIMITED}), else 0. */
    final long retryAfterSeconds;

    RegistryProblem(Kind kind, String detail) {
        this(kind, detail, 0);
    }

    RegistryProblem(Kind kind, String detail, long retryAfterSeconds) {
        super(detail, null, false, false);
        this.kind = kind;
        this.retryAfterSeconds = retryAfterSeconds;
    }
}
