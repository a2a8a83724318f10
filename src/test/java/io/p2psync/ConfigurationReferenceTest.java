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
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.type.filter.AnnotationTypeFilter;

/**
 * The README's configuration table names every {@code p2psync.*} property the code binds, with the default
 * the code declares where it declares one with {@code @DefaultValue}.
 */
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

    @Test
    void readmeGivesTheDefaultsTheCodeDeclares() throws Exception {
        String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
        Map<String, String> defaults = new java.util.LinkedHashMap<>();
        for (Class<?> type : settingsTypes()) {
            String prefix = prefix(type);
            RecordComponent[] components = type.getRecordComponents();
            // @DefaultValue lands on the canonical constructor's parameters, not on the record components.
            java.lang.reflect.Parameter[] parameters = type.getDeclaredConstructor(
                    java.util.Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new))
                    .getParameters();
            for (int i = 0; i < components.length; i++) {
                DefaultValue value = parameters[i].getAnnotation(DefaultValue.class);
                if (value != null && value.value().length == 1) {
                    defaults.put(prefix + "." + kebab(components[i].getName()), value.value()[0]);
                }
            }
        }

        assertThat(defaults).as("declared defaults").containsEntry("p2psync.kv.max-value-size", "64KB");
        defaults.forEach((property, value) -> assertThat(readme).as("README default of %s", property)
                .contains("| `" + property + "` | `" + value + "` |"));
    }

    private static List<String> properties() throws ClassNotFoundException {
        List<String> properties = new ArrayList<>();
        for (Class<?> type : settingsTypes()) {
            collect(prefix(type), type, properties);
        }
        return properties;
    }

    private static String prefix(Class<?> type) {
        ConfigurationProperties annotation = type.getAnnotation(ConfigurationProperties.class);
        return annotation.prefix().isEmpty() ? annotation.value() : annotation.prefix();
    }

    /** Every {@code @ConfigurationProperties} type of the service bound under {@code p2psync}. */
    private static List<Class<?>> settingsTypes() throws ClassNotFoundException {
        ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false) {
            @Override
            protected boolean isCandidateComponent(
                    org.springframework.beans.factory.annotation.AnnotatedBeanDefinition definition) {
                return true; // records and package-private classes too
            }
        };
        scanner.addIncludeFilter(new AnnotationTypeFilter(ConfigurationProperties.class));
        List<Class<?>> types = new ArrayList<>();
        for (var candidate : scanner.findCandidateComponents("io.p2psync")) {
            Class<?> type = Class.forName(candidate.getBeanClassName());
            if (prefix(type).startsWith("p2psync")) {
                types.add(type);
            }
        }
        return types;
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
