package io.p2psync.devices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.dao.DataAccessResourceFailureException;

/** The cache answers the authorized devices of its last reload, and nothing from a list a failed reload left. */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AuthorizedDevicesTest {

    private final DeviceRepository devices = mock(DeviceRepository.class);
    private final PeerId laptop = PrivateKey.generate().peerId();
    private final PeerId phone = PrivateKey.generate().peerId();

    @Test
    void answersTheAuthorizedDevicesOfTheLastReload() {
        when(devices.findAll()).thenReturn(List.of(device(laptop, DeviceStatus.AUTHORIZED),
                device(phone, DeviceStatus.PENDING)));
        AuthorizedDevices authorized = new AuthorizedDevices(devices);

        assertThat(authorized.test(laptop)).isTrue();
        assertThat(authorized.test(phone)).isFalse();
        assertThat(authorized.find(laptop)).get().extracting(Device::name).isEqualTo("laptop");
        assertThat(authorized.all()).extracting(Device::deviceId).containsExactly(laptop);

        when(devices.findAll()).thenReturn(List.of(device(laptop, DeviceStatus.REVOKED),
                device(phone, DeviceStatus.AUTHORIZED)));
        assertThat(authorized.refresh()).as("newly authorized").containsExactly(phone);
        assertThat(authorized.find(laptop)).isEmpty();
        assertThat(authorized.test(phone)).isTrue();
    }

    @Test
    void aReloadThatFailsLeavesNothingToAnswerFromAndIsTriedAgainWhenAsked() {
        when(devices.findAll()).thenReturn(List.of(device(laptop, DeviceStatus.AUTHORIZED)));
        AuthorizedDevices authorized = new AuthorizedDevices(devices);
        // the laptop is revoked, and the file is busy when the cache reloads
        when(devices.findAll()).thenThrow(new DataAccessResourceFailureException("database is locked"));

        assertThatThrownBy(authorized::refresh).isInstanceOf(DataAccessResourceFailureException.class);
        assertThat(authorized.test(laptop)).as("while the file cannot be read").isFalse();
        assertThatThrownBy(() -> authorized.find(laptop)).isInstanceOf(DataAccessResourceFailureException.class);

        doReturn(List.of(device(laptop, DeviceStatus.REVOKED))).when(devices).findAll();
        assertThat(authorized.find(laptop)).isEmpty();
        assertThat(authorized.test(laptop)).isFalse();
    }

    @Test
    void answersFromTheListItHasWhileAReloadReadsTheFile() throws Exception {
        when(devices.findAll()).thenReturn(List.of(device(laptop, DeviceStatus.AUTHORIZED)));
        AuthorizedDevices authorized = new AuthorizedDevices(devices);
        CountDownLatch reading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        when(devices.findAll()).thenAnswer(call -> {
            reading.countDown();
            release.await();
            return List.of(device(laptop, DeviceStatus.REVOKED));
        });
        Thread reload = new Thread(authorized::refresh);
        reload.setDaemon(true);
        reload.start();
        assertThat(reading.await(10, TimeUnit.SECONDS)).isTrue();

        // a frame checked on an event loop meanwhile is answered at once, from the list read before
        assertThat(authorized.test(laptop)).isTrue();
        assertThat(authorized.find(laptop)).isPresent();

        release.countDown();
        reload.join(10_000);
        assertThat(authorized.test(laptop)).isFalse();
    }

    private Device device(PeerId id, DeviceStatus status) {
        return new Device(id, id.equals(laptop) ? "laptop" : "phone", null, status, null, null, null, Instant.now());
    }
}
