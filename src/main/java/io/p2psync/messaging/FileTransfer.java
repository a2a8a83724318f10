package io.p2psync.messaging;

import java.time.Instant;

/**
 * A file transfer as {@code GET /files/{id}} shows it.
 *
 * @param direction {@code out} (sent from here) or {@code in} (received here)
 * @param status sender: PENDING, SENDING, INTERRUPTED (waits for the target, resumes where it stopped),
 *     STORED (held by relays for the offline target, still sent directly when it is reachable), COMPLETE (the
 *     target has it whole); receiver: RECEIVING, COMPLETE, FAILED (the whole did not match its SHA-256)
 * @param bytesDone bytes the target confirmed (sender) or wrote (receiver)
 * @param bytesPerSecond the rate of the current (or last) session: bytes since it began over its time; 0 before
 * @param resumedFrom where the current (or last) session began: 0 for a transfer never cut
 * @param file where the file is: the sender's copy, or where the receiver put it (under the data dir)
 * @param via sender: the devices holding the file for the target ({@code STORED}), or the one whose hand-over
 *     reached it ({@code COMPLETE} through store and forward), null when it went directly; receiver: the device
 *     that handed it over when it was not the origin
 * @param receivedAt when the target had the whole file, as its signed receipt says; null before
 */
public record FileTransfer(String id, String direction, String from, String to, String name, long size,
                           String sha256, String status, long bytesDone, long bytesPerSecond, long resumedFrom,
                           Instant createdAt, Instant updatedAt, Instant finishedAt, String file, String error, String via, Instant receivedAt) {
}
