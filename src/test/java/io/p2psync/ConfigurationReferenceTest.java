package io.p2psync;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.type.filter.AnnotationTypeFilter;

/** The README's configuration table names every {@code p2psync.*} property the code binds. */
class ConfigurationReferenceTest {

    @Test
    void readmeListsEveryP2psyncProperty() throws Exception {
        String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
        List<String> properties = properties();

        assertThat(properties).as("properties found in the code").contains("p2psync.data-dir",
                "p2psync.sync.retry.max-attempts", "p2psync.console.enabled");
        assertThat(properties).allSatisfy(property ->
                assertThat(readme).as("README lists %s", property).contains("| `" + property));
    }

    private static List<String> properties() throws ClassNotFoundException {
        ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false) {
            @Override
            protected boolean isCandidateComponent(
                    org.springframework.beans.factory.annotation.AnnotatedBeanDefinition definition) {
                return true; // records and package-private classes too
            }
        };
        scanner.addIncludeFilter(new AnnotationTypeFilter(ConfigurationProperties.class));
        List<String> properties = new ArrayList<>();
        for (var candidate : scanner.findCandidateComponents("io.p2psync")) {
            Class<?> type = Class.forName(candidate.getBeanClassName());
            ConfigurationProperties annotation = type.getAnnotation(ConfigurationProperties.class);
            String prefix = annotation.prefix().isEmpty() ? annotation.value() : annotation.prefix();
            if (prefix.startsWith("p2psync")) {
                collect(prefix, type, properties);
            }
        }
        return properties;
    }

    private static void collect(String prefix, Class<?> type, List<String> into) {
        if (!type.isRecord()) {
            throw new AssertionError(type + " binds " + prefix + " but is not a record; teach this test its fields");
        }
        for (RecordComponent component : type.getRecordComponents()) {
            String name = prefix + "." + kebab(component.getName());
            Class<?> value = component.getType();
            if (value.isRecord() && value.getPackageName().startsWith("io.p2psync")) {
                collect(name, value, into);
            } else if (Map.class.isAssignableFrom(value)) {
                into.add(name + ".");
            } else {
                into.add(name);
            }
        }
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }
}
