package io.p2psync.p2p.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.relay.pb.CircuitProto;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class VoucherTest {

    private final PrivateKey relay = PrivateKey.generate();
    private final Voucher voucher = new Voucher(relay.peerId(), PrivateKey.generate().peerId(),
            Instant.ofEpochSecond(1_800_000_000L));

    @Test
    void aSignedVoucherOpensToWhatWasSigned() {
        byte[] envelope = voucher.sign(relay);

        assertThat(Voucher.open(envelope)).isEqualTo(voucher);
        CircuitProto.Envelope wire = parse(envelope);
        assertThat(wire.getPayloadType().toByteArray()).containsExactly(0x03, 0x02);
        assertThat(wire.getPublicKey().toByteArray()).isEqualTo(relay.publicKey().toProtobuf());
    }

    @Test
    void refusesAVoucherWhosePayloadWasChanged() {
        CircuitProto.Envelope wire = parse(voucher.sign(relay));
        byte[] other = CircuitProto.ReservationVoucher.newBuilder()
                .setRelay(ByteString.copyFrom(relay.peerId().bytes()))
                .setPeer(ByteString.copyFrom(PrivateKey.generate().peerId().bytes()))
                .setExpiration(1_800_000_000L).build().toByteArray();
        byte[] tampered = wire.toBuilder().setPayload(ByteString.copyFrom(other)).build().toByteArray();

        assertThatThrownBy(() -> Voucher.open(tampered)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("signature");
    }

    @Test
    void refusesAVoucherSignedByAnotherKeyThanTheRelayItNames() {
        assertThatThrownBy(() -> voucher.sign(PrivateKey.generate())).isInstanceOf(IllegalArgumentException.class);
        CircuitProto.Envelope wire = parse(voucher.sign(relay));
        PrivateKey stranger = PrivateKey.generate();
        byte[] resigned = parse(new Voucher(stranger.peerId(), voucher.peer(), voucher.expiration()).sign(stranger))
                .toBuilder().setPayload(wire.getPayload()).build().toByteArray();

        assertThatThrownBy(() -> Voucher.open(resigned)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesGarbage() {
        assertThatThrownBy(() -> Voucher.open(new byte[] {(byte) 0xff, 1, 2})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Voucher.open(new byte[0])).isInstanceOf(IllegalArgumentException.class);
    }

    private static CircuitProto.Envelope parse(byte[] bytes) {
        try {
            return CircuitProto.Envelope.parseFrom(bytes);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }
}
