package io.p2psync.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.Kind;
import io.p2psync.changes.Operation;
import io.p2psync.changes.RowChange;
import io.p2psync.changes.VersionVector;
import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.pubsub.MessageValidator.Validation;
import io.p2psync.p2p.pubsub.PubsubMessage;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The intake's checks one by one, and that they run in the documented order. */
class GossipIntakeTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int MAX_MESSAGE = 4096;

    private final PrivateKey senderKey = PrivateKey.generate();
    private final PeerId sender = senderKey.peerId();
    private final DeviceIdentity origin = new DeviceIdentity(PrivateKey.generate());
    private final Set<PeerId> authorized = new HashSet<>(Set.of(sender));
    private final Map<String, ChainHeads.Head> stored = new HashMap<>();
    private final List<PeerId> catchUps = new ArrayList<>();
    /** The sender and entry of each gap, as text. */
    private final List<String> gaps = new ArrayList<>();
    /** What the intake's accepting verdicts carried, in order. */
    private final List<GossipIntake.Accepted> accepted = new ArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final PayloadCodec codec = new PayloadCodec(JSON);
    private final GossipIntake intake = new GossipIntake(new GossipIntake.Limits(MAX_MESSAGE, 16, 64),
            new PeerRateLimiter(3, Duration.ofSeconds(60), Clock.fixed(Instant.EPOCH, ZoneOffset.UTC)),
            authorized::contains, codec, new ChainHeads(o -> stored.getOrDefault(o, ChainHeads.Head.NONE)),
            new LiveMetrics(registry), catchUps::add, (peer, ref) -> gaps.add(peer + " " + ref));

    @Test
    void acceptsTheNextEntryOfItsOriginAndChecksTheFollowingOneAgainstIt() {
        ChangeEntry first = entry(1, null, "k", "v1");
        ChangeEntry second = entry(2, first.hash(), "k", "v2");

        assertThat(validate(sender, message(sender, codec.encode(first))).outcome()).isEqualTo(Validation.Outcome.ACCEPT);
        assertThat(validate(sender, message(sender, codec.encode(second))).outcome()).isEqualTo(Validation.Outcome.ACCEPT);
        assertThat(accepted).extracting(a -> ((GossipPayload.Entry) a.payload()).entry()).containsExactly(first, second);
        assertThat(accepted).allMatch(a -> a.receivedFrom().equals(sender));
    }

    @Test
    void sizeIsCheckedBeforeEverythingElse() {
        PeerId stranger = PrivateKey.generate().peerId();
        byte[] huge = new byte[MAX_MESSAGE + 1];
        assertThat(drop(stranger, huge)).isEqualTo(DropReason.TOO_LARGE);
        assertThat(validate(stranger, message(stranger, huge)).outcome()).isEqualTo(Validation.Outcome.REJECT);
        assertThat(dropped(DropReason.TOO_LARGE)).isEqualTo(1);
    }

    @Test
    void aPeerOverItsRateIsDroppedAndCaughtUpWhileOthersAreNot() {
        PeerId other = PrivateKey.generate().peerId();
        authorized.add(other);
        for (int i = 0; i < 3; i++) {
            assertThat(drop(sender, bytes("not json"))).isEqualTo(DropReason.MALFORMED);
        }
        assertThat(drop(sender, bytes("not json"))).isEqualTo(DropReason.RATE_LIMITED);
        assertThat(drop(sender, bytes("not json"))).isEqualTo(DropReason.RATE_LIMITED);
        assertThat(catchUps).containsExactly(sender, sender);
        assertThat(drop(other, bytes("not json"))).isEqualTo(DropReason.MALFORMED);
        Validation<GossipIntake.Accepted> v = validate(sender, message(sender, bytes("{}")));
        assertThat(v.outcome()).as("rate-limited messages are ignored, not rejected").isEqualTo(Validation.Outcome.IGNORE);
        assertThat(v.reason()).startsWith("rate-limited: ");
    }

    @Test
    void rateIsCheckedBeforeTheSenderIsAuthorized() {
        PeerId stranger = PrivateKey.generate().peerId();
        for (int i = 0; i < 3; i++) {
            assertThat(drop(stranger, bytes("{}"))).isEqualTo(DropReason.UNAUTHORIZED);
        }
        assertThat(drop(stranger, bytes("{}"))).isEqualTo(DropReason.RATE_LIMITED);
    }

    @Test
    void anUnauthorizedSenderIsDroppedBeforeItsPayloadIsRead() {
        assertThat(drop(PrivateKey.generate().peerId(), bytes("not json"))).isEqualTo(DropReason.UNAUTHORIZED);
    }

    @Test
    void payloadsOfTheWrongShapeAreMalformed() {
        assertThat(drop(sender, bytes("not json"))).isEqualTo(DropReason.MALFORMED);
        assertThat(drop(sender, bytes("[1,2]"))).isEqualTo(DropReason.MALFORMED);
        assertThat(drop(sender, bytes("{\"origin\":\"x\"}"))).isEqualTo(DropReason.MALFORMED);
    }

    @Test
    void keyAndValueLimitsComeBeforeTheHash() {
        ChangeEntry longKey = tamperedHash(entry(1, null, "a-key-longer-than-16-bytes", "v"));
        ChangeEntry longValue = tamperedHash(entry(1, null, "k", "x".repeat(65)));
        assertThat(drop(sender, codec.encode(longKey))).isEqualTo(DropReason.LIMITS);
        assertThat(drop(sender, codec.encode(longValue))).isEqualTo(DropReason.LIMITS);
    }

    @Test
    void aHashThatDoesNotMatchTheContentIsDropped() {
        assertThat(drop(sender, codec.encode(tamperedHash(entry(1, null, "k", "v"))))).isEqualTo(DropReason.BAD_HASH);
    }

    @Test
    void theChainIsCheckedBeforeTheSignature() {
        ChangeEntry first = entry(1, null, "k", "v1");
        stored.put(origin.deviceId().toString(), new ChainHeads.Head(1, first.hash()));
        ChangeEntry wrongPrev = ChangeEntry.seal(new DeviceIdentity(PrivateKey.generate()), 2, 2, 2,
                entry(2, "0".repeat(64), "k", "v2").change(), VersionVector.EMPTY, "0".repeat(64));
        ChangeEntry unsignedByOrigin = withSignature(rebase(wrongPrev), wrongPrev.signature());
        assertThat(drop(sender, codec.encode(unsignedByOrigin))).isEqualTo(DropReason.BROKEN_CHAIN);
    }

    @Test
    void aSignatureByAnotherKeyIsDropped() {
        ChangeEntry genuine = entry(1, null, "k", "v");
        ChangeEntry other = ChangeEntry.seal(new DeviceIdentity(PrivateKey.generate()), 1, genuine.hlc(),
                genuine.timestamp(), genuine.change(), VersionVector.EMPTY, null);
        assertThat(drop(sender, codec.encode(withSignature(genuine, other.signature())))).isEqualTo(DropReason.BAD_SIGNATURE);
        assertThat(accepted).isEmpty();
    }

    @Test
    void anEntryWhoseGroupContinuesIsIgnoredAndNeitherForwardedNorStandsInTheWayOfTheRealOne() {
        ChangeEntry first = entry(1, null, "k", "v1");
        stored.put(origin.deviceId().toString(), new ChainHeads.Head(1, first.hash()));
        // unsigned (its group's end signs for it), hashed and chained to the origin's head: anyone could make it
        ChangeEntry forged = ChangeEntry.seal(origin, 2, 2, 2, entry(2, first.hash(), "k", "forged").change(),
                VersionVector.EMPTY, first.hash(), true);
        Validation<GossipIntake.Accepted> v = validate(sender, message(sender, codec.encode(forged)));
        assertThat(v.outcome()).as("not forwarded, the sender not at fault").isEqualTo(Validation.Outcome.IGNORE);
        assertThat(v.reason()).startsWith("group-part: ");
        assertThat(accepted).isEmpty();

        ChangeEntry real = entry(2, first.hash(), "k", "v2");
        assertThat(validate(sender, message(sender, codec.encode(real))).outcome()).isEqualTo(Validation.Outcome.ACCEPT);
    }

    @Test
    void anEntryAfterAGapIsIgnoredAndCaughtUpFromTheSender() {
        ChangeEntry third = entry(3, "a".repeat(64), "k", "v3");
        Validation<GossipIntake.Accepted> v = validate(sender, message(sender, codec.encode(third)));
        assertThat(v.outcome()).isEqualTo(Validation.Outcome.IGNORE);
        assertThat(v.reason()).startsWith("gap: ");
        assertThat(gaps).containsExactly(sender + " " + io.p2psync.changes.EntryRef.of(third));
    }

    /** A gap sets off rounds with the sender and the origin: an entry its origin did not sign must not. */
    @Test
    void anEntryAfterAGapThatItsOriginDidNotSignIsDroppedWithoutACatchUp() {
        ChangeEntry third = entry(3, "a".repeat(64), "k", "v3");
        ChangeEntry other = ChangeEntry.seal(new DeviceIdentity(PrivateKey.generate()), 3, third.hlc(),
                third.timestamp(), third.change(), VersionVector.EMPTY, "a".repeat(64));

        assertThat(drop(sender, codec.encode(withSignature(third, other.signature())))).isEqualTo(DropReason.BAD_SIGNATURE);
        assertThat(gaps).isEmpty();
        assertThat(catchUps).isEmpty();
    }

    @Test
    void anEntryAlreadyHeldIsIgnoredWithoutCountingADrop() {
        ChangeEntry first = entry(1, null, "k", "v1");
        stored.put(origin.deviceId().toString(), new ChainHeads.Head(1, first.hash()));
        Validation<GossipIntake.Accepted> v = validate(sender, message(sender, codec.encode(first)));
        assertThat(v.outcome()).isEqualTo(Validation.Outcome.IGNORE);
        assertThat(registry.get(LiveMetrics.DROPPED).counters()).allMatch(c -> c.count() == 0);
        assertThat(registry.get("p2psync.gossip.duplicates").counter().count()).isEqualTo(1);
    }

    @Test
    void seedMessagesNeedAnAuthorizedAuthorAndRespectTheLimits() {
        PeerId strangerAuthor = PrivateKey.generate().peerId();
        byte[] put = bytes("{\"Put\":{\"key\":\"k\",\"value\":\"v\",\"timestamp\":\"2026-01-01T00:00:00Z\"}}");
        assertThat(validate(sender, message(sender, put)).outcome()).isEqualTo(Validation.Outcome.ACCEPT);
        assertThat(accepted.get(0).payload()).isEqualTo(new GossipPayload.SeedPut("k", "v", Instant.parse("2026-01-01T00:00:00Z")));
        assertThat(drop(sender, message(strangerAuthor, put))).isEqualTo(DropReason.UNAUTHORIZED);
        assertThat(drop(sender, bytes("{\"Delete\":{\"key\":\"" + "k".repeat(17) + "\",\"timestamp\":\"2026-01-01T00:00:00Z\"}}")))
                .isEqualTo(DropReason.LIMITS);
    }

    @Test
    void invalidContentIsRejectedAndCountedByReason() {
        Validation<GossipIntake.Accepted> v = validate(sender, message(sender, bytes("not json")));
        assertThat(v.outcome()).isEqualTo(Validation.Outcome.REJECT);
        assertThat(v.reason()).startsWith("malformed: not JSON");
        assertThat(dropped(DropReason.MALFORMED)).isEqualTo(1);
    }

    // ---- helpers

    /** Runs the intake as the router does, keeping what each accepting verdict carries. */
    private Validation<GossipIntake.Accepted> validate(PeerId from, PubsubMessage m) {
        Validation<GossipIntake.Accepted> v = intake.validate(from, m);
        if (v.accepted() != null) {
            accepted.add(v.accepted());
        }
        return v;
    }

    private DropReason drop(PeerId from, byte[] data) {
        return drop(from, message(from, data));
    }

    private DropReason drop(PeerId from, PubsubMessage m) {
        GossipIntake.Verdict v = intake.check(from, m);
        assertThat(v.accepted()).as("dropped").isFalse();
        return v.drop();
    }

    private double dropped(DropReason reason) {
        return registry.get(LiveMetrics.DROPPED).tag("reason", reason.code()).counter().count();
    }

    private static PubsubMessage message(PeerId author, byte[] data) {
        return new PubsubMessage(author, new byte[8], "p2p-sync", data, new byte[64], null);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private ChangeEntry entry(long version, String prevHash, String key, String value) {
        String row = "{\"key\":\"" + key + "\",\"value\":\"" + value + "\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"deleted_at\":null}";
        return ChangeEntry.seal(origin, version, version, version, new RowChange("sync_kv", "[\"" + key + "\"]", Operation.INSERT,
                Kind.EDIT, row, null), VersionVector.EMPTY, prevHash);
    }

    private static ChangeEntry tamperedHash(ChangeEntry e) {
        String other = (e.hash().charAt(0) == 'a' ? "b" : "a") + e.hash().substring(1);
        return new ChangeEntry(e.origin(), e.version(), e.hlc(), e.timestamp(), e.table(), e.recordId(), e.operation(),
                e.kind(), e.data(), e.changedColumns(), e.base(), e.prevHash(), other, e.signature());
    }

    private static ChangeEntry withSignature(ChangeEntry e, String signature) {
        return new ChangeEntry(e.origin(), e.version(), e.hlc(), e.timestamp(), e.table(), e.recordId(), e.operation(),
                e.kind(), e.data(), e.changedColumns(), e.base(), e.prevHash(), e.hash(), signature);
    }

    /** {@code e} as if made by {@link #origin} (hash recomputed for that origin), keeping its signature. */
    private ChangeEntry rebase(ChangeEntry e) {
        ChangeEntry resealed = ChangeEntry.seal(origin, e.version(), e.hlc(), e.timestamp(), e.change(), e.base(),
                e.prevHash());
        return withSignature(resealed, e.signature());
    }
}
