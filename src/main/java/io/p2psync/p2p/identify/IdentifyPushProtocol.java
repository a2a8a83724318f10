package io.p2psync.p2p.identify;

import io.netty.channel.Channel;
import io.netty.handler.codec.protobuf.ProtobufDecoder;
import io.netty.handler.codec.protobuf.ProtobufEncoder;
import io.netty.handler.codec.protobuf.ProtobufVarint32FrameDecoder;
import io.netty.handler.codec.protobuf.ProtobufVarint32LengthFieldPrepender;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.host.P2pStream;
import io.p2psync.p2p.host.ProtocolHandler;
import io.p2psync.p2p.identify.pb.IdentifyProto;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * {@code /ipfs/id/push/1.0.0}: the same message as identify, sent unasked by the side that opens the
 * stream when its information changes. On an outbound stream this node's information is written, then
 * the stream is half-closed; on an inbound stream the peer's message is read, checked against its peer id
 * like an identify answer, and handed to the listener.
 *
 * <p>A push may be partial: fields the peer left out arrive empty and mean "unchanged".
 */
public final class IdentifyPushProtocol implements ProtocolHandler {

    public static final String PROTOCOL_ID = "/ipfs/id/push/1.0.0";

    private final Supplier<IdentifyInfo> localInfo;
    private final BiConsumer<PeerId, IdentifyInfo> onPush;

    /**
     * @param localInfo this node's information, sent on each outbound push
     * @param onPush called on the stream's event loop with the pushing peer and what it sent
     */
    public IdentifyPushProtocol(Supplier<IdentifyInfo> localInfo, BiConsumer<PeerId, IdentifyInfo> onPush) {
        this.localInfo = localInfo;
        this.onPush = onPush;
    }

    @Override
    public List<String> protocolIds() {
        return List.of(PROTOCOL_ID);
    }

    @Override
    public void initStream(P2pStream stream) {
        Channel channel = stream.channel();
        if (stream.initiator()) {
            IdentifyInfo info = localInfo.get().withObservedAddr(ObservedAddress.of(channel));
            channel.pipeline().addLast(new ProtobufVarint32LengthFieldPrepender(), new ProtobufEncoder(),
                    new IdentifyResponder(info, IdentifyProtocol.TIMEOUT));
        } else {
            CompletableFuture<IdentifyInfo> pushed = new CompletableFuture<>();
            channel.pipeline().addLast(new InboundByteLimit(IdentifyProtocol.MAX_MESSAGE_BYTES), new ProtobufVarint32FrameDecoder(),
                    new ProtobufDecoder(IdentifyProto.Identify.getDefaultInstance()),
                    new IdentifyReader(stream.remotePeer(), pushed, IdentifyProtocol.TIMEOUT));
            pushed.thenAccept(info -> onPush.accept(stream.remotePeer(), info));
        }
    }
}
