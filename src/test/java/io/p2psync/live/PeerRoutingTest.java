package io.p2psync.live;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.host.Host;
import io.p2psync.p2p.identify.IdentifyProtocol;
import io.p2psync.p2p.kad.DhtNode;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** Looking up a paired device that is offline, as the live node does every 30 s: said once, not every time. */
class PeerRoutingTest {

    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(PeerRouting.class);
    private Host host;
    private PeerRouting routing;

    @AfterEach
    void stop() {
        logger.detachAppender(logged);
        logger.setLevel(null); // back to what the configuration gives
        if (routing != null) {
            routing.stop();
        }
        if (host != null) {
            host.close();
        }
    }

    @Test
    void aPeerTheDhtCannotFindIsReportedOnceNotOnEveryLookup() throws Exception {
        AtomicReference<Host> self = new AtomicReference<>();
        IdentifyProtocol identify = DhtNode.identify(self::get);
        host = Host.builder().privateKey(PrivateKey.generate()).listen("/ip4/127.0.0.1/tcp/0").protocol(identify)
                .start();
        self.set(host);
        routing = new PeerRouting(new Binder(new MapConfigurationPropertySource(Map.of()))
                .bindOrCreate("p2psync.libp2p", RoutingSettings.class));
        routing.start(host, identify).get(10, TimeUnit.SECONDS); // no bootstrap peers: nobody to ask
        logged.start();
        logger.addAppender(logged);
        logger.setLevel(Level.INFO);
        PeerId offline = PeerId.fromPublicKey(PrivateKey.generate().publicKey());

        for (int i = 0; i < 3; i++) {
            assertThat(routing.find(offline)).isEmpty();
        }

        assertThat(logged.list).filteredOn(e -> e.getLevel() == Level.INFO)
                .extracting(ILoggingEvent::getFormattedMessage)
                .containsExactly("the DHT does not know where " + offline + " is (further misses are logged at debug level)");
    }
}
