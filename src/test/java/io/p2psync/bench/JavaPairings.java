package io.p2psync.bench;

import io.p2psync.interop.EchoProtocol;
import io.p2psync.interop.JavaNode;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The Java node as either side of a measured pairing; it times its own dials and echoes. */
final class JavaPairings {

    private JavaPairings() {
    }

    /** Java–JS both ways and Java–Java over {@code transport}, each with fresh nodes. */
    static List<InteropBenchmark.Result> measureAll(InteropBenchmark.Transport transport) throws Exception {
        List<InteropBenchmark.Result> results = new ArrayList<>();
        try (JavaSide java = new JavaSide(); InteropBenchmark.JsNode js = InteropBenchmark.JsNode.start()) {
            results.add(InteropBenchmark.measure(java, js, transport));
        }
        try (JavaSide java = new JavaSide(); InteropBenchmark.JsNode js = InteropBenchmark.JsNode.start()) {
            results.add(InteropBenchmark.measure(js, java, transport));
        }
        try (JavaSide a = new JavaSide(); JavaSide b = new JavaSide()) {
            results.add(InteropBenchmark.measure(a, b, transport));
        }
        return results;
    }

    static final class JavaSide implements InteropBenchmark.Dialer, InteropBenchmark.Listener {
        private final JavaNode node = JavaNode.startTcpAndQuic();

        @Override
        public double dial(InteropBenchmark.Target target) throws Exception {
            long start = System.nanoTime();
            node.host().dial(Multiaddr.parse(target.addr())).get(30, TimeUnit.SECONDS);
            return (System.nanoTime() - start) / 1e6;
        }

        @Override
        public void hangUp(InteropBenchmark.Target target) throws Exception {
            PeerId peer = PeerId.parse(target.peerId());
            node.host().disconnect(peer);
            // the host forgets the connection once its channel has closed; the next dial must be a fresh one
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (node.host().isConnected(peer)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("still connected to " + peer);
                }
                Thread.sleep(1);
            }
        }

        @Override
        public double echo(InteropBenchmark.Target target, int streams, int bytes) throws Exception {
            PeerId peer = PeerId.parse(target.peerId());
            byte[] data = new byte[bytes];
            new Random(streams).nextBytes(data);
            long start = System.nanoTime();
            List<CompletableFuture<byte[]>> echoes = new ArrayList<>();
            for (int i = 0; i < streams; i++) {
                echoes.add(EchoProtocol.roundTrip(node.host(), peer, data));
            }
            CompletableFuture.allOf(echoes.toArray(CompletableFuture[]::new)).get(InteropBenchmark.ECHO_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            double millis = (System.nanoTime() - start) / 1e6;
            for (CompletableFuture<byte[]> echo : echoes) {
                if (!Arrays.equals(echo.get(), data)) {
                    throw new IllegalStateException("echo differs");
                }
            }
            return millis;
        }

        @Override
        public String peerId() {
            return node.peerId().toString();
        }

        @Override
        public String addr(InteropBenchmark.Transport transport) {
            return transport == InteropBenchmark.Transport.QUIC ? node.quicAddr() : node.addr();
        }

        @Override
        public String name() {
            return "Java (p2p-sync)";
        }

        @Override
        public void close() {
            node.close();
        }
    }
}
