package io.p2psync.peers;

import org.springframework.boot.context.properties.ConfigurationPropertiesBinding;
import org.springframework.core.convert.converter.Converter;
import org.springframework.stereotype.Component;

/** Binds {@code p2psync.peers} given as text ({@code url} or {@code deviceId@url}). */
@Component
@ConfigurationPropertiesBinding
class ConfiguredPeerConverter implements Converter<String, ConfiguredPeer> {

    @Override
    public ConfiguredPeer convert(String source) {
        return ConfiguredPeer.parse(source);
    }
}
