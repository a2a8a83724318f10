package io.p2psync.console;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns the seed's command line into Spring Boot arguments, so both styles work:
 * {@code java -jar p2p-sync.jar start --port 4002 --http-port 8082 --no-console} and plain Spring
 * properties such as {@code --server.port=8082}.
 *
 * <ul>
 *   <li>{@code start}: starts a node; optional (a bare launch starts a node too)</li>
 *   <li>{@code remove}: removes everything the node added to its SQLite file, see {@link Command#REMOVE}</li>
 *   <li>{@code --port N}: the libp2p TCP port ({@code p2psync.libp2p.port})</li>
 *   <li>{@code --http-port N}: the REST port ({@code server.port})</li>
 *   <li>{@code --data-dir DIR}: the data directory ({@code p2psync.data-dir})</li>
 *   <li>{@code --database FILE}: the app's SQLite file ({@code p2psync.database})</li>
 *   <li>{@code --no-console}: do not read commands from standard input</li>
 * </ul>
 * Every other argument passes through unchanged.
 */
public final class LaunchArguments {

    private static final Map<String, String> VALUE_FLAGS = Map.of(
            "--port", "p2psync.libp2p.port",
            "--http-port", "server.port",
            "--data-dir", "p2psync.data-dir",
            "--database", "p2psync.database");
    private static final Map<String, String> EXAMPLES = Map.of(
            "--port", "4002",
            "--http-port", "8082",
            "--data-dir", "./data",
            "--database", "notes.db");

    /** What a launch does, named by its first argument. */
    public enum Command {
        /** Run a node (the default). */
        START,
        /** Drop every trigger and table the node added to its SQLite file, then end; the app's data stays. */
        REMOVE;

        String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private LaunchArguments() {
    }

    /** The command of a launch: the first argument if it names one, else {@link Command#START}. */
    public static Command command(String... args) {
        for (Command c : Command.values()) {
            if (args.length > 0 && args[0].equals(c.word())) {
                return c;
            }
        }
        return Command.START;
    }

    /**
     * The Spring arguments of a launch, the command left out.
     *
     * @throws IllegalArgumentException if a flag that needs a value has none
     */
    public static String[] toSpringArguments(String... args) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (i == 0 && command(args).word().equals(arg)) {
                continue;
            }
            if (arg.equals("--no-console")) {
                out.add("--p2psync.console.enabled=false");
                continue;
            }
            String property = VALUE_FLAGS.get(arg);
            if (property != null) {
                if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                    throw new IllegalArgumentException(arg + " needs a value, for example: " + arg + " " + EXAMPLES.get(arg));
                }
                out.add("--" + property + "=" + args[++i]);
                continue;
            }
            int eq = arg.indexOf('=');
            if (eq > 0 && VALUE_FLAGS.containsKey(arg.substring(0, eq))) {
                out.add("--" + VALUE_FLAGS.get(arg.substring(0, eq)) + arg.substring(eq));
                continue;
            }
            out.add(arg);
        }
        return out.toArray(String[]::new);
    }
}
