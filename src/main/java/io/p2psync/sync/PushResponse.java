package io.p2psync.sync;

import java.util.List;

/**
 * Answer to {@code POST /sync/push}, and what this device reports after receiving a pulled page.
 *
 * @param accepted entries applied (conflicts included)
 * @param duplicates entries the receiver already had
 * @param conflicts entries that were concurrent with the receiver's row and went to conflict resolution
 * @param rejected entries refused, each listed in {@code rejections}; later entries of the same origin in
 *     the batch are refused too
 * @param rejections why each refused entry was refused
 */
public record PushResponse(int accepted, int duplicates, int conflicts, int rejected, List<Rejection> rejections) {

    public PushResponse {
        rejections = rejections == null ? List.of() : List.copyOf(rejections);
    }

    /**
     * One refused entry.
     *
     * @param reason a short stable code ({@code bad-hash}, {@code bad-signature}, {@code broken-chain},
     *     {@code gap}, {@code revoked-origin}, {@code invalid-data}, {@code earlier-entry-rejected}) and,
     *     after a colon, detail for people
     */
    public record Rejection(String origin, long version, String reason) {
    }
}
