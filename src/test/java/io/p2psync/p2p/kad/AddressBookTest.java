package io.p2psync.p2p.kad;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import java.util.List;
import org.junit.jupiter.api.Test;

class AddressBookTest {

    private final PeerId relay = PrivateKey.generate().peerId();
    private final PeerId device = PrivateKey.generate().peerId();

    @Test
    void keepsACircuitAddressThroughARelay() {
        AddressBook book = new AddressBook();
        Multiaddr circuit = Multiaddr.parse("/ip4/203.0.113.1/tcp/4001/p2p/" + relay + "/p2p-circuit");
        book.add(device, List.of(Multiaddr.parse("/ip4/10.0.2.2/tcp/4001"), circuit));

        assertThat(book.get(device)).containsExactly(Multiaddr.parse("/ip4/10.0.2.2/tcp/4001"), circuit);
    }

    @Test
    void leavesOutAddressesThatCannotBeDialled() {
        AddressBook book = new AddressBook();
        book.add(device, List.of(Multiaddr.parse("/ip4/10.0.2.2/tcp/4001/http"),
                Multiaddr.parse("/p2p/" + relay + "/p2p-circuit"),
                Multiaddr.parse("/ip4/10.0.2.2/tcp/4001/http/p2p/" + relay + "/p2p-circuit")));

        assertThat(book.get(device)).isEmpty();
    }
}
