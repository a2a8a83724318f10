package io.p2psync.p2p.core;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * The multiaddr protocols this project understands, with their code from the multicodec table and the
 * shape of their value (multiaddr spec, "Binary format").
 */
public enum MultiaddrProtocol {
    IP4(4, "ip4", Value.IP4),
    TCP(6, "tcp", Value.PORT),
    UDP(273, "udp", Value.PORT),
    IP6(41, "ip6", Value.IP6),
    DNS(53, "dns", Value.HOST_NAME),
    DNS4(54, "dns4", Value.HOST_NAME),
    DNS6(55, "dns6", Value.HOST_NAME),
    P2P(421, "p2p", Value.PEER_ID),
    P2P_CIRCUIT(290, "p2p-circuit", Value.NONE),
    TLS(448, "tls", Value.NONE),
    QUIC_V1(461, "quic-v1", Value.NONE),
    WS(477, "ws", Value.NONE),
    WSS(478, "wss", Value.NONE),
    /** Plain HTTP on the preceding TCP port; p2p-sync announces its REST endpoint this way in identify. */
    HTTP(480, "http", Value.NONE);

    private final int code;
    private final String protocolName;
    private final Value value;

    MultiaddrProtocol(int code, String protocolName, Value value) {
        this.code = code;
        this.protocolName = protocolName;
        this.value = value;
    }

    public int code() {
        return code;
    }

    public String protocolName() {
        return protocolName;
    }

    /** True if the protocol carries a value ({@code /tcp/4001}), false for a bare name ({@code /ws}). */
    public boolean hasValue() {
        return value != Value.NONE;
    }

    /** @throws MultiaddrException for a name no entry has; {@code ipfs} is the old name of {@code p2p} */
    public static MultiaddrProtocol byName(String name) {
        if (name.equals("ipfs")) {
            return P2P;
        }
        return Arrays.stream(values()).filter(p -> p.protocolName.equals(name)).findFirst()
                .orElseThrow(() -> new MultiaddrException("unknown multiaddr protocol /" + name));
    }

    /** @throws MultiaddrException for a code no entry has */
    public static MultiaddrProtocol byCode(long code) {
        return Arrays.stream(values()).filter(p -> p.code == code).findFirst()
                .orElseThrow(() -> new MultiaddrException("unknown multiaddr protocol code " + code));
    }

    /** Checks a textual value and returns it in canonical form. */
    String canonicalText(String text) {
        return value.toText(value.toBytes(text, this));
    }

    /** Writes the binary value (with its length prefix where the protocol has one) of a textual value. */
    void writeValue(String text, ByteArrayOutputStream out) {
        byte[] bytes = value.toBytes(text, this);
        if (value.size < 0) {
            UnsignedVarint.write(bytes.length, out);
        }
        out.write(bytes, 0, bytes.length);
    }

    /** Reads the binary value that follows this protocol's code and returns its text form. */
    String readValue(ByteBuffer in) {
        int size = value.size;
        if (size < 0) {
            long length = UnsignedVarint.read(in);
            if (length > in.remaining()) {
                throw new MultiaddrException("/" + protocolName + " value of " + length + " bytes is truncated");
            }
            size = (int) length;
        }
        if (size > in.remaining()) {
            throw new MultiaddrException("/" + protocolName + " value is truncated");
        }
        byte[] bytes = new byte[size];
        in.get(bytes);
        return value.toText(bytes);
    }

    private enum Value {
        NONE(0),
        IP4(4),
        IP6(16),
        PORT(2),
        HOST_NAME(-1),
        PEER_ID(-1);

        /** Bytes of the value, or -1 when a varint length precedes it. */
        private final int size;

        Value(int size) {
            this.size = size;
        }

        byte[] toBytes(String text, MultiaddrProtocol protocol) {
            return switch (this) {
                case NONE -> new byte[0];
                case IP4 -> IpLiterals.parseIp4(text);
                case IP6 -> IpLiterals.parseIp6(text);
                case PORT -> {
                    int port = parsePort(text);
                    yield new byte[] {(byte) (port >> 8), (byte) port};
                }
                case HOST_NAME -> {
                    if (text.isEmpty() || text.indexOf('/') >= 0) {
                        throw new MultiaddrException("bad /" + protocol.protocolName + " host name '" + text + "'");
                    }
                    yield text.getBytes(StandardCharsets.UTF_8);
                }
                case PEER_ID -> {
                    try {
                        yield PeerId.parse(text).bytes();
                    } catch (IllegalArgumentException e) {
                        throw new MultiaddrException("bad /p2p peer id '" + text + "'", e);
                    }
                }
            };
        }

        String toText(byte[] bytes) {
            return switch (this) {
                case NONE -> "";
                case IP4 -> IpLiterals.formatIp4(bytes);
                case IP6 -> IpLiterals.formatIp6(bytes);
                case PORT -> Integer.toString(((bytes[0] & 0xFF) << 8) | (bytes[1] & 0xFF));
                case HOST_NAME -> {
                    String name = new String(bytes, StandardCharsets.UTF_8);
                    if (name.isEmpty() || name.indexOf('/') >= 0) {
                        throw new MultiaddrException("bad host name in binary multiaddr");
                    }
                    yield name;
                }
                case PEER_ID -> {
                    try {
                        yield new PeerId(bytes).toString();
                    } catch (IllegalArgumentException e) {
                        throw new MultiaddrException("bad /p2p multihash", e);
                    }
                }
            };
        }

        private static int parsePort(String text) {
            Optional<Integer> port = text.matches("\\d{1,5}") ? Optional.of(Integer.parseInt(text)) : Optional.empty();
            return port.filter(p -> p <= 65535)
                    .orElseThrow(() -> new MultiaddrException("bad port '" + text + "'"));
        }
    }
}
