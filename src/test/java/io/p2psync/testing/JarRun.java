package io.p2psync.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One run of the built jar ({@code target/p2p-sync.jar}, made by {@code package} before failsafe runs) as its
 * own process, as a person would start it, for commands that end by themselves (a start that fails, {@code
 * remove}): what it printed on stdout and stderr together, and its exit code.
 *
 * @param exitCode the process's exit code
 * @param output   stdout and stderr, interleaved as printed
 */
public record JarRun(int exitCode, String output) {

    public static final Path JAR = Path.of("target", "p2p-sync.jar");

    /** Runs the jar with {@code args} in {@code workDir} and waits at most {@code timeout} for it to end. */
    public static JarRun run(Path workDir, Duration timeout, List<String> args) throws IOException, InterruptedException {
        Path log = Files.createTempFile(workDir, "jar-run", ".log");
        int exitCode = runTo(workDir, timeout, args, log, null);
        return new JarRun(exitCode, Files.readString(log, StandardCharsets.UTF_8));
    }

    /**
     * Like {@link #run}, but keeps what the jar printed on stdout apart from what it printed on stderr, for
     * commands whose contract names the stream (the usage of {@code --help} on stdout, a refusal on stderr).
     */
    public static Streams runWithStreamsApart(Path workDir, Duration timeout, List<String> args)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile(workDir, "jar-run", ".out");
        Path err = Files.createTempFile(workDir, "jar-run", ".err");
        int exitCode = runTo(workDir, timeout, args, out, err);
        return new Streams(exitCode, Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    /**
     * One run with stdout and stderr kept apart.
     *
     * @param exitCode the process's exit code
     * @param stdout   what it printed on standard output
     * @param stderr   what it printed on standard error
     */
    public record Streams(int exitCode, String stdout, String stderr) {
    }

    /** Runs the jar with its output in {@code out} and its errors in {@code err}, or in {@code out} too if null. */
    private static int runTo(Path workDir, Duration timeout, List<String> args, Path out, Path err)
            throws IOException, InterruptedException {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR.toAbsolutePath() + " is missing; run ./mvnw verify (package comes first)");
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xmx384m", "-XX:TieredStopAtLevel=1",
                "-jar", JAR.toAbsolutePath().toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        if (err == null) {
            builder.redirectErrorStream(true);
        } else {
            builder.redirectError(err.toFile());
        }
        Process process = builder.start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            throw new AssertionError("the jar did not end within " + timeout + "; it printed:\n"
                    + Files.readString(out, StandardCharsets.UTF_8)
                    + (err == null ? "" : Files.readString(err, StandardCharsets.UTF_8)));
        }
        return process.exitValue();
    }

    /** The printed lines that are not INFO log lines (those start with a date and have INFO as their level). */
    public List<String> linesBesidesInfoLogs() {
        return output.lines()
                .filter(line -> !line.matches("^\\d{4}-\\d{2}-\\d{2}T\\S+\\s+INFO .*"))
                .filter(line -> !line.isBlank())
                .toList();
    }
}
