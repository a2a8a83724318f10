package io.p2psync.messaging;

/**
 * The frames of {@code /p2p-sync/msg/1.0.0}. Each stream carries one request and one answer; the answer a
 * request gets is given here. An unknown type is refused as malformed.
 */
enum MessageType {
    /** A message for the answering device; answered {@link #ACK} (or {@link #REFUSED}). */
    CHAT_MESSAGE,
    /** A target's signed receipt: the answer to {@link #CHAT_MESSAGE}, or, as a request, a relay carrying it back. */
    ACK,
    /** Where is a device? Answered {@link #PEER_FOUND}. */
    PEER_QUERY,
    /** What the answering device knows of the asked one: addresses, whether it is connected to it. */
    PEER_FOUND,
    /** The sender's listen addresses and the devices it is connected to; answered with the answerer's own. */
    NETWORK_STATE,
    /** Hold this message for a target that is offline and hand it on when you meet it; answered {@link #STORED}. */
    STORE_MESSAGE,
    /** The answering device holds the message for its target. */
    STORED,
    /** A piece of a file at an offset, with the signed manifest and the piece's SHA-256; answered {@link #CHUNK_ACK}. */
    FILE_CHUNK,
    /** Where the receiver of a file stands: the next offset it wants, and whether the file is complete. */
    CHUNK_ACK,
    /**
     * A piece of a file for another device, which is offline, to hold and hand on (as FILE_CHUNK) when it meets
     * it; answered {@link #CHUNK_ACK}, {@code complete} once the holder has the whole file checked.
     */
    STORE_FILE_CHUNK,
    /**
     * A target's signed receipt of a whole file, carried back to the origin by the relay that handed the file
     * over; answered with the same frame (or {@link #REFUSED}).
     */
    FILE_RECEIPT,
    /** The request was not taken: a problem with a status and a reason, nothing was stored. */
    REFUSED
}
