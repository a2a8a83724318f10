package io.p2psync.p2p.host;

import io.p2psync.p2p.core.PeerId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open connections of a host, per peer, and the listeners told when a peer gets its first or
 * loses its last connection. The newest connection to a peer carries its new streams. Thread-safe;
 * listeners are called one at a time, in order, under this object's lock.
 */
final class PeerConnections {

    private static final Logger log = LoggerFactory.getLogger(PeerConnections.class);

    private final List<ConnectionListener> listeners = new CopyOnWriteArrayList<>();
    private final Map<PeerId, List<Connection>> byPeer = new HashMap<>();
    private boolean closed;

    void addListener(ConnectionListener listener) {
        listeners.add(listener);
    }

    void removeListener(ConnectionListener listener) {
        listeners.remove(listener);
    }

    /** Adds an open connection; false (and nothing added) once {@link #closeAll()} has run. */
    synchronized boolean add(Connection connection) {
        if (closed) {
            return false;
        }
        List<Connection> open = byPeer.computeIfAbsent(connection.remotePeer(), p -> new ArrayList<>());
        if (!open.contains(connection)) {
            open.add(connection);
            log.debug("connected: {}", connection);
            if (open.size() == 1) {
                listeners.forEach(l -> notify(l::connected, connection));
            }
        }
        return true;
    }

    /** Removes a closed connection; true if it was the peer's last one. */
    synchronized boolean remove(Connection connection) {
        List<Connection> open = byPeer.get(connection.remotePeer());
        if (open == null || !open.remove(connection)) {
            return false;
        }
        log.debug("disconnected: {}", connection);
        if (!open.isEmpty()) {
            return false;
        }
        byPeer.remove(connection.remotePeer());
        listeners.forEach(l -> notify(l::disconnected, connection));
        return true;
    }

    /**
     * The connection that carries new streams to {@code peer}: its newest that still takes new streams (not one
     * closing once its streams end, see {@link Connection#closeWhenIdle}). A peer that restarted dials anew while
     * the connection to its old process may still look open here (a QUIC connection whose peer vanished stays
     * until its idle timeout); the newest connection is the one that works.
     */
    synchronized Optional<Connection> primary(PeerId peer) {
        List<Connection> open = byPeer.get(peer);
        if (open == null) {
            return Optional.empty();
        }
        for (int i = open.size() - 1; i >= 0; i--) { // the newest that still takes new streams
            if (open.get(i).acceptsNewStreams()) {
                return Optional.of(open.get(i));
            }
        }
        return Optional.of(open.get(open.size() - 1));
    }

    synchronized List<Connection> of(PeerId peer) {
        return List.copyOf(byPeer.getOrDefault(peer, List.of()));
    }

    /** Every open connection, each peer's in the order they were added. */
    synchronized List<Connection> all() {
        List<Connection> all = new ArrayList<>();
        byPeer.values().forEach(all::addAll);
        return all;
    }

    synchronized Set<PeerId> peers() {
        return Set.copyOf(byPeer.keySet());
    }

    synchronized boolean contains(PeerId peer) {
        return byPeer.containsKey(peer);
    }

    /** Refuses further connections and returns the open ones, for the caller to close. */
    synchronized List<Connection> closeAll() {
        closed = true;
        List<Connection> all = new ArrayList<>();
        byPeer.values().forEach(all::addAll);
        return all;
    }

    private static void notify(Consumer<Connection> event, Connection connection) {
        try {
            event.accept(connection);
        } catch (RuntimeException e) {
            log.warn("connection listener failed on {}", connection, e);
        }
    }
}
