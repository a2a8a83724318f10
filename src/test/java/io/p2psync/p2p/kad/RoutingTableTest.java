package io.p2psync.p2p.kad;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.p2p.core.PeerId;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RoutingTableTest {

    private final Random random = new Random(42);

    @Test
    void closestPeersAreOrderedByXorDistanceOfTheirSha256() throws Exception {
        PeerId self = randomPeer();
        RoutingTable table = new RoutingTable(self, 20);
        List<PeerId> added = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            PeerId p = randomPeer();
            if (table.add(p)) {
                added.add(p);
            }
        }
        byte[] target = new byte[] {1, 2, 3};
        BigInteger t = sha(target);
        List<PeerId> expected = added.stream()
                .sorted(Comparator.comparing((PeerId p) -> sha(p.bytes()).xor(t)))
                .limit(20).toList();

        assertThat(table.closest(KadKey.of(target), 20)).containsExactlyElementsOf(expected);
    }

    @Test
    void aFullBucketKeepsItsPeersAndRefusesNewOnesUntilOneIsRemoved() {
        PeerId self = randomPeer();
        RoutingTable table = new RoutingTable(self, 3);
        List<PeerId> farHalf = new ArrayList<>();
        while (farHalf.size() < 4) {
            PeerId p = randomPeer();
            if (KadKey.of(self).commonPrefixLength(KadKey.of(p)) == 0) {
                farHalf.add(p);
            }
        }
        assertThat(table.add(farHalf.get(0))).isTrue();
        assertThat(table.add(farHalf.get(1))).isTrue();
        assertThat(table.add(farHalf.get(2))).isTrue();
        assertThat(table.add(farHalf.get(3))).as("bucket 0 is full").isFalse();
        assertThat(table.bucketSize(0)).isEqualTo(3);

        assertThat(table.remove(farHalf.get(1))).isTrue();
        assertThat(table.add(farHalf.get(3))).isTrue();
        assertThat(table.peers()).containsExactlyInAnyOrder(farHalf.get(0), farHalf.get(2), farHalf.get(3));
        assertThat(table.add(self)).as("never itself").isFalse();
    }

    @Test
    void commonPrefixLengthCountsSharedLeadingBits() {
        PeerId a = randomPeer();
        assertThat(KadKey.of(a).commonPrefixLength(KadKey.of(a))).isEqualTo(256);
        for (int i = 0; i < 50; i++) {
            PeerId b = randomPeer();
            BigInteger x = sha(a.bytes()).xor(sha(b.bytes()));
            assertThat(KadKey.of(a).commonPrefixLength(KadKey.of(b))).isEqualTo(256 - x.bitLength());
        }
    }

    private PeerId randomPeer() {
        byte[] mh = new byte[34];
        random.nextBytes(mh);
        mh[0] = 0x12;
        mh[1] = 0x20;
        return new PeerId(mh);
    }

    private static BigInteger sha(byte[] b) {
        try {
            return new BigInteger(1, MessageDigest.getInstance("SHA-256").digest(b));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
