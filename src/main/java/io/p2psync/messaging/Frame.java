package io.p2psync.messaging;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.p2psync.p2p.core.PeerId;
import java.util.Base64;
import java.util.List;

/**
 * One frame of {@code /p2p-sync/msg/1.0.0} as JSON: a format version, a {@link MessageType} and the one body
 * that type carries. Wire records stay here; the rest of the feature sees {@link SignedMessage} and {@link Ack}.
 *
 * @param v the format version, {@value #VERSION}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record Frame(int v, MessageType type, WireMessage message, WireAck ack, String target, PeerFound found,
             NetworkState state, Refusal refusal, WireChunk chunk, ChunkAck next, WireReceipt receipt) {

    Frame(int v, MessageType type, WireMessage message, WireAck ack, String target, PeerFound found,
          NetworkState state, Refusal refusal) {
        this(v, type, message, ack, target, found, state, refusal, null, null, null);
    }

    Frame(int v, MessageType type, WireMessage message, WireAck ack, String target, PeerFound found,
          NetworkState state, Refusal refusal, WireChunk chunk, ChunkAck next) {
        this(v, type, message, ack, target, found, state, refusal, chunk, next, null);
    }

    static final int VERSION = 1;

    /** A message's fields as strings; the signature in base64. */
    record WireMessage(String id, String from, String to, long createdAt, String content, String signature) {
        static WireMessage of(SignedMessage m) {
            return new WireMessage(m.id(), m.from().toString(), m.to().toString(), m.createdAt(), m.content(),
                    Base64.getEncoder().encodeToString(m.signature()));
        }

        /** @throws IllegalArgumentException if a field is missing or malformed */
        SignedMessage toDomain() {
            if (from == null || to == null || signature == null) {
                throw new IllegalArgumentException("a message carries from, to and signature");
            }
            return new SignedMessage(id, PeerId.parse(from), PeerId.parse(to), createdAt, content,
                    Base64.getDecoder().decode(signature));
        }
    }

    record WireAck(String id, String from, String to, long receivedAt, String signature) {
        static WireAck of(Ack a) {
            return new WireAck(a.id(), a.from().toString(), a.to().toString(), a.receivedAt(),
                    Base64.getEncoder().encodeToString(a.signature()));
        }

        Ack toDomain() {
            if (from == null || to == null || signature == null) {
                throw new IllegalArgumentException("an ack carries from, to and signature");
            }
            return new Ack(id, PeerId.parse(from), PeerId.parse(to), receivedAt, Base64.getDecoder().decode(signature));
        }
    }

    /**
     * @param target the asked device
     * @param addresses its last known libp2p addresses (without {@code /p2p/}), newest first; empty if none
     * @param connected whether the answering device is connected to it now
     * @param canRelay whether the answering device will hold a message for it ({@code STORE_MESSAGE})
     * @param reachers the answering device's connected devices that said (NETWORK_STATE) they are connected to
     *     the target, each with the addresses it can be dialled at; empty if none (absent on the wire = empty)
     */
    record PeerFound(String target, List<String> addresses, boolean connected, boolean canRelay,
                     List<Reacher> reachers) {
        PeerFound {
            addresses = addresses == null ? List.of() : List.copyOf(addresses);
            reachers = reachers == null ? List.of() : List.copyOf(reachers.subList(0, Math.min(reachers.size(), MAX_REACHERS)));
        }

        PeerFound(String target, List<String> addresses, boolean connected, boolean canRelay) {
            this(target, addresses, connected, canRelay, List.of());
        }
    }

    /** Reachers one PEER_FOUND names at most; more are cut. */
    static final int MAX_REACHERS = 8;

    /**
     * A device connected to the asked target, as its neighbour last reported it.
     *
     * @param device its device id
     * @param addresses its libp2p addresses (without {@code /p2p/}), newest first; empty if unknown
     */
    record Reacher(String device, List<String> addresses) {
        Reacher {
            addresses = addresses == null ? List.of() : List.copyOf(addresses);
        }
    }

    /**
     * @param listenAddrs the sender's own libp2p listen addresses (without {@code /p2p/})
     * @param connected the authorized devices the sender is connected to now
     */
    record NetworkState(List<String> listenAddrs, List<String> connected) {
        NetworkState {
            listenAddrs = listenAddrs == null ? List.of() : List.copyOf(listenAddrs);
            connected = connected == null ? List.of() : List.copyOf(connected);
        }
    }

    /** A file's signed manifest as strings; the signature in base64. */
    record WireManifest(String id, String from, String to, String name, long size, String sha256, int chunkSize,
                        String signature) {
        static WireManifest of(FileManifest m) {
            return new WireManifest(m.id(), m.from().toString(), m.to().toString(), m.name(), m.size(), m.sha256(),
                    m.chunkSize(), Base64.getEncoder().encodeToString(m.signature()));
        }

        FileManifest toDomain() {
            if (from == null || to == null || signature == null) {
                throw new IllegalArgumentException("a file manifest carries from, to and signature");
            }
            return new FileManifest(id, PeerId.parse(from), PeerId.parse(to), name, size, sha256, chunkSize,
                    Base64.getDecoder().decode(signature));
        }
    }

    /**
     * @param offset where {@code data} starts in the file
     * @param data the bytes, base64
     * @param sha256 lowercase hex SHA-256 of the decoded bytes
     */
    record WireChunk(WireManifest manifest, long offset, String data, String sha256) {
    }

    /**
     * @param id the transfer
     * @param next the offset the receiver wants next (all before it is written)
     * @param complete whether the whole file is there and matched its SHA-256 (at the target, or at a relay
     *     that holds it)
     * @param receipt the target's signed receipt, when the target has the whole file; absent otherwise and
     *     from a relay
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ChunkAck(String id, long next, boolean complete, WireReceipt receipt) {
        ChunkAck(String id, long next, boolean complete) {
            this(id, next, complete, null);
        }
    }

    /** A {@link FileReceipt} as strings; the signature in base64. */
    record WireReceipt(String id, String from, String to, String sha256, long receivedAt, String signature) {
        static WireReceipt of(FileReceipt r) {
            return new WireReceipt(r.id(), r.from().toString(), r.to().toString(), r.sha256(), r.receivedAt(),
                    Base64.getEncoder().encodeToString(r.signature()));
        }

        /** @throws IllegalArgumentException if a field is missing or malformed */
        FileReceipt toDomain() {
            if (from == null || to == null || signature == null) {
                throw new IllegalArgumentException("a file receipt carries from, to and signature");
            }
            return new FileReceipt(id, PeerId.parse(from), PeerId.parse(to), sha256, receivedAt,
                    Base64.getDecoder().decode(signature));
        }
    }

    /** Why a request was not taken: an HTTP-like status, a reason code, and words for people. */
    record Refusal(int status, String reason, String detail) {

        /**
         * True if the refusal is for good: the request is malformed (400), not from a trusted device (401), about
         * something unknown there (404) or not for that device (421). Anything else (starting, busy, an internal
         * error, a rate limit, an authorization that may change) may pass on a later try.
         */
        boolean isFinal() {
            return status == 400 || status == 401 || status == 404 || status == 421;
        }

    }

    static Frame chat(SignedMessage m) {
        return new Frame(VERSION, MessageType.CHAT_MESSAGE, WireMessage.of(m), null, null, null, null, null);
    }

    static Frame store(SignedMessage m) {
        return new Frame(VERSION, MessageType.STORE_MESSAGE, WireMessage.of(m), null, null, null, null, null);
    }

    static Frame ack(Ack a) {
        return new Frame(VERSION, MessageType.ACK, null, WireAck.of(a), null, null, null, null);
    }

    static Frame stored(String id) {
        return new Frame(VERSION, MessageType.STORED, null, null, id, null, null, null);
    }

    static Frame query(PeerId target) {
        return new Frame(VERSION, MessageType.PEER_QUERY, null, null, target.toString(), null, null, null);
    }

    static Frame found(PeerFound found) {
        return new Frame(VERSION, MessageType.PEER_FOUND, null, null, null, found, null, null);
    }

    static Frame state(NetworkState state) {
        return new Frame(VERSION, MessageType.NETWORK_STATE, null, null, null, null, state, null);
    }

    static Frame chunk(WireChunk chunk) {
        return new Frame(VERSION, MessageType.FILE_CHUNK, null, null, null, null, null, null, chunk, null);
    }

    static Frame storeChunk(WireChunk chunk) {
        return new Frame(VERSION, MessageType.STORE_FILE_CHUNK, null, null, null, null, null, null, chunk, null);
    }

    static Frame receipt(FileReceipt receipt) {
        return new Frame(VERSION, MessageType.FILE_RECEIPT, null, null, null, null, null, null, null, null,
                WireReceipt.of(receipt));
    }

    static Frame chunkAck(ChunkAck next) {
        return new Frame(VERSION, MessageType.CHUNK_ACK, null, null, null, null, null, null, null, next);
    }

    static Frame refused(int status, String reason, String detail) {
        return new Frame(VERSION, MessageType.REFUSED, null, null, null, null, null, new Refusal(status, reason, detail));
    }

    /** @throws IllegalArgumentException unless the version is known and the type's body is present */
    Frame checked() {
        if (v != VERSION) {
            throw new IllegalArgumentException("unknown frame version " + v);
        }
        if (type == null) {
            throw new IllegalArgumentException("a frame has a type");
        }
        boolean ok = switch (type) {
            case CHAT_MESSAGE, STORE_MESSAGE -> message != null;
            case ACK -> ack != null;
            case PEER_QUERY, STORED -> target != null;
            case PEER_FOUND -> found != null;
            case NETWORK_STATE -> state != null;
            case REFUSED -> refusal != null;
            case FILE_CHUNK, STORE_FILE_CHUNK -> chunk != null && chunk.manifest() != null && chunk.data() != null && chunk.sha256() != null;
            case CHUNK_ACK -> next != null;
            case FILE_RECEIPT -> receipt != null;
        };
        if (!ok) {
            throw new IllegalArgumentException("a " + type + " frame lacks its body");
        }
        return this;
    }
}
