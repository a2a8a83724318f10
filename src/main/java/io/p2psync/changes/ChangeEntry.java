package io.p2psync.changes;

import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.VerifyingKeys;
import java.util.Base64;
import java.util.HexFormat;

/**
 * One sealed change log entry, exactly as stored in {@code sync_log} and sent between devices. Immutable
 * and self-certifying: {@code hash} is the SHA-256 of the canonical encoding of every other field
 * (see {@link CanonicalEncoding}, docs/storage.md) and chains to the origin's previous entry, and the entry
 * that ends a group carries {@code signature}, the origin's Ed25519 signature over its 32 raw hash bytes. The
 * chain makes that one signature cover every earlier entry of the origin, so a group is signed once
 * (docs/storage.md, "Group signatures"): anyone can check a group with the key inside the origin's peer id.
 *
 * <p>The compact constructor checks the shape only; {@link #hashValid()} and {@link #signatureValid()}
 * check the content, and the chain ({@code prevHash}) is checked against the previous entry by the log.
 *
 * @param origin         device id (peer id) of the device that made the change
 * @param version        per-origin sequence number, from 1 without gaps
 * @param hlc            hybrid logical clock of the origin when it made the change
 * @param timestamp      origin wall clock, ms since the epoch
 * @param table          tracked table name
 * @param recordId       primary key as text; composite keys as a JSON array
 * @param operation      INSERT, UPDATE or DELETE
 * @param kind           EDIT or RESOLUTION
 * @param data           the row as a JSON object; null exactly for DELETE
 * @param changedColumns JSON array of changed columns, or null for all/unknown
 * @param base           the row's version vector that this change replaced ({@link VersionVector#EMPTY} for a new row)
 * @param prevHash       hash of the origin's entry {@code version - 1}; null exactly for version 1
 * @param hash           lowercase hex SHA-256 (64 characters)
 * @param signature      base64 Ed25519 signature over the raw hash bytes; present exactly on an entry that ends
 *                       its group (null on one whose group continues: the group's last entry signs for it; a
 *                       signature that an older build put there is kept but never needed)
 * @param continues      true if the origin's next entry belongs to the same group: the changes of one seal,
 *                       which hold whole app transactions, end at an entry with {@code continues} false, and a
 *                       receiver puts a group on its rows only once it has that last entry (docs/storage.md,
 *                       "Groups")
 */
public record ChangeEntry(
        String origin,
        long version,
        long hlc,
        long timestamp,
        String table,
        String recordId,
        Operation operation,
        Kind kind,
        String data,
        String changedColumns,
        VersionVector base,
        String prevHash,
        String hash,
        String signature,
        boolean continues) {

    /** The changedColumns of an entry that changes nothing: it only ends its group (see {@link #changesNothing}). */
    public static final String NO_COLUMNS = "[]";

    /** An entry that ends its group ({@code continues} false), as every entry made before groups existed. */
    public ChangeEntry(String origin, long version, long hlc, long timestamp, String table, String recordId,
            Operation operation, Kind kind, String data, String changedColumns, VersionVector base, String prevHash,
            String hash, String signature) {
        this(origin, version, hlc, timestamp, table, recordId, operation, kind, data, changedColumns, base, prevHash,
                hash, signature, false);
    }

    public ChangeEntry {
        if (origin == null || origin.isBlank()) {
            throw new IllegalArgumentException("origin must not be blank");
        }
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1, was " + version);
        }
        if (hlc < 0 || timestamp < 0) {
            throw new IllegalArgumentException("hlc and timestamp must not be negative");
        }
        if (base == null) {
            base = VersionVector.EMPTY;
        }
        if (kind == null) {
            kind = Kind.EDIT;
        }
        new RowChange(table, recordId, operation, kind, data, changedColumns); // validates the content
        if ((version == 1) != (prevHash == null)) {
            throw new IllegalArgumentException("prevHash must be null for version 1 and only for version 1");
        }
        if (prevHash != null && !isHash(prevHash)) {
            throw new IllegalArgumentException("prevHash is not 64 lowercase hex characters");
        }
        if (!isHash(hash)) {
            throw new IllegalArgumentException("hash is not 64 lowercase hex characters");
        }
        if (signature != null && signature.isBlank()) {
            signature = null;
        }
        if (signature == null && !continues) {
            throw new IllegalArgumentException("signature must not be blank on an entry that ends its group");
        }
    }

    /**
     * Seals a change made by {@code signer} that ends its group: computes the hash and signs it.
     *
     * @param prevHash hash of the signer's entry {@code version - 1}, null for version 1
     */
    public static ChangeEntry seal(DeviceIdentity signer, long version, long hlc, long timestamp, RowChange change,
            VersionVector base, String prevHash) {
        return seal(signer, version, hlc, timestamp, change, base, prevHash, false);
    }

    /**
     * As above; {@code continues} true if the signer's next entry belongs to the same group, and then the entry
     * is not signed (the group's last entry signs for it).
     */
    public static ChangeEntry seal(DeviceIdentity signer, long version, long hlc, long timestamp, RowChange change,
            VersionVector base, String prevHash, boolean continues) {
        return seal(signer, signer.deviceId().toString(), version, hlc, timestamp, change, base, prevHash, continues);
    }

    /**
     * As above, with the signer's device id text already at hand (it costs a base58 encoding).
     *
     * @param continues true if the next entry belongs to the same group
     */
    static ChangeEntry seal(DeviceIdentity signer, String origin, long version, long hlc, long timestamp,
            RowChange change, VersionVector base, String prevHash, boolean continues) {
        byte[] digest = CanonicalEncoding.digest(origin, version, hlc, timestamp, change, base, prevHash, continues);
        return new ChangeEntry(origin, version, hlc, timestamp, change.table(), change.recordId(), change.operation(),
                change.kind(), change.data(), change.changedColumns(), base, prevHash, CanonicalEncoding.hex(digest),
                continues ? null : Base64.getEncoder().encodeToString(signer.sign(digest)), continues);
    }

    /**
     * From the origin, version and hash alone: the hash covers every other field, so entries that are equal
     * have equal hash codes. A record's own hash code goes through every field (the row's data, the base
     * vector's map) on every call, which made maps keyed by entries a tenth of an initial sync's applying.
     */
    @Override
    public int hashCode() {
        return (origin.hashCode() * 31 + Long.hashCode(version)) * 31 + hash.hashCode();
    }

    /** The content of the change. */
    public RowChange change() {
        return new RowChange(table, recordId, operation, kind, data, changedColumns);
    }

    /** The row version this entry creates: its base plus its own (origin, version). */
    public VersionVector vector() {
        return base.with(origin, version);
    }

    /** The hash the fields actually give; equal to {@link #hash()} for an intact entry. */
    public String computeHash() {
        return CanonicalEncoding.hex(CanonicalEncoding.digest(origin, version, hlc, timestamp, change(), base, prevHash,
                continues));
    }

    /**
     * True for an entry whose changedColumns is the empty array: it changes no column of its row. The sealer
     * makes one only to end a group whose last changes turned out to change nothing; no device writes its row
     * or changes the row's state for it.
     */
    public boolean changesNothing() {
        return operation != Operation.INSERT && NO_COLUMNS.equals(changedColumns);
    }

    public boolean hashValid() {
        return hash.equals(computeHash());
    }

    /** True if {@link #signature()} is present and is the origin's signature over {@link #hash()}. */
    public boolean signatureValid() {
        if (signature == null) {
            return false;
        }
        byte[] sig;
        try {
            sig = Base64.getDecoder().decode(signature);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return VerifyingKeys.verify(origin, HexFormat.of().parseHex(hash), sig);
    }

    private static boolean isHash(String s) {
        if (s == null || s.length() != 64) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }
}
