package io.p2psync.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.util.ClassUtils;

/**
 * The {@code p2psync.*} names that a settings record binds, read from the {@code @ConfigurationProperties} records
 * of {@code io.p2psync} themselves, so a setting added to a record is known here with no list to keep up to date.
 * Names compare as Spring Boot compares them when it binds ({@link ConfigurationPropertyName}: {@code dataDir},
 * {@code data-dir} and {@code DATA_DIR} are one name; {@code tables[0]} is an element of {@code tables}).
 *
 * <p>Finds the records with Spring's resource resolver rather than its component scanner: this runs in
 * {@code main}, before Spring Boot has configured logging, and the scanner logs each class it finds at DEBUG,
 * which Logback's start-up configuration would print.
 */
final class SettingNames {

    static final ConfigurationPropertyName ROOT = ConfigurationPropertyName.of("p2psync");
    private static final String SCANNED = "classpath*:io/p2psync/**/*.class";
    /** How a class file's constant pool names the annotation (JVMS 4.3.2, a field descriptor). */
    private static final String ANNOTATION = "L" + ConfigurationProperties.class.getName().replace('.', '/') + ";";

    /** Leaf settings, e.g. {@code p2psync.libp2p.mdns}. */
    private final List<ConfigurationPropertyName> leaves;
    /** Lists and maps, whose elements and keys are named below them, e.g. {@code p2psync.conflicts.policy}. */
    private final List<ConfigurationPropertyName> containers;

    private SettingNames(List<ConfigurationPropertyName> leaves, List<ConfigurationPropertyName> containers) {
        this.leaves = List.copyOf(leaves);
        this.containers = List.copyOf(containers);
    }

    /** Reads every settings record under {@code io.p2psync} bound below {@code p2psync}. */
    static SettingNames scan() {
        ClassLoader loader = SettingNames.class.getClassLoader();
        List<ConfigurationPropertyName> leaves = new ArrayList<>();
        List<ConfigurationPropertyName> containers = new ArrayList<>();
        try {
            for (Resource resource : new PathMatchingResourcePatternResolver(loader).getResources(SCANNED)) {
                String className = annotatedClass(resource);
                if (className == null) {
                    continue;
                }
                Class<?> type = ClassUtils.forName(className, loader);
                ConfigurationProperties annotation = type.getAnnotation(ConfigurationProperties.class);
                if (annotation == null) {
                    continue;
                }
                // prefix and value are aliases; read without Spring's merging, only one of them is filled in
                String prefix = annotation.prefix().isEmpty() ? annotation.value() : annotation.prefix();
                ConfigurationPropertyName name = ConfigurationPropertyName.of(prefix);
                if (ROOT.equals(name) || ROOT.isAncestorOf(name)) {
                    collect(prefix, type, leaves, containers);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the settings classes", e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("a settings class went missing while it was read", e);
        }
        return new SettingNames(leaves, containers);
    }

    /**
     * The name of the class in {@code resource} if its constant pool names {@code @ConfigurationProperties}, else
     * null. A class annotated with it always does, so the few that do are loaded (not initialized) and asked; the
     * rest are never parsed, which keeps this well under a second at start-up on a slow machine.
     */
    private static String annotatedClass(Resource resource) throws IOException {
        byte[] bytes;
        try (InputStream in = resource.getInputStream()) {
            bytes = in.readAllBytes();
        }
        if (!new String(bytes, StandardCharsets.ISO_8859_1).contains(ANNOTATION)) {
            return null;
        }
        String path = resource.getURL().toString();
        int root = path.lastIndexOf("/io/p2psync/");
        return path.substring(root + 1, path.length() - ".class".length()).replace('/', '.');
    }

    /** Whether {@code name} (under {@code p2psync}) is bound by a settings record. */
    boolean isSetting(ConfigurationPropertyName name) {
        return leaves.contains(name) || containers.stream().anyMatch(c -> c.equals(name) || c.isAncestorOf(name));
    }

    /** The setting {@code name} was probably meant to be: one a typo or two away, or one with the same last word. */
    Optional<String> closest(ConfigurationPropertyName name) {
        String given = plain(name.toString());
        List<ConfigurationPropertyName> all = new ArrayList<>(leaves);
        all.addAll(containers);
        Optional<ConfigurationPropertyName> near = all.stream()
                .filter(known -> distance(plain(known.toString()), given) <= 3)
                .min(Comparator.comparingInt(known -> distance(plain(known.toString()), given)));
        if (near.isEmpty()) {
            String last = plain(name.getLastElement(ConfigurationPropertyName.Form.UNIFORM));
            near = all.stream()
                    .filter(known -> plain(known.getLastElement(ConfigurationPropertyName.Form.UNIFORM)).equals(last))
                    .findFirst();
        }
        return near.map(ConfigurationPropertyName::toString);
    }

    /** Every leaf setting's name, for the usage test. */
    List<ConfigurationPropertyName> leaves() {
        return leaves;
    }

    private static void collect(String prefix, Class<?> type, List<ConfigurationPropertyName> leaves,
            List<ConfigurationPropertyName> containers) {
        if (!type.isRecord()) {
            // A settings class with setters: its properties are not read here, so anything below it is taken.
            containers.add(ConfigurationPropertyName.of(prefix));
            return;
        }
        for (RecordComponent component : type.getRecordComponents()) {
            String name = prefix + "." + kebab(component.getName());
            Class<?> value = component.getType();
            if (value.isRecord() && value.getPackageName().startsWith("io.p2psync")) {
                collect(name, value, leaves, containers);
            } else if (Map.class.isAssignableFrom(value) || Collection.class.isAssignableFrom(value) || value.isArray()) {
                containers.add(ConfigurationPropertyName.of(name));
            } else {
                leaves.add(ConfigurationPropertyName.of(name));
            }
        }
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    private static String plain(String name) {
        return name.replace("-", "").toLowerCase(Locale.ROOT);
    }

    /** Levenshtein distance: the fewest inserted, deleted or replaced characters that turn one into the other. */
    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int replace = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(replace, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
