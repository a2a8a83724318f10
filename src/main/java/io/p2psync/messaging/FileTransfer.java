package io.p2psync.messaging;

import java.time.Instant;

/**
 * A file transfer as {@code GET /files/{id}} shows it.
 *
 * @param direction {@code out} (sent from here) or {@code in} (received here)
 * @param status sender: PENDING, SENDING, INTERRUPTED (waits for the target, resumes where it stopped),
 *     COMPLETE; receiver: RECEIVING, COMPLETE, FAILED (the whole did not match its SHA-256)
 * @param bytesDone bytes the target confirmed (sender) or wrote (receiver)
 * @param bytesPerSecond the rate of the current (or last) session: bytes since it began over its time; 0 before
 * @param resumedFrom where the current (or last) session began: 0 for a transfer never cut
 * @param file where the file is: the sender's copy, or where the receiver put it (under the data dir)
 */
public record FileTransfer(String id, String direction, String from, String to, String name, long size,
                           String sha256, String status, long bytesDone, long bytesPerSecond, long resumedFrom,
                           Instant createdAt, Instant updatedAt, Instant finishedAt, String file, String error) {
}
