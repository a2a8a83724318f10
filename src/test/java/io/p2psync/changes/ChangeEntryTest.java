package io.p2psync.changes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PrivateKey;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class ChangeEntryTest {

    private static final DeviceIdentity ALICE = new DeviceIdentity(PrivateKey.fromSeed(new byte[32]));
    private static final DeviceIdentity BOB = new DeviceIdentity(PrivateKey.fromSeed(filled(1)));

    private static final RowChange PUT = new RowChange("sync_kv", "k", Operation.INSERT, Kind.EDIT,
            "{\"key\":\"k\",\"value\":\"v\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"deleted_at\":null}", null);

    private static byte[] filled(int b) {
        byte[] a = new byte[32];
        java.util.Arrays.fill(a, (byte) b);
        return a;
    }

    @Test
    void sealsAnEntryThatVerifies() {
        ChangeEntry e = ChangeEntry.seal(ALICE, 1, 42, 1000, PUT, VersionVector.EMPTY, null);
        assertThat(e.origin()).isEqualTo(ALICE.deviceId().toString());
        assertThat(e.hash()).hasSize(64).isEqualTo(e.computeHash());
        assertThat(e.hashValid()).isTrue();
        assertThat(e.signatureValid()).isTrue();
        assertThat(e.vector()).isEqualTo(VersionVector.of(Map.of(e.origin(), 1L)));
    }

    @Test
    void equalEntriesHaveEqualHashCodesAndDifferentOnesAreApartAsKeys() {
        ChangeEntry e = ChangeEntry.seal(ALICE, 1, 42, 1000, PUT, VersionVector.EMPTY, null);
        ChangeEntry same = new ChangeEntry(e.origin(), e.version(), e.hlc(), e.timestamp(), e.table(), e.recordId(),
                e.operation(), e.kind(), e.data(), e.changedColumns(), e.base(), e.prevHash(), e.hash(), e.signature());
        ChangeEntry other = ChangeEntry.seal(ALICE, 2, 43, 1001, PUT, VersionVector.EMPTY, e.hash());
        ChangeEntry forged = new ChangeEntry(e.origin(), e.version(), e.hlc(), e.timestamp(), e.table(), e.recordId(),
                e.operation(), e.kind(), "{\"key\":\"k\",\"value\":\"forged\"}", null, e.base(), null, e.hash(),
                e.signature());
        assertThat(same).isEqualTo(e).hasSameHashCodeAs(e);
        assertThat(forged).as("same hash, other content: equal hash codes, yet not equal").isNotEqualTo(e);
        Map<ChangeEntry, String> keys = new java.util.HashMap<>(Map.of(e, "e", other, "other", forged, "forged"));
        assertThat(keys.get(same)).isEqualTo("e");
        assertThat(keys).hasSize(3);
    }

    @Test
    void hashesTheDocumentedCanonicalEncoding() {
        // Encoding from docs/storage.md written out by hand for a small entry.
        RowChange del = new RowChange("t", "1", Operation.DELETE, Kind.EDIT, null, null);
        VersionVector base = VersionVector.of(Map.of("X", 2L));
        ChangeEntry e = ChangeEntry.seal(ALICE, 1, 5, 6, del, base, null);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (String f : new String[] {e.origin(), "1", "5", "6", "t", "1", "DELETE", "EDIT", null, null, "{\"X\":2}", null}) {
            byte[] b = f == null ? null : f.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            int len = b == null ? -1 : b.length;
            out.writeBytes(new byte[] {(byte) (len >>> 24), (byte) (len >>> 16), (byte) (len >>> 8), (byte) len});
            if (b != null) {
                out.writeBytes(b);
            }
        }
        assertThat(CanonicalEncoding.encode(e.origin(), 1, 5, 6, del, base, null, false)).isEqualTo(out.toByteArray());
        assertThat(e.hash()).isEqualTo(HexFormat.of().formatHex(sha256(out.toByteArray())));
    }

    /** The digest is fed field by field with a digest kept per thread: it must be the hash of the encoding. */
    @Test
    void theDigestIsTheSha256OfTheEncoding() {
        VersionVector base = VersionVector.of(Map.of("X", 2L, "Y", 7L));
        RowChange[] changes = {PUT, new RowChange("t", "[\"é\\u0000✓\"]", Operation.UPDATE, Kind.RESOLUTION,
                "{\"a\":\"\uD83D\uDE00\"}", "[\"a\"]"), new RowChange("t", "[1]", Operation.DELETE, Kind.EDIT, null, null)};
        String prev = "ab".repeat(32);
        for (RowChange c : changes) {
            for (boolean continues : new boolean[] {false, true}) {
                for (String p : new String[] {null, prev}) {
                    assertThat(CanonicalEncoding.digest("o", 3, 4, 5, c, base, p, continues))
                            .isEqualTo(sha256(CanonicalEncoding.encode("o", 3, 4, 5, c, base, p, continues)));
                }
            }
        }
    }

    @Test
    void anEntryWhoseGroupContinuesHasAThirteenthFieldAndTheOthersHashAsBefore() {
        RowChange del = new RowChange("t", "1", Operation.DELETE, Kind.EDIT, null, null);
        VersionVector base = VersionVector.of(Map.of("X", 2L));
        ChangeEntry ends = ChangeEntry.seal(ALICE, 1, 5, 6, del, base, null);
        ChangeEntry continues = ChangeEntry.seal(ALICE, 1, 5, 6, del, base, null, true);
        assertThat(ends.continues()).isFalse();
        assertThat(ChangeEntry.seal(ALICE, 1, 5, 6, del, base, null, false)).isEqualTo(ends);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (String f : new String[] {continues.origin(), "1", "5", "6", "t", "1", "DELETE", "EDIT", null, null,
                "{\"X\":2}", null, "continues"}) {
            byte[] b = f == null ? null : f.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            int len = b == null ? -1 : b.length;
            out.writeBytes(new byte[] {(byte) (len >>> 24), (byte) (len >>> 16), (byte) (len >>> 8), (byte) len});
            if (b != null) {
                out.writeBytes(b);
            }
        }
        assertThat(continues.hash()).isEqualTo(HexFormat.of().formatHex(sha256(out.toByteArray())))
                .isNotEqualTo(ends.hash());
        assertThat(continues.hashValid()).isTrue();
        assertThat(continues.signature()).as("the group's last entry signs for it").isNull();
        assertThat(continues.signatureValid()).isFalse();
        // the flag is covered by the hash: the same fields claiming to end the group do not verify
        ChangeEntry flipped = new ChangeEntry(continues.origin(), 1, 5, 6, "t", "1", Operation.DELETE, Kind.EDIT, null,
                null, base, null, continues.hash(), ends.signature(), false);
        assertThat(flipped.hashValid()).isFalse();
    }

    @Test
    void detectsAChangedFieldAndAForeignSignature() {
        ChangeEntry e = ChangeEntry.seal(ALICE, 1, 42, 1000, PUT, VersionVector.EMPTY, null);
        ChangeEntry edited = new ChangeEntry(e.origin(), e.version(), e.hlc(), e.timestamp(), e.table(), e.recordId(),
                e.operation(), e.kind(), e.data().replace("\"v\"", "\"w\""), e.changedColumns(), e.base(), e.prevHash(),
                e.hash(), e.signature());
        assertThat(edited.hashValid()).isFalse();
        ChangeEntry bobs = ChangeEntry.seal(BOB, 1, 42, 1000, PUT, VersionVector.EMPTY, null);
        ChangeEntry forged = new ChangeEntry(e.origin(), 1, 42, 1000, e.table(), e.recordId(), e.operation(), e.kind(),
                e.data(), null, e.base(), null, e.hash(), bobs.signature());
        assertThat(forged.hashValid()).isTrue();
        assertThat(forged.signatureValid()).isFalse();
    }

    @Test
    void rejectsMalformedShapes() {
        ChangeEntry e = ChangeEntry.seal(ALICE, 1, 42, 1000, PUT, VersionVector.EMPTY, null);
        assertThatThrownBy(() -> new ChangeEntry(e.origin(), 2, 1, 1, "t", "1", Operation.INSERT, Kind.EDIT, "{}", null,
                null, null, e.hash(), e.signature())).hasMessageContaining("prevHash");
        assertThatThrownBy(() -> new ChangeEntry(e.origin(), 1, 1, 1, "t", "1", Operation.DELETE, Kind.EDIT, "{}", null,
                null, null, e.hash(), e.signature())).hasMessageContaining("DELETE");
        assertThatThrownBy(() -> new ChangeEntry(e.origin(), 1, 1, 1, "t", "1", Operation.INSERT, Kind.EDIT, "{}", null,
                null, null, "ABC", e.signature())).hasMessageContaining("hash");
        assertThatThrownBy(() -> new ChangeEntry(e.origin(), 0, 1, 1, "t", "1", Operation.INSERT, Kind.EDIT, "{}", null,
                null, null, e.hash(), e.signature())).hasMessageContaining("version");
    }

    private static byte[] sha256(byte[] b) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(b);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
