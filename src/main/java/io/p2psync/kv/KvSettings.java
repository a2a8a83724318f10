package io.p2psync.kv;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Limits on key-value input, under {@code p2psync.kv}.
 *
 * @param maxKeySize   longest key, in UTF-8 bytes (longer: 400)
 * @param maxValueSize longest value, in UTF-8 bytes (longer: 413)
 */
@ConfigurationProperties("p2psync.kv")
public record KvSettings(@DefaultValue("256B") DataSize maxKeySize, @DefaultValue("64KB") DataSize maxValueSize) {
}
