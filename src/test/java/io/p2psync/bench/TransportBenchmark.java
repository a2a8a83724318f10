package io.p2psync.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.host.Host;
import io.p2psync.p2p.host.P2pStream;
import io.p2psync.p2p.host.ProtocolHandler;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Java-to-Java libp2p numbers over TCP on 127.0.0.1: connection set-up time (TCP connect, multistream,
 * Noise XX, multistream, yamux) and single-stream throughput (Noise + yamux, with back-pressure).
 *
 * <p>Run from the project root:
 *
 * <pre>
 * ./mvnw -q -o test-compile exec:java -Dexec.mainClass=io.p2psync.bench.TransportBenchmark \
 *     -Dexec.classpathScope=test [-Dexec.args="connections megabytes"]
 * </pre>
 *
 * Defaults: 200 connections (after 50 for warm-up), 512 MiB through one stream (after 64 MiB warm-up).
 * Output is one line per measurement, as Markdown table rows for docs/benchmarks.md.
 */
public final class TransportBenchmark {

    private static final String SINK = "/bench/sink/1.0.0";

    private TransportBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int connections = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int megabytes = args.length > 1 ? Integer.parseInt(args[1]) : 512;
        Sink sink = new Sink();
        try (Host listener = Host.builder().listen("/ip4/127.0.0.1/tcp/0").protocol(sink).start();
             Host dialer = Host.builder().start()) {
            Multiaddr address = listener.listenAddresses().get(0).withPeerId(listener.peerId());
            double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            System.out.println("| measurement | Java → Java |");
            System.out.println("|---|---|");
            System.out.printf(Locale.ROOT, "| machine: cores / load average at start | %d / %.1f |%n",
                    Runtime.getRuntime().availableProcessors(), load);
            connectionSetUp(dialer, listener, address, 50);
            List<Double> millis = connectionSetUp(dialer, listener, address, connections);
            System.out.printf(Locale.ROOT, "| connection set-up, median of %d (ms) | %.2f |%n", connections, percentile(millis, 50));
            System.out.printf(Locale.ROOT, "| connection set-up, p90 (ms) | %.2f |%n", percentile(millis, 90));

            dialer.dial(address).get(10, TimeUnit.SECONDS);
            List<Double> streamMillis = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                long start = System.nanoTime();
                P2pStream stream = dialer.newStream(listener.peerId(), SINK).get(10, TimeUnit.SECONDS);
                streamMillis.add((System.nanoTime() - start) / 1e6);
                stream.channel().close();
            }
            System.out.printf(Locale.ROOT, "| stream open + negotiation, median of 200 (ms) | %.2f |%n", percentile(streamMillis.subList(50, 200), 50));

            throughput(dialer, listener, sink, 64);
            long cpuBefore = processCpuNanos();
            double mbPerSecond = throughput(dialer, listener, sink, megabytes);
            double cpuSeconds = (processCpuNanos() - cpuBefore) / 1e9;
            System.out.printf(Locale.ROOT, "| one stream, %d MiB (MiB/s, wall clock) | %.1f |%n", megabytes, mbPerSecond);
            // Both hosts run in this process, so this is the CPU both ends need together.
            System.out.printf(Locale.ROOT, "| one stream (MiB per CPU second, both ends) | %.1f |%n", megabytes / cpuSeconds);
        }
    }

    private static List<Double> connectionSetUp(Host dialer, Host listener, Multiaddr address, int count) throws Exception {
        List<Double> millis = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            var connection = dialer.dial(address).get(10, TimeUnit.SECONDS);
            millis.add((System.nanoTime() - start) / 1e6);
            dialer.disconnect(listener.peerId());
            connection.channel().closeFuture().await(10, TimeUnit.SECONDS);
            while (dialer.isConnected(listener.peerId())) {
                Thread.onSpinWait();
            }
        }
        return millis;
    }

    /** Writes {@code megabytes} MiB on one stream, honouring back-pressure; returns MiB/s until the sink has all. */
    private static double throughput(Host dialer, Host listener, Sink sink, int megabytes) throws Exception {
        P2pStream stream = dialer.newStream(listener.peerId(), SINK).get(10, TimeUnit.SECONDS);
        long total = (long) megabytes << 20;
        sink.expect(total);
        ByteBuf chunk = Unpooled.unreleasableBuffer(Unpooled.directBuffer(64 * 1024).writeZero(64 * 1024));
        Channel channel = stream.channel();
        long start = System.nanoTime();
        CompletableFuture<Void> written = new CompletableFuture<>();
        Runnable pump = new Runnable() {
            long sent;

            @Override
            public void run() {
                while (sent < total && channel.isWritable()) {
                    channel.write(chunk.retainedDuplicate());
                    sent += chunk.readableBytes();
                }
                channel.flush();
                if (sent >= total) {
                    written.complete(null);
                } else if (!channel.isActive()) {
                    written.completeExceptionally(new IllegalStateException("stream closed"));
                }
            }
        };
        // Write while the stream is writable, and again each time back-pressure lifts.
        channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                pump.run();
                ctx.fireChannelWritabilityChanged();
            }
        });
        channel.eventLoop().execute(pump);
        written.get(10, TimeUnit.MINUTES);
        sink.done.get(10, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - start) / 1e9;
        channel.close();
        return megabytes / seconds;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double percentile(List<Double> values, int percent) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, sorted.size() * percent / 100));
    }

    /** Counts and drops every byte of inbound streams. */
    private static final class Sink implements ProtocolHandler {
        private final AtomicLong received = new AtomicLong();
        private volatile long expected = Long.MAX_VALUE;
        private volatile CompletableFuture<Void> done = new CompletableFuture<>();

        void expect(long bytes) {
            received.set(0);
            done = new CompletableFuture<>();
            expected = bytes;
        }

        @Override
        public List<String> protocolIds() {
            return List.of(SINK);
        }

        @Override
        public void initStream(P2pStream stream) {
            if (stream.initiator()) {
                return;
            }
            stream.channel().pipeline().addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ByteBuf buf = (ByteBuf) msg;
                    long now = received.addAndGet(buf.readableBytes());
                    buf.release();
                    if (now >= expected) {
                        done.complete(null);
                    }
                }
            });
        }
    }
}
