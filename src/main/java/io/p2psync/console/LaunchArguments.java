package io.p2psync.console;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;

/**
 * Reads the command line of {@code java -jar p2p-sync.jar}: the seed's style
 * ({@code start --port 4002 --http-port 8082 --no-console}) and Spring Boot properties ({@code --server.port=8082}),
 * turned into Spring Boot arguments; {@code --help}; and mistakes, refused before anything starts.
 *
 * <ul>
 *   <li>{@code start}: starts a node; optional (a bare launch starts a node too)</li>
 *   <li>{@code remove}: removes everything the node added to its SQLite file, see {@link Command#REMOVE}</li>
 *   <li>{@code --port N}: the libp2p TCP port ({@code p2psync.libp2p.port})</li>
 *   <li>{@code --http-port N}: the REST port ({@code server.port})</li>
 *   <li>{@code --data-dir DIR}: the data directory ({@code p2psync.data-dir})</li>
 *   <li>{@code --database FILE}: the app's SQLite file ({@code p2psync.database})</li>
 *   <li>{@code --no-console}: do not read commands from standard input</li>
 *   <li>{@code -h}, {@code --help}: the usage, and nothing else</li>
 * </ul>
 *
 * <p>What is refused (docs/operations.md, "The command line"): a {@code --p2psync.*} name that no settings record
 * binds ({@link SettingNames}); an option with no dot in its name that is none of the above nor Spring Boot's
 * {@code --debug} and {@code --trace}; any other single-dash option; and a word that is not the command. Every
 * other {@code --name=value} with a dot in its name passes to Spring Boot unchanged: {@code server.*},
 * {@code spring.*}, {@code logging.*}, {@code management.*} and the rest are Spring's and its libraries', and
 * Spring Boot itself takes any name.
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
    private static final Set<String> HELP = Set.of("-h", "--help");
    /** Spring Boot's own flags without a value: more logging at start-up. */
    private static final Set<String> SPRING_FLAGS = Set.of("debug", "trace");

    /** What a launch does, named by its first argument. */
    public enum Command {
        /** Run a node (the default). */
        START,
        /** Drop every trigger and table the node added to its SQLite file, then end; the app's data stays. */
        REMOVE;

        String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What a command line asks for. */
    public sealed interface Launch permits Help, Refused, Run {
    }

    /** Print the usage on standard output and end with 0; nothing starts. */
    public record Help() implements Launch {
    }

    /**
     * The command line has mistakes: print each, then the usage, on standard error and end with 2; nothing starts.
     *
     * @param problems one line each, for people, naming the option (never its value, which may be a secret)
     */
    public record Refused(List<String> problems) implements Launch {
        public Refused {
            if (problems.isEmpty()) {
                throw new IllegalArgumentException("a refusal names at least one problem");
            }
            problems = List.copyOf(problems);
        }
    }

    /**
     * Run {@code command} with these Spring Boot arguments.
     *
     * @param springArguments the arguments for {@code SpringApplication.run}, the command left out
     */
    public record Run(Command command, List<String> springArguments) implements Launch {
        public Run {
            springArguments = List.copyOf(springArguments);
        }
    }

    private LaunchArguments() {
    }

    /** Reads a command line; {@code -h} or {@code --help} anywhere asks for the usage, whatever else is there. */
    public static Launch parse(String... args) {
        for (String arg : args) {
            if (HELP.contains(arg)) {
                return new Help();
            }
        }
        Command command = command(args);
        List<String> spring = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        SettingNames settings = null; // read once, and only if a --p2psync.* option needs it
        for (int i = args.length > 0 && args[0].equals(command.word()) ? 1 : 0; i < args.length; i++) {
            String arg = args[i];
            int eq = arg.indexOf('=');
            String name = eq > 0 ? arg.substring(0, eq) : arg;
            if (arg.equals("--no-console")) {
                spring.add("--p2psync.console.enabled=false");
            } else if (VALUE_FLAGS.containsKey(arg)) {
                if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                    problems.add(arg + " needs a value, for example: " + arg + " " + EXAMPLES.get(arg));
                } else {
                    spring.add("--" + VALUE_FLAGS.get(arg) + "=" + args[++i]);
                }
            } else if (eq > 0 && VALUE_FLAGS.containsKey(name)) {
                spring.add("--" + VALUE_FLAGS.get(name) + arg.substring(eq));
            } else if (!arg.startsWith("-")) {
                problems.add("unexpected argument '" + arg + "' (the commands are start and remove, and come first)");
            } else if (!arg.startsWith("--")) {
                problems.add("unknown option " + name + (arg.startsWith("-D") || arg.startsWith("-X")
                        ? " (JVM options go before -jar: java " + name + "=… -jar p2p-sync.jar)" : ""));
            } else {
                ConfigurationPropertyName property = ConfigurationPropertyName.adapt(name.substring(2), '.');
                if (SPRING_FLAGS.contains(name.substring(2))) {
                    spring.add(arg);
                } else if (SettingNames.ROOT.equals(property) || SettingNames.ROOT.isAncestorOf(property)) {
                    settings = settings == null ? SettingNames.scan() : settings;
                    if (settings.isSetting(property)) {
                        spring.add(arg);
                    } else {
                        problems.add("unknown setting " + name + settings.closest(property)
                                .map(known -> " (did you mean --" + known + "?)").orElse(""));
                    }
                } else if (name.indexOf('.') > 0 && !property.isEmpty()) {
                    spring.add(arg);
                } else {
                    problems.add("unknown option " + name);
                }
            }
        }
        return problems.isEmpty() ? new Run(command, spring) : new Refused(problems);
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

    /** The text of {@code --help}: how to start a node, the options people set, and where the rest is. */
    public static String usage() {
        return Usage.TEXT;
    }
}
