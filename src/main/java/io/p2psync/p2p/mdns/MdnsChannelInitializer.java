package io.p2psync.p2p.mdns;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import java.util.function.Supplier;

/** The mDNS socket's pipeline: datagrams to DNS messages and back, then a fresh {@link MdnsHandler}. */
final class MdnsChannelInitializer extends ChannelInitializer<Channel> {

    private final Supplier<MdnsHandler> handlers;

    /** @param handlers makes the handler of each channel; it holds that channel's state */
    MdnsChannelInitializer(Supplier<MdnsHandler> handlers) {
        this.handlers = handlers;
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.pipeline().addLast(
                new MdnsPacketCodecs.ResponseDecoder(),
                new MdnsPacketCodecs.QueryDecoder(),
                new MdnsPacketCodecs.QueryEncoder(),
                new MdnsPacketCodecs.ResponseEncoder(),
                handlers.get());
    }
}
