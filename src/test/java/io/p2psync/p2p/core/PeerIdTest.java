package io.p2psync.p2p.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvFileSource;

class PeerIdTest {

    private static final HexFormat HEX = HexFormat.of();

    @ParameterizedTest
    @CsvFileSource(resources = "/p2p/key-vectors.csv")
    void derivesTheSpecPublicKeyFromTheSpecPrivateKey(String privateHex, String publicHex) {
        PrivateKey key = PrivateKey.fromProtobuf(HEX.parseHex(privateHex));

        assertThat(HEX.formatHex(key.publicKey().toProtobuf())).isEqualTo(publicHex);
        assertThat(HEX.formatHex(key.toProtobuf())).isEqualTo(privateHex);
        assertThat(PublicKey.fromProtobuf(HEX.parseHex(publicHex))).isEqualTo(key.publicKey());
    }

    @ParameterizedTest
    @CsvFileSource(resources = "/p2p/key-vectors.csv")
    void ed25519PeerIdInlinesTheKey(String privateHex, String publicHex) {
        PrivateKey key = PrivateKey.fromProtobuf(HEX.parseHex(privateHex));
        PeerId id = key.peerId();

        assertThat(id.toString()).startsWith("12D3KooW");
        assertThat(HEX.formatHex(id.bytes())).isEqualTo("0024" + publicHex);
        assertThat(id.publicKey()).contains(key.publicKey());
        assertThat(PeerId.parse(id.toString())).isEqualTo(id);
    }

    @ParameterizedTest
    @CsvFileSource(resources = "/p2p/peer-id-strings.csv")
    void parsesTheSpecPeerIdStrings(String text, int code, boolean inline) {
        PeerId id = PeerId.parse(text);

        assertThat(id.bytes()[0] & 0xff).isEqualTo(code);
        assertThat(id.publicKey().isPresent()).isEqualTo(inline);
        assertThat(id.toString()).isEqualTo(text);
    }

    @Test
    void signaturesVerifyOnlyForTheSignedMessageAndKey() {
        PrivateKey key = PrivateKey.generate();
        byte[] signature = key.sign("hello".getBytes());

        assertThat(key.publicKey().verify("hello".getBytes(), signature)).isTrue();
        assertThat(key.publicKey().verify("hellO".getBytes(), signature)).isFalse();
        assertThat(PrivateKey.generate().publicKey().verify("hello".getBytes(), signature)).isFalse();
        assertThat(key.publicKey().verify("hello".getBytes(), new byte[3])).isFalse();
    }

    @Test
    void rejectsTextThatIsNotAPeerId() {
        assertThatThrownBy(() -> PeerId.parse("12D3KooW0OIl")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PeerId.parse("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PeerId.parse("3mJr7AoUXx2Wqd")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void onlyTheCanonicalEncodingOfAKeyIsAKeySoOneKeyHasOnePeerId() {
        PublicKey key = PrivateKey.generate().publicKey();
        byte[] canonical = key.toProtobuf(); // 08 01 12 20 <32 bytes>
        byte[] data = java.util.Arrays.copyOfRange(canonical, 2, canonical.length);
        java.util.List<byte[]> others = java.util.List.of(
                concat(canonical, new byte[] {0x18, 0x01}), // an unknown field
                concat(canonical, new byte[] {0x08, 0x01}), // the type twice
                concat(data, new byte[] {0x08, 0x01}), // data before type
                concat(new byte[] {0x08, (byte) 0x81, 0x00}, data)); // the type as a longer varint

        for (byte[] other : others) {
            assertThatThrownBy(() -> PublicKey.fromProtobuf(other)).as(HEX.formatHex(other))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("canonical");
            PeerId alias = new PeerId(concat(new byte[] {0x00, (byte) other.length}, other));
            assertThat(alias).isNotEqualTo(key.peerId());
            assertThat(alias.publicKey()).as("an id that is not the key's own names no key").isEmpty();
        }
        assertThat(PublicKey.fromProtobuf(canonical)).isEqualTo(key);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
