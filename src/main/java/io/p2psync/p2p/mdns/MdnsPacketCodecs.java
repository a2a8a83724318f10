package io.p2psync.p2p.mdns;

import io.netty.buffer.ByteBuf;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsQueryEncoder;
import io.netty.handler.codec.dns.DatagramDnsResponseDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DnsQuery;
import io.netty.handler.codec.dns.DnsResponse;

/**
 * Netty's datagram DNS codecs, made to share one socket. Each of Netty's four takes any datagram or
 * addressed envelope and fails on the other kind (a query decoder on a response, a query encoder on an
 * already encoded packet); an mDNS socket carries queries and responses both ways. These versions accept
 * only their own kind and pass the rest along the pipeline.
 */
final class MdnsPacketCodecs {

    /** Byte 2 of the DNS header holds QR in its top bit (RFC 1035 §4.1.1). */
    private static final int FLAGS_BYTE = 2;
    private static final int QR_BIT = 0x80;

    private MdnsPacketCodecs() {
    }

    /** Decodes packets with QR=1 into {@code DatagramDnsResponse}. */
    static final class ResponseDecoder extends DatagramDnsResponseDecoder {
        @Override
        public boolean acceptInboundMessage(Object msg) throws Exception {
            return super.acceptInboundMessage(msg) && isResponse((DatagramPacket) msg);
        }
    }

    /** Decodes every other packet (including ones too short to say) into {@code DatagramDnsQuery}. */
    static final class QueryDecoder extends DatagramDnsQueryDecoder {
        @Override
        public boolean acceptInboundMessage(Object msg) throws Exception {
            return super.acceptInboundMessage(msg) && !isResponse((DatagramPacket) msg);
        }
    }

    /** Encodes addressed queries only. */
    static final class QueryEncoder extends DatagramDnsQueryEncoder {
        @Override
        public boolean acceptOutboundMessage(Object msg) throws Exception {
            return super.acceptOutboundMessage(msg) && ((AddressedEnvelope<?, ?>) msg).content() instanceof DnsQuery;
        }
    }

    /** Encodes addressed responses only. */
    static final class ResponseEncoder extends DatagramDnsResponseEncoder {
        @Override
        public boolean acceptOutboundMessage(Object msg) throws Exception {
            return super.acceptOutboundMessage(msg) && ((AddressedEnvelope<?, ?>) msg).content() instanceof DnsResponse;
        }
    }

    private static boolean isResponse(DatagramPacket packet) {
        ByteBuf buf = packet.content();
        return buf.readableBytes() > FLAGS_BYTE && (buf.getUnsignedByte(buf.readerIndex() + FLAGS_BYTE) & QR_BIT) != 0;
    }
}
