package io.p2psync.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every command line the documentation shows for the jar is taken, so refusing unknown options cannot break a
 * reader's copy and paste: the {@code java -jar …p2p-sync.jar …} lines of README.md, docs/, config/ and docker/
 * (shell, Markdown, a systemd unit, a Dockerfile), Maven's {@code -Dspring-boot.run.arguments="…"}, and the
 * arguments of a launchd plist. (The tests that start the jar check their own arguments by starting it.)
 */
class DocumentedCommandLinesTest {

    private static final String JAR = "p2p-sync.jar";
    private static final Pattern SUBSHELL = Pattern.compile("\\$\\([^)]*\\)");
    private static final Pattern MAVEN_ARGUMENTS = Pattern.compile("-Dspring-boot\\.run\\.arguments=\"([^\"]*)\"");
    private static final Pattern PLIST_STRING = Pattern.compile("<string>([^<]*)</string>");

    @Test
    void everyDocumentedCommandLineIsTaken() throws IOException {
        List<List<String>> commandLines = new ArrayList<>();
        for (Path file : documents()) {
            commandLines.addAll(commandLines(Files.readString(file, StandardCharsets.UTF_8)));
        }

        assertThat(commandLines).as("command lines found").hasSizeGreaterThan(15)
                .anySatisfy(args -> assertThat(args).contains("--p2psync.libp2p.mdns=false"))
                .anySatisfy(args -> assertThat(args).contains("remove"))
                .anySatisfy(args -> assertThat(args).contains("--no-console"));
        assertThat(commandLines).allSatisfy(args -> assertThat(LaunchArguments.parse(args.toArray(String[]::new)))
                .as("%s", args).isNotInstanceOf(LaunchArguments.Refused.class));
    }

    private static List<Path> documents() throws IOException {
        List<Path> files = new ArrayList<>(List.of(Path.of("README.md"), Path.of("docker", "Dockerfile")));
        for (String dir : List.of("docs", "config")) {
            try (Stream<Path> each = Files.list(Path.of(dir))) {
                each.filter(f -> f.toString().endsWith(".md") || f.toString().endsWith(".yml")).sorted()
                        .forEach(files::add);
            }
        }
        return files;
    }

    /** The arguments after the jar on each line that runs it, lines continued with a backslash joined. */
    static List<List<String>> commandLines(String text) {
        List<List<String>> found = new ArrayList<>();
        String joined = text.replace("\\\n", " ");
        for (String line : joined.lines().toList()) {
            int jar = line.indexOf(JAR);
            if (jar >= 0 && line.substring(0, jar).contains("-jar") && !line.startsWith("</string>", jar + JAR.length())) {
                found.add(words(line.substring(jar + JAR.length())));
            }
            Matcher maven = MAVEN_ARGUMENTS.matcher(line);
            while (maven.find()) {
                found.add(words(maven.group(1)));
            }
        }
        // A launchd plist: one argument per <string>, after the jar's, up to the end of the array.
        int jar = text.indexOf(JAR + "</string>");
        while (jar >= 0) {
            int end = text.indexOf("</array>", jar);
            List<String> args = new ArrayList<>();
            Matcher each = PLIST_STRING.matcher(text.substring(jar + JAR.length(), end));
            while (each.find()) {
                args.add(each.group(1));
            }
            found.add(args);
            jar = text.indexOf(JAR + "</string>", end);
        }
        return found;
    }

    /**
     * The words of a shell command, up to where it ends: a comment, the closing backtick of inline code, a
     * closing quote or bracket of a JSON array (Dockerfile), or a shell operator ({@code |}, {@code &}, {@code ;}). A {@code $(…)} stands for one word.
     */
    private static List<String> words(String rest) {
        String command = SUBSHELL.matcher(rest).replaceAll("X");
        for (String end : List.of(" #", "`", "\"]", " |", " &", ";")) {
            int at = command.indexOf(end);
            if (at >= 0) {
                command = command.substring(0, at);
            }
        }
        List<String> words = new ArrayList<>();
        for (String word : command.strip().split("\\s+")) {
            String bare = word.replaceAll("^[\",]+|[\",]+$", "");
            if (!bare.isEmpty() && !bare.equals("\\")) {
                words.add(bare);
            }
        }
        return words;
    }

    @Test
    void readsEachKindOfCommandLine() {
        assertThat(commandLines("""
                java -jar target/p2p-sync.jar --a.b=1 \\
                     --server.address=$(tailscale ip -4)   # a comment
                `java -jar target/p2p-sync.jar start --port 4002` (or `./mvnw spring-boot:run
                -Dspring-boot.run.arguments="start --port 4002"`)
                ENTRYPOINT ["java", "-jar", "/app/p2p-sync.jar", "--no-console"]
                ExecStart=/usr/bin/java -jar /opt/p2p-sync/p2p-sync.jar --no-console
                <array><string>/usr/bin/java</string><string>-jar</string><string>/x/p2p-sync.jar</string>
                  <string>--no-console</string>
                </array>
                """)).containsExactly(
                List.of("--a.b=1", "--server.address=X"),
                List.of("start", "--port", "4002"),
                List.of("start", "--port", "4002"),
                List.of("--no-console"),
                List.of("--no-console"),
                List.of("--no-console"));
    }
}
