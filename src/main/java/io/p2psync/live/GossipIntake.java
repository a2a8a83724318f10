package io.p2psync.live;

import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.EntryRef;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.pubsub.MessageValidator;
import io.p2psync.p2p.pubsub.PubsubMessage;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The checks every gossip message passes before it is applied, in this order: size, rate per sending peer,
 * sender authorized, JSON shape, key and value limits, then for an entry its hash, its place in the origin's
 * hash chain and its signature; an entry whose group continues is ignored (gossip carries only group ends,
 * which are signed). The router has already checked the pubsub envelope (StrictSign). Runs as the
 * topic's validator, under the router's lock on a network thread, so it only computes: the chain is checked
 * against {@link ChainHeads} in memory. Accepted entries move their origin's head on at once, so the next
 * entry of a burst is checked against this one.
 *
 * <p>Verdicts: a rate-limited message, an entry already held, a group's continuing entry and an entry after a
 * gap are ignored (not forwarded, the sender is not at fault); everything else that fails is rejected. After a
 * rate-limited message {@code catchUp} is told the sending peer, and after a gap {@code gap} is told the sender and
 * the entry ({@link GapChase#missing}), so the REST catch-up fetches what gossip did not deliver.
 */
final class GossipIntake implements MessageValidator<GossipIntake.Accepted> {

    static final String KV_TABLE = "sync_kv";

    /**
     * @param payload the decoded payload when accepted, else null
     * @param drop why not, or null when accepted; null with a null payload means a duplicate
     */
    record Verdict(GossipPayload payload, DropReason drop, String detail) {
        static Verdict accept(GossipPayload payload) {
            return new Verdict(payload, null, "");
        }

        static Verdict drop(DropReason reason, String detail) {
            return new Verdict(null, reason, detail);
        }

        static Verdict duplicate(String detail) {
            return new Verdict(null, null, detail);
        }

        boolean accepted() {
            return payload != null;
        }
    }

    /** The limits checked, in bytes of UTF-8. */
    record Limits(int maxMessageBytes, long maxKeyBytes, long maxValueBytes) {
    }

    private final Limits limits;
    private final PeerRateLimiter rate;
    private final Predicate<PeerId> authorized;
    private final PayloadCodec codec;
    private final ChainHeads heads;
    private final LiveMetrics metrics;
    private final Consumer<PeerId> catchUp;
    private final java.util.function.BiConsumer<PeerId, EntryRef> gap;

    /** An accepted message with its decoded payload and the peer that delivered it. */
    record Accepted(PubsubMessage message, PeerId receivedFrom, GossipPayload payload) {
    }

    GossipIntake(Limits limits, PeerRateLimiter rate, Predicate<PeerId> authorized, PayloadCodec codec,
            ChainHeads heads, LiveMetrics metrics, Consumer<PeerId> catchUp,
            java.util.function.BiConsumer<PeerId, EntryRef> gap) {
        this.limits = limits;
        this.rate = rate;
        this.authorized = authorized;
        this.codec = codec;
        this.heads = heads;
        this.metrics = metrics;
        this.catchUp = catchUp;
        this.gap = gap;
    }

    @Override
    public Validation<Accepted> validate(PeerId receivedFrom, PubsubMessage message) {
        metrics.received();
        Verdict v = check(receivedFrom, message);
        if (v.accepted()) {
            return Validation.accept(new Accepted(message, receivedFrom, v.payload()));
        }
        if (v.drop() == null) {
            metrics.duplicate();
            return Validation.ignore("duplicate", v.detail());
        }
        metrics.dropped(v.drop());
        return switch (v.drop()) {
            case RATE_LIMITED, GAP, GROUP_PART -> Validation.ignore(v.drop().code(), v.detail());
            default -> Validation.reject(v.drop().code(), v.detail());
        };
    }

    /** Runs the checks in order; the first that fails decides. */
    Verdict check(PeerId from, PubsubMessage m) {
        if (m.size() > limits.maxMessageBytes()) {
            return Verdict.drop(DropReason.TOO_LARGE,
                    m.size() + " bytes exceed the limit of " + limits.maxMessageBytes());
        }
        if (rate.acquire(from) != PeerRateLimiter.Decision.ALLOWED) {
            catchUp.accept(from); // a legitimate burst still arrives, over REST (CatchUp folds repeated asks)
            return Verdict.drop(DropReason.RATE_LIMITED, "peer " + from + " is over its message rate");
        }
        if (!authorized.test(from)) {
            return Verdict.drop(DropReason.UNAUTHORIZED, "peer " + from + " is not an authorized device");
        }
        GossipPayload payload;
        try {
            payload = codec.decode(m.data());
        } catch (PayloadCodec.MalformedPayloadException e) {
            return Verdict.drop(DropReason.MALFORMED, e.getMessage());
        }
        if (payload instanceof GossipPayload.Entry entry) {
            return checkEntry(from, entry);
        }
        if (payload instanceof GossipPayload.SeedPut put) {
            return checkSeed(m, put.key(), put.value(), payload);
        }
        return checkSeed(m, ((GossipPayload.SeedDelete) payload).key(), null, payload);
    }

    private Verdict checkSeed(PubsubMessage m, String key, String value, GossipPayload payload) {
        // A seed message is not self-certifying: its author (verified by StrictSign) must be authorized too.
        if (m.from() == null || !authorized.test(m.from())) {
            return Verdict.drop(DropReason.UNAUTHORIZED, "seed message authored by " + m.from()
                    + ", not an authorized device");
        }
        Verdict limited = checkKeyValue(key, PayloadCodec.utf8Length(value));
        return limited != null ? limited : Verdict.accept(payload);
    }

    private Verdict checkEntry(PeerId from, GossipPayload.Entry payload) {
        ChangeEntry e = payload.entry();
        long value;
        String key;
        try {
            value = KV_TABLE.equals(e.table()) ? codec.kvValueBytes(e.data()) : 0;
            // a sync_kv record id is the key as a JSON array (["greeting"]); the limit is on the key itself
            key = KV_TABLE.equals(e.table()) ? codec.kvKey(e.recordId()) : e.recordId();
        } catch (PayloadCodec.MalformedPayloadException bad) {
            return Verdict.drop(DropReason.MALFORMED, bad.getMessage());
        }
        Verdict limited = checkKeyValue(key, value);
        if (limited != null) {
            return limited;
        }
        if (e.continues()) {
            // Unsigned until its group's end: never taken in or forwarded on its own (docs/live.md, "Groups").
            return Verdict.drop(DropReason.GROUP_PART, ref(e) + " continues its group; groups come over REST");
        }
        if (!e.hashValid()) {
            return Verdict.drop(DropReason.BAD_HASH, ref(e) + ": hash does not match the content");
        }
        switch (heads.position(e)) {
            case DUPLICATE -> {
                return Verdict.duplicate(ref(e) + " is already here");
            }
            case GAP -> {
                // checked first: a gap sets off rounds with the sender and the origin (GapChase#missing), which an
                // entry its origin did not sign must not
                if (!e.signatureValid()) {
                    return Verdict.drop(DropReason.BAD_SIGNATURE,
                            ref(e) + ": signature does not verify against the origin's key");
                }
                gap.accept(from, EntryRef.of(e));
                return Verdict.drop(DropReason.GAP, ref(e) + " is ahead of this node; catching up over REST");
            }
            case BROKEN_CHAIN -> {
                return Verdict.drop(DropReason.BROKEN_CHAIN, ref(e) + ": prevHash does not match the entry before it");
            }
            case NEXT -> {
                // checked below
            }
        }
        if (!e.signatureValid()) {
            return Verdict.drop(DropReason.BAD_SIGNATURE, ref(e) + ": signature does not verify against the origin's key");
        }
        heads.advance(e);
        return Verdict.accept(payload);
    }

    private Verdict checkKeyValue(String key, long valueBytes) {
        int keyBytes = PayloadCodec.utf8Length(key);
        if (keyBytes > limits.maxKeyBytes()) {
            return Verdict.drop(DropReason.LIMITS, "key of " + keyBytes + " bytes exceeds " + limits.maxKeyBytes());
        }
        if (valueBytes > limits.maxValueBytes()) {
            return Verdict.drop(DropReason.LIMITS, "value of " + valueBytes + " bytes exceeds " + limits.maxValueBytes());
        }
        return null;
    }

    private static String ref(ChangeEntry e) {
        return e.origin() + "#" + e.version();
    }
}
