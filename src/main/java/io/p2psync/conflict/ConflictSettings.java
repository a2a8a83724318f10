package io.p2psync.conflict;

import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Conflict settings under {@code p2psync.conflicts.*}.
 *
 * @param defaultPolicy the policy of every table not named in {@code policy}; {@code merge} by default
 * @param policy        per-table policy, e.g. {@code p2psync.conflicts.policy.notes=merge}
 */
@ConfigurationProperties("p2psync.conflicts")
public record ConflictSettings(
        @DefaultValue("merge") ConflictPolicy defaultPolicy,
        @DefaultValue Map<String, ConflictPolicy> policy) {

    public ConflictSettings {
        if (defaultPolicy == null) {
            defaultPolicy = ConflictPolicy.MERGE;
        }
        policy = policy == null ? Map.of() : Map.copyOf(policy);
    }

    /** Every table on the default policy. */
    public static ConflictSettings defaults() {
        return new ConflictSettings(ConflictPolicy.MERGE, Map.of());
    }

    /** The same policy for every table. */
    public static ConflictSettings everywhere(ConflictPolicy policy) {
        return new ConflictSettings(policy, Map.of());
    }

    public ConflictPolicy policyFor(String table) {
        return policy.getOrDefault(table, defaultPolicy);
    }
}
