package io.p2psync.conflict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class ConflictSettingsTest {

    private static ConflictSettings bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties))
                .bindOrCreate("p2psync.conflicts", ConflictSettings.class);
    }

    @Test
    void everyTableIsOnMergeByDefault() {
        assertThat(bind(Map.of()).policyFor("sync_kv")).isEqualTo(ConflictPolicy.MERGE);
    }

    @Test
    void readsLowercasePoliciesPerTableAndADefault() {
        ConflictSettings s = bind(Map.of(
                "p2psync.conflicts.default-policy", "remote",
                "p2psync.conflicts.policy.notes", "merge",
                "p2psync.conflicts.policy.[Todo.Items]", "manual"));
        assertThat(s.policyFor("notes")).isEqualTo(ConflictPolicy.MERGE);
        assertThat(s.policyFor("Todo.Items")).isEqualTo(ConflictPolicy.MANUAL);
        assertThat(s.policyFor("sync_kv")).isEqualTo(ConflictPolicy.REMOTE);
    }

    @Test
    void refusesAnUnknownPolicy() {
        assertThatThrownBy(() -> bind(Map.of("p2psync.conflicts.policy.notes", "newest")))
                .isInstanceOf(BindException.class);
    }
}
