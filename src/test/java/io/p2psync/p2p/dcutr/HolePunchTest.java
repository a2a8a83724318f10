package io.p2psync.p2p.dcutr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.p2psync.p2p.core.Multiaddr;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class HolePunchTest {

    @Test
    void roundTripsConnectAndSyncWithTheSpecsWireCodes() {
        HolePunch connect = HolePunch.connect(List.of(Multiaddr.parse("/ip4/198.51.100.2/tcp/40000")));
        assertThat(HolePunch.fromWire(connect.toWire())).isEqualTo(connect);
        // type 1 = 300 (SYNC), no addresses
        assertThat(HexFormat.of().formatHex(HolePunch.sync().toWire())).isEqualTo("08ac02");
        // type 1 = 100 (CONNECT), then field 2 with the binary multiaddr: /ip4 (04) 198.51.100.2, /tcp (06) 40000
        assertThat(HexFormat.of().formatHex(connect.toWire())).isEqualTo("0864120804c63364" + "02069c40");
    }

    @Test
    void leavesOutAnAddressItCannotReadAndKeepsTheOthers() {
        byte[] good = Multiaddr.parse("/ip4/198.51.100.2/tcp/40000").toBytes();
        byte[] wire = io.p2psync.p2p.dcutr.pb.DcutrProto.HolePunch.newBuilder()
                .setType(io.p2psync.p2p.dcutr.pb.DcutrProto.HolePunch.Type.CONNECT)
                .addObsAddrs(com.google.protobuf.ByteString.copyFrom(new byte[] {(byte) 0xff, 0x7f}))
                .addObsAddrs(com.google.protobuf.ByteString.copyFrom(good)).build().toByteArray();

        assertThat(HolePunch.fromWire(wire).addresses()).containsExactly(Multiaddr.parse("/ip4/198.51.100.2/tcp/40000"));
    }

    @Test
    void refusesAMessageWithoutAKnownType() {
        assertThatThrownBy(() -> HolePunch.fromWire(new byte[] {0x08, (byte) 0xc8, 0x01})) // type 200
                .isInstanceOf(DcutrException.class);
        assertThatThrownBy(() -> HolePunch.fromWire(new byte[0])).isInstanceOf(DcutrException.class);
    }

    @Test
    void readsFramedMessagesSplitAcrossReadsAndReleasesEveryBuffer() throws Exception {
        EmbeddedChannel channel = new EmbeddedChannel();
        HolePunchStream stream = HolePunchStream.on(channel);
        CompletableFuture<HolePunch> first = stream.next();
        channel.runPendingTasks();
        ByteBuf in = Unpooled.wrappedBuffer(HexFormat.of().parseHex("0308ac02" + "0308ac02"));
        channel.writeInbound(in.retainedSlice(0, 2));
        channel.writeInbound(in.retainedSlice(2, 6));
        in.release();

        assertThat(first.get()).isEqualTo(HolePunch.sync());
        CompletableFuture<HolePunch> second = stream.next();
        channel.runPendingTasks();
        assertThat(second.get()).isEqualTo(HolePunch.sync());
        assertThat(in.refCnt()).isZero();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void failsTheReaderAndClosesTheStreamOnAnOversizedMessage() {
        EmbeddedChannel channel = new EmbeddedChannel();
        HolePunchStream stream = HolePunchStream.on(channel);
        CompletableFuture<HolePunch> next = stream.next();
        channel.runPendingTasks();
        ByteBuf in = Unpooled.wrappedBuffer(HexFormat.of().parseHex("812001")); // a length of 4097

        channel.writeInbound(in);

        assertThat(next).isCompletedExceptionally();
        assertThat(channel.isActive()).isFalse();
        assertThat(in.refCnt()).isZero();
    }
}
