package io.p2psync.p2p.kad;

import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PublicKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Answers DHT requests as the kad-dht spec's "RPC messages" section defines each type, from the routing table,
 * the address book and the record store. Peers are named with the addresses this node knows for them; a peer
 * without any is left out, as the asker could not dial it.
 */
final class KadServer implements KadRequests {

    /** The longest record or provider key accepted. */
    static final int MAX_KEY_BYTES = 1024;
    private static final byte[] PK_PREFIX = "/pk/".getBytes(StandardCharsets.US_ASCII);

    private final PeerId self;
    private final Supplier<List<Multiaddr>> selfAddrs;
    private final RoutingTable table;
    private final AddressBook book;
    private final RecordStore store;
    private final Predicate<PeerId> connected;
    private final int k;

    KadServer(PeerId self, Supplier<List<Multiaddr>> selfAddrs, RoutingTable table, AddressBook book, RecordStore store,
            Predicate<PeerId> connected, int k) {
        this.self = self;
        this.selfAddrs = selfAddrs;
        this.table = table;
        this.book = book;
        this.store = store;
        this.connected = connected;
        this.k = k;
    }

    @Override
    public Optional<KadMessage> answer(PeerId from, KadMessage request) throws KadException {
        byte[] key = request.key();
        return switch (request.type()) {
            case PING -> Optional.of(new KadMessage(MessageType.PING, null, null, null, null));
            case FIND_NODE -> Optional.of(new KadMessage(MessageType.FIND_NODE, key, null, closer(key, from), null));
            case GET_VALUE -> {
                requireKey(key);
                yield Optional.of(new KadMessage(MessageType.GET_VALUE, key, store.get(key).orElse(null),
                        closer(key, from), null));
            }
            case PUT_VALUE -> {
                requireKey(key);
                KadRecord record = request.record();
                if (record == null || !Arrays.equals(record.key(), key)) {
                    throw new KadException("PUT_VALUE without a record for its key");
                }
                validate(record);
                store.put(record);
                yield Optional.of(request); // the spec's answer echoes the request
            }
            case ADD_PROVIDER -> {
                requireKey(key);
                for (KadPeer provider : request.providerPeers()) {
                    // only the sender may announce itself (spec); others in the list are ignored
                    if (provider.id().equals(from)) {
                        List<Multiaddr> addrs = provider.addrs().isEmpty() ? book.get(from) : provider.addrs();
                        addrs = addrs.subList(0, Math.min(addrs.size(), RecordStore.MAX_PROVIDER_ADDRS));
                        book.add(from, addrs);
                        store.addProvider(key, new KadPeer(from, addrs, null));
                    }
                }
                yield Optional.empty();
            }
            case GET_PROVIDERS -> {
                requireKey(key);
                yield Optional.of(new KadMessage(MessageType.GET_PROVIDERS, key, null, closer(key, from),
                        store.providers(key)));
            }
        };
    }

    /** The peers nearest to {@code key} with their addresses; the peer itself first if {@code key} names it. */
    List<KadPeer> closer(byte[] key, PeerId asker) {
        List<KadPeer> out = new ArrayList<>();
        Optional<PeerId> named = asPeerId(key);
        if (named.isPresent() && named.get().equals(self)) {
            out.add(new KadPeer(self, selfAddrs.get(), KadPeer.Connectedness.CONNECTED));
        } else if (named.isPresent() && !named.get().equals(asker) && !book.get(named.get()).isEmpty()
                && !table.contains(named.get())) {
            // a peer known by address but not (yet) in the table, e.g. a client: the exact match is what is asked
            out.add(peer(named.get()));
        }
        for (PeerId p : table.closest(KadKey.of(key), k + 1)) {
            if (out.size() >= k) {
                break;
            }
            if (!p.equals(asker) && !book.get(p).isEmpty()) {
                out.add(peer(p));
            }
        }
        return out;
    }

    private KadPeer peer(PeerId p) {
        return new KadPeer(p, book.get(p), connected.test(p) ? KadPeer.Connectedness.CONNECTED
                : KadPeer.Connectedness.CAN_CONNECT);
    }

    private static Optional<PeerId> asPeerId(byte[] key) {
        try {
            return Optional.of(new PeerId(key));
        } catch (IllegalArgumentException notAPeer) {
            return Optional.empty();
        }
    }

    private static void requireKey(byte[] key) throws KadException {
        if (key.length == 0 || key.length > MAX_KEY_BYTES) {
            throw new KadException("DHT key must be 1.." + MAX_KEY_BYTES + " bytes, not " + key.length);
        }
    }

    /** A {@code /pk/<peer id>} record must hold the public key of that peer (spec, "Value routing"). */
    private static void validate(KadRecord record) throws KadException {
        byte[] key = record.key();
        if (key.length > PK_PREFIX.length && Arrays.equals(key, 0, PK_PREFIX.length, PK_PREFIX, 0, PK_PREFIX.length)) {
            try {
                PeerId owner = new PeerId(Arrays.copyOfRange(key, PK_PREFIX.length, key.length));
                if (!owner.matches(PublicKey.fromProtobuf(record.value()))) {
                    throw new KadException("public key record does not hold the key of " + owner);
                }
            } catch (IllegalArgumentException e) {
                throw new KadException("bad public key record: " + e.getMessage(), e);
            }
        }
    }
}
