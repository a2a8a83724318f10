package io.p2psync.interop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private network namespace for one test: only a loopback interface, up, with multicast on and
 * 224.0.0.0/4 routed to it. Multicast sent inside never reaches a real network, so mDNS can run for real.
 * Processes join it through {@link #launcher()} ({@code nsenter}). The namespace lives as long as a
 * holder process ({@code unshare --net cat}, reading our pipe): {@link #close()} ends it, and so does the
 * end of this JVM, which closes the pipe.
 *
 * <p>Making one needs root (or CAP_SYS_ADMIN) and the {@code unshare}, {@code nsenter} and {@code ip}
 * tools; {@link #create()} says why not otherwise, so a test can skip with that reason.
 */
public final class NetNamespace implements AutoCloseable {

    private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(10);
    /** Where {@code ip} lives on most systems, often missing from a non-login PATH. */
    private static final String SBIN = "/usr/sbin:/sbin";

    private final Process holder;
    private final String netns;

    private NetNamespace(Process holder) {
        this.holder = holder;
        this.netns = "/proc/" + holder.pid() + "/ns/net";
    }

    /**
     * Makes the namespace and sets up loopback multicast in it.
     *
     * @throws Unavailable with the reason when this machine or user cannot
     */
    public static NetNamespace create() throws Unavailable {
        for (String tool : List.of("unshare", "nsenter", "ip")) {
            if (!onPath(tool)) {
                throw new Unavailable("`" + tool + "` is not installed");
            }
        }
        Process holder;
        try {
            holder = new ProcessBuilder("unshare", "--net", "--", "cat").redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new Unavailable("cannot run unshare: " + e.getMessage());
        }
        NetNamespace ns = new NetNamespace(holder);
        try {
            ns.awaitOwnNamespace();
            ns.run("ip", "link", "set", "lo", "up");
            ns.run("ip", "link", "set", "lo", "multicast", "on");
            ns.run("ip", "route", "add", "224.0.0.0/4", "dev", "lo");
            return ns;
        } catch (Unavailable e) {
            ns.close();
            throw e;
        }
    }

    /** The prefix that runs a command inside the namespace. */
    public List<String> launcher() {
        return List.of("nsenter", "--net=" + netns, "--");
    }

    /** Starts {@code command} inside the namespace. */
    public ProcessBuilder processBuilder(List<String> command) {
        List<String> full = new ArrayList<>(launcher());
        full.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(full);
        builder.environment().merge("PATH", SBIN, (path, sbin) -> path + ":" + sbin);
        return builder;
    }

    private void awaitOwnNamespace() throws Unavailable {
        long deadline = System.nanoTime() + SETUP_TIMEOUT.toNanos();
        try {
            Path own = Files.readSymbolicLink(Path.of("/proc/self/ns/net"));
            while (System.nanoTime() < deadline) {
                if (!holder.isAlive()) {
                    String out = new String(holder.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                    throw new Unavailable("unshare --net failed (not root?): " + out);
                }
                // unshare execs cat once the new namespace exists; until then the link is still ours
                if (!Files.readSymbolicLink(Path.of(netns)).equals(own)) {
                    return;
                }
                Thread.onSpinWait();
            }
        } catch (IOException e) {
            throw new Unavailable("cannot read namespace links: " + e.getMessage());
        }
        throw new Unavailable("unshare did not make a namespace within " + SETUP_TIMEOUT);
    }

    private void run(String... command) throws Unavailable {
        try {
            Process p = processBuilder(List.of(command)).redirectErrorStream(true).start();
            if (!p.waitFor(SETUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new Unavailable(String.join(" ", command) + " hung");
            }
            if (p.exitValue() != 0) {
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                throw new Unavailable(String.join(" ", command) + " failed: " + out);
            }
        } catch (IOException e) {
            throw new Unavailable("cannot run " + command[0] + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted");
        }
    }

    private static boolean onPath(String tool) {
        String path = System.getenv().getOrDefault("PATH", "") + ":" + SBIN;
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /** Ends the holder; the namespace goes away with the last process inside it. */
    @Override
    public void close() {
        try {
            holder.getOutputStream().close(); // cat ends at end of input
        } catch (IOException e) {
            // already gone
        }
        holder.destroy();
        try {
            if (!holder.waitFor(5, TimeUnit.SECONDS)) {
                holder.destroyForcibly();
            }
        } catch (InterruptedException e) {
            holder.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** This machine or user cannot make a network namespace; the message says why. */
    public static final class Unavailable extends Exception {
        public Unavailable(String reason) {
            super(reason);
        }
    }
}
