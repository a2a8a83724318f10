package io.p2psync.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs a benchmark's {@code main} in a JVM of its own, for figures that depend on the JVM: a node's first writes
 * after a start (the JIT has compiled nothing yet), or a heap limit. The child gets this JVM's classpath: the
 * class loader's when run by {@code exec:java} (whose {@code java.class.path} is Maven's own), else
 * {@code java.class.path}.
 */
final class ChildJvm {

    private ChildJvm() {
    }

    /**
     * Runs {@code mainClass} with {@code jvmOptions} and {@code args} (English number formats, no input), tells
     * {@code echo} each line it prints, and answers them all once it has exited with 0. A child still running
     * after {@code limit} is killed and this fails, as it does for any other exit.
     */
    static List<String> run(List<String> jvmOptions, Class<?> mainClass, List<String> args, Duration limit,
                            Consumer<String> echo) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-Duser.language=en", "-Duser.country=US", "-cp", classpath(), mainClass.getName()));
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    lines.add(line);
                    echo.accept(line);
                }
            } catch (IOException closed) {
                // the child was killed
            }
        }, "child-jvm-output");
        reader.setDaemon(true);
        reader.start();
        try {
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(mainClass.getSimpleName() + " " + args + " still ran after " + limit);
            }
            reader.join(TimeUnit.SECONDS.toMillis(10));
            if (process.exitValue() != 0) {
                throw new IllegalStateException(mainClass.getSimpleName() + " " + args + " exited with "
                        + process.exitValue());
            }
            return List.copyOf(lines);
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    private static String classpath() {
        if (Thread.currentThread().getContextClassLoader() instanceof URLClassLoader loader) {
            List<String> entries = new ArrayList<>();
            for (URL url : loader.getURLs()) {
                try {
                    entries.add(Path.of(url.toURI()).toString());
                } catch (URISyntaxException | IllegalArgumentException | java.nio.file.FileSystemNotFoundException notAFile) {
                    // not a file on this machine: nothing the child could load from
                }
            }
            if (!entries.isEmpty()) {
                return String.join(File.pathSeparator, entries);
            }
        }
        return System.getProperty("java.class.path");
    }
}
