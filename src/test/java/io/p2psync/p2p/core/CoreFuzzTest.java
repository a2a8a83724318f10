package io.p2psync.p2p.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.p2psync.testing.Mutations;
import io.p2psync.testing.Mutations.Mutant;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The decoders of {@code p2p.core} fed arbitrary and damaged input: unsigned varints, binary and text
 * multiaddrs, protobuf public keys and peer ids. Each either refuses with its documented exception
 * ({@link IllegalArgumentException}, {@link MultiaddrException} for multiaddrs) or returns a value that
 * survives a round trip through its encoder.
 */
class CoreFuzzTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final PeerId PEER = PrivateKey.fromSeed(new byte[32]).peerId();

    // ---- unsigned varints ----

    @Property(tries = 1000)
    void aVarintIsRefusedOrReadBackAsItsMinimalEncoding(@ForAll("anyBytes") byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        long value;
        try {
            value = UnsignedVarint.read(in);
        } catch (IllegalArgumentException refused) {
            return;
        }
        assertThat(value).isNotNegative();
        assertThat(UnsignedVarint.encode(value)).isEqualTo(Arrays.copyOf(bytes, in.position()));
    }

    @Property(tries = 1000)
    void everyNonNegativeLongRoundTrips(@ForAll("nonNegativeLongs") long value) {
        byte[] encoded = UnsignedVarint.encode(value);
        ByteBuffer in = ByteBuffer.wrap(encoded);
        assertThat(UnsignedVarint.read(in)).isEqualTo(value);
        assertThat(in.hasRemaining()).isFalse();
        assertThat(encoded.length).isLessThanOrEqualTo(UnsignedVarint.MAX_BYTES);
    }

    @Test
    void aVarintLongerThanNineBytesIsRefused() {
        assertThatThrownBy(() -> UnsignedVarint.read(ByteBuffer.wrap(HEX.parseHex("ffffffffffffffffff01"))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---- binary multiaddrs ----

    @Property(tries = 1000)
    void aBinaryMultiaddrIsRefusedOrRoundTrips(@ForAll("anyBytes") byte[] bytes) {
        checkBinaryMultiaddr(bytes);
    }

    @Property(tries = 1000)
    void aDamagedBinaryMultiaddrIsRefusedOrRoundTrips(@ForAll("damagedBinaryMultiaddrs") Mutant mutant) {
        checkBinaryMultiaddr(mutant.bytes());
    }

    @Test
    void aHostNameClaimingGigabytesIsRefusedWithoutAllocating() {
        // /dns then a length of 2^63 - 1 and three bytes
        byte[] bytes = HEX.parseHex("35" + "ffffffffffffffff7f" + "616263");
        assertThatThrownBy(() -> Multiaddr.fromBytes(bytes)).isInstanceOf(MultiaddrException.class)
                .hasMessageContaining("truncated");
    }

    private static void checkBinaryMultiaddr(byte[] bytes) {
        Multiaddr decoded;
        try {
            decoded = Multiaddr.fromBytes(bytes);
        } catch (MultiaddrException refused) {
            return;
        }
        assertThat(Multiaddr.fromBytes(decoded.toBytes())).isEqualTo(decoded);
        assertThat(Multiaddr.parse(decoded.toString())).isEqualTo(decoded);
    }

    // ---- text multiaddrs ----

    @Property(tries = 1000)
    void aTextMultiaddrIsRefusedOrRoundTrips(@ForAll("multiaddrTexts") String text) {
        Multiaddr parsed;
        try {
            parsed = Multiaddr.parse(text);
        } catch (MultiaddrException refused) {
            return;
        }
        assertThat(Multiaddr.parse(parsed.toString())).isEqualTo(parsed);
        assertThat(Multiaddr.fromBytes(parsed.toBytes())).isEqualTo(parsed);
    }

    @Property(tries = 1000)
    void aDamagedTextMultiaddrIsRefusedOrRoundTrips(@ForAll("damagedTextMultiaddrs") Mutant mutant) {
        String text = new String(mutant.bytes(), StandardCharsets.UTF_8);
        Multiaddr parsed;
        try {
            parsed = Multiaddr.parse(text);
        } catch (MultiaddrException refused) {
            return;
        }
        assertThat(Multiaddr.parse(parsed.toString())).isEqualTo(parsed);
    }

    // ---- public keys and peer ids ----

    @Property(tries = 1000)
    void aProtobufPublicKeyIsRefusedOrRoundTrips(@ForAll("publicKeys") byte[] bytes) {
        PublicKey key;
        try {
            key = PublicKey.fromProtobuf(bytes);
        } catch (IllegalArgumentException refused) {
            return;
        }
        assertThat(PublicKey.fromProtobuf(key.toProtobuf())).isEqualTo(key);
        assertThat(key.raw()).hasSize(32);
        assertThat(key.verify(bytes, new byte[64])).as("a zero signature verifies nothing").isFalse();
    }

    /**
     * Found by {@link #aProtobufPublicKeyIsRefusedOrRoundTrips}: 32 bytes that are not a point of the curve
     * (here y = 2^255 - 1, past the field prime) made {@code verify} throw instead of answering false, and a
     * pubsub message, identify answer or sync entry from such a key escaped its decoder as an exception.
     */
    @Test
    void aKeyThatIsNotACurvePointVerifiesNothingInsteadOfThrowing() {
        byte[] notAPoint = new byte[32];
        Arrays.fill(notAPoint, (byte) 0xff);
        notAPoint[31] = 0x7f;
        PublicKey key = PublicKey.fromProtobuf(new PublicKey(notAPoint).toProtobuf());

        assertThat(key.verify("message".getBytes(StandardCharsets.UTF_8), new byte[64])).isFalse();
    }

    @Property(tries = 1000)
    void aPeerIdMultihashIsRefusedOrRoundTrips(@ForAll("peerIds") byte[] bytes) {
        PeerId id;
        try {
            id = new PeerId(bytes);
        } catch (IllegalArgumentException refused) {
            return;
        }
        assertThat(PeerId.parse(id.toString())).isEqualTo(id);
        id.publicKey().ifPresent(key -> assertThat(key.peerId()).isEqualTo(id));
        ByteBuffer multihash = ByteBuffer.wrap(id.bytes());
        UnsignedVarint.read(multihash); // the code
        assertThat(UnsignedVarint.read(multihash)).as("the varint length names the rest").isEqualTo(multihash.remaining());
    }

    /**
     * Found by {@link #aPeerIdMultihashIsRefusedOrRoundTrips}: a multihash whose length byte had its top bit
     * set (an unfinished varint, which go and js refuse) was read as a length of 128 to 255.
     */
    @Test
    void aMultihashLengthThatIsNotAWholeVarintIsRefused() {
        byte[] bytes = new byte[2 + 0x80];
        bytes[1] = (byte) 0x80;
        assertThatThrownBy(() -> new PeerId(bytes)).isInstanceOf(IllegalArgumentException.class);
    }

    @Property(tries = 1000)
    void aPeerIdTextIsRefusedOrRoundTrips(@ForAll("peerIdTexts") String text) {
        PeerId id;
        try {
            id = PeerId.parse(text);
        } catch (IllegalArgumentException refused) {
            return;
        }
        assertThat(PeerId.parse(id.toString())).isEqualTo(id);
        id.publicKey().ifPresent(key -> assertThat(key.peerId()).isEqualTo(id));
    }

    @Property(tries = 200)
    void theLongestMultihashFitsTheTextLimit(@ForAll("longestMultihashes") byte[] bytes) {
        PeerId id = new PeerId(bytes);
        assertThat(id.toString().length()).isLessThanOrEqualTo(PeerId.MAX_TEXT_LENGTH);
        assertThat(PeerId.parse(id.toString())).isEqualTo(id);
    }

    /**
     * Found while checking that no decoder does unbounded work: base58 decoding is quadratic in the text, and
     * peer id text arrives from anyone (the device header of a REST request, before its signature is
     * checked) and from authorized devices (an entry's origin in a 1 MB gossip message). A megabyte of base58
     * took minutes to refuse; text longer than any peer id is now refused before decoding.
     */
    @Test
    void aPeerIdTextLongerThanAnyPeerIdIsRefusedBeforeDecoding() {
        byte[] longest = new byte[129];
        Arrays.fill(longest, 2, 129, (byte) 0xff);
        longest[1] = 127;
        PeerId id = new PeerId(longest);
        assertThat(PeerId.parse(id.toString())).isEqualTo(id);
        assertThat(id.toString()).hasSize(PeerId.MAX_TEXT_LENGTH);

        String megabyte = "z".repeat(1 << 20);
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> assertThatThrownBy(() -> PeerId.parse(megabyte))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most"));
    }

    // ---- inputs ----

    @Provide
    Arbitrary<byte[]> longestMultihashes() {
        return Arbitraries.oneOf(Arbitraries.just((byte) -1), Arbitraries.bytes()).array(byte[].class).ofSize(127)
                .map(digest -> {
                    byte[] out = new byte[129];
                    out[1] = 127;
                    System.arraycopy(digest, 0, out, 2, 127);
                    return out;
                });
    }

    @Provide
    Arbitrary<byte[]> anyBytes() {
        return Mutations.bytes(64);
    }

    @Provide
    Arbitrary<Long> nonNegativeLongs() {
        return Arbitraries.oneOf(Arbitraries.longs().between(0, Long.MAX_VALUE),
                Arbitraries.integers().between(0, 62).map(bits -> 1L << bits),
                Arbitraries.integers().between(1, 63).map(bits -> (1L << bits) - 1));
    }

    @Provide
    Arbitrary<Mutant> damagedBinaryMultiaddrs() {
        return Mutations.of(validMultiaddrs().stream().map(Multiaddr::toBytes).toList());
    }

    @Provide
    Arbitrary<Mutant> damagedTextMultiaddrs() {
        return Mutations.of(validMultiaddrs().stream().map(m -> m.toString().getBytes(StandardCharsets.UTF_8)).toList());
    }

    @Provide
    Arbitrary<String> multiaddrTexts() {
        Arbitrary<String> part = Arbitraries.oneOf(
                Arbitraries.of("ip4", "ip6", "tcp", "udp", "dns", "dns4", "dns6", "p2p", "ipfs", "http", "ws", "quic-v1",
                        "p2p-circuit", "127.0.0.1", "::1", "::ffff:1.2.3.4", "1::", "65535", "65536", "0", "", PEER.toString(),
                        "1.2.3.4.5", "1:2:3:4:5:6:7:8:9", "fe80::1%eth0", "::1.2.3", "00001"),
                Arbitraries.strings().ofMaxLength(8));
        return part.list().ofMaxSize(6).map(parts -> "/" + String.join("/", parts));
    }

    @Provide
    Arbitrary<byte[]> publicKeys() {
        byte[] valid = PrivateKey.fromSeed(new byte[32]).publicKey().toProtobuf();
        return Arbitraries.oneOf(Mutations.bytes(48), Mutations.of(List.of(valid)).map(Mutant::bytes));
    }

    @Provide
    Arbitrary<byte[]> peerIds() {
        Arbitrary<byte[]> shaped = Combinators.combine(Arbitraries.of(0x00, 0x12), Arbitraries.integers().between(0, 255))
                .flatAs((code, length) -> Arbitraries.bytes().array(byte[].class).ofSize(length).map(digest -> {
                    byte[] out = new byte[length + 2];
                    out[0] = (byte) (int) code;
                    out[1] = (byte) (int) length;
                    System.arraycopy(digest, 0, out, 2, length);
                    return out;
                }));
        return Arbitraries.oneOf(Mutations.bytes(48), Mutations.of(List.of(PEER.bytes())).map(Mutant::bytes), shaped);
    }

    @Provide
    Arbitrary<String> peerIdTexts() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withChars("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0OIl")
                        .ofMaxLength(60),
                Mutations.of(List.of(PEER.toString().getBytes(StandardCharsets.UTF_8)))
                        .map(m -> new String(m.bytes(), StandardCharsets.ISO_8859_1)));
    }

    private static List<Multiaddr> validMultiaddrs() {
        return List.of(
                Multiaddr.parse("/ip4/192.168.1.10/tcp/4001/p2p/" + PEER),
                Multiaddr.parse("/ip6/fe80::1/tcp/4001"),
                Multiaddr.parse("/dns4/example.com/tcp/443/wss"),
                Multiaddr.parse("/ip4/10.0.0.1/tcp/8080/http"),
                Multiaddr.parse("/ip4/1.2.3.4/udp/4001/quic-v1/p2p/" + PEER + "/p2p-circuit"),
                Multiaddr.parse("/p2p/" + PEER));
    }
}
