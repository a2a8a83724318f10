package io.p2psync.p2p.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MessageSignerTest {

    private final PrivateKey key = PrivateKey.generate();
    private final MessageSigner signer = new MessageSigner(key);
    private final PubsubMessage signed = signer.sign("p2p-sync", "entry".getBytes(StandardCharsets.UTF_8), 7);

    @Test
    void signedMessageVerifies() {
        assertThat(MessageSigner.violation(signed)).isEmpty();
        assertThat(signed.from()).isEqualTo(key.peerId());
        assertThat(signed.seqno()).hasSize(8).containsExactly(0, 0, 0, 0, 0, 0, 0, 7);
        assertThat(signed.key()).as("an Ed25519 id inlines the key").isNull();
    }

    @Test
    void messageIdsAreTheAuthorThenTheSeqnoInGoAndJsForm() {
        byte[] peerId = key.peerId().bytes();
        byte[] protobufKey = key.publicKey().toProtobuf();

        assertThat(MessageIdFunction.FROM_AND_SEQNO.apply(signed).bytes())
                .hasSize(peerId.length + 8).startsWith(peerId).endsWith(signed.seqno());
        assertThat(MessageIdFunction.PUBLIC_KEY_AND_SEQNO.apply(signed).bytes())
                .hasSize(protobufKey.length + 8).startsWith(protobufKey).endsWith(signed.seqno());
        // an Ed25519 peer id is the identity multihash 0x00 0x24 over the protobuf key
        assertThat(protobufKey).isEqualTo(java.util.Arrays.copyOfRange(peerId, 2, peerId.length));
    }

    @Test
    void signatureIsOverThePrefixedEncodingWithoutSignatureAndKey() {
        byte[] body = RpcWire.toWire(new PubsubMessage(signed.from(), signed.seqno(), signed.topic(), signed.data(),
                null, null)).toByteArray();
        byte[] expected = new byte[MessageSigner.PREFIX.length + body.length];
        System.arraycopy(MessageSigner.PREFIX, 0, expected, 0, MessageSigner.PREFIX.length);
        System.arraycopy(body, 0, expected, MessageSigner.PREFIX.length, body.length);

        assertThat(key.publicKey().verify(expected, signed.signature())).isTrue();
        assertThat(new String(MessageSigner.PREFIX, StandardCharsets.US_ASCII)).isEqualTo("libp2p-pubsub:");
    }

    @Test
    void rejectsTamperedData() {
        PubsubMessage m = new PubsubMessage(signed.from(), signed.seqno(), signed.topic(),
                "other".getBytes(StandardCharsets.UTF_8), signed.signature(), null);
        assertThat(MessageSigner.violation(m)).contains("bad signature");
    }

    @Test
    void rejectsTamperedSeqno() {
        PubsubMessage m = new PubsubMessage(signed.from(), new byte[] {0, 0, 0, 0, 0, 0, 0, 8}, signed.topic(),
                signed.data(), signed.signature(), null);
        assertThat(MessageSigner.violation(m)).contains("bad signature");
    }

    @Test
    void rejectsTamperedTopic() {
        PubsubMessage m = new PubsubMessage(signed.from(), signed.seqno(), "elsewhere", signed.data(),
                signed.signature(), null);
        assertThat(MessageSigner.violation(m)).contains("bad signature");
    }

    @Test
    void rejectsAnotherAuthor() {
        PeerId other = PrivateKey.generate().peerId();
        PubsubMessage m = new PubsubMessage(other, signed.seqno(), signed.topic(), signed.data(),
                signed.signature(), null);
        assertThat(MessageSigner.violation(m)).contains("bad signature");
    }

    @Test
    void rejectsUnsignedMessage() {
        PubsubMessage m = new PubsubMessage(signed.from(), signed.seqno(), signed.topic(), signed.data(), null, null);
        assertThat(MessageSigner.violation(m)).contains("unsigned message");
    }

    @Test
    void rejectsMessageWithoutOriginStamp() {
        assertThat(MessageSigner.violation(new PubsubMessage(null, signed.seqno(), "t", new byte[0],
                signed.signature(), null))).contains("no 'from' field");
        assertThat(MessageSigner.violation(new PubsubMessage(signed.from(), null, "t", new byte[0],
                signed.signature(), null))).contains("no 'seqno' field");
    }

    @Test
    void rejectsSeqnoThatIsNotEightBytes() {
        PubsubMessage m = new PubsubMessage(signed.from(), new byte[] {7}, signed.topic(), signed.data(),
                signed.signature(), null);
        assertThat(MessageSigner.violation(m)).contains("seqno of 1 bytes, not 8");
    }

    @Test
    void acceptsTheAuthorsKeyWhenSentAlongAsJsDoes() {
        PubsubMessage m = new PubsubMessage(signed.from(), signed.seqno(), signed.topic(), signed.data(),
                signed.signature(), key.publicKey().toProtobuf());
        assertThat(MessageSigner.violation(m)).isEmpty();
    }

    @Test
    void rejectsAKeyThatIsNotTheAuthors() {
        PubsubMessage m = new PubsubMessage(signed.from(), signed.seqno(), signed.topic(), signed.data(),
                signed.signature(), PrivateKey.generate().publicKey().toProtobuf());
        assertThat(MessageSigner.violation(m)).contains("'key' does not belong to 'from'");
    }
}
