package dev.diffarm.daemon.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.diffarm.daemon.port.Delivery;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Whose a job from a queue is: the tenant its record names only where the farm trusts its source. */
class DeliveredTenantTest {
    @Test
    void aRecordsTenantIsBelievedOnlyWhenTrusted() {
        JobIntake trusting = intake(new IntakePolicy(IntakePolicy.DEFAULT_MAX_JOB_BYTES, true));
        JobIntake doubting = intake(IntakePolicy.DEFAULTS);

        assertEquals("acme", trusting.tenantOf(naming(Optional.of("acme"))));
        assertEquals(Tenants.DEFAULT, trusting.tenantOf(naming(Optional.empty())));
        assertEquals(Tenants.DEFAULT, trusting.tenantOf(naming(Optional.of("../acme\nforged"))), "an unsafe name");
        assertEquals(Tenants.DEFAULT, doubting.tenantOf(naming(Optional.of("acme"))));
    }

    private static JobIntake intake(IntakePolicy policy) {
        return new JobIntake(null, null, null, policy);
    }

    private static Delivery naming(Optional<String> tenant) {
        return new Delivery() {
            @Override
            public byte[] payload() {
                return new byte[0];
            }

            @Override
            public String origin() {
                return "test";
            }

            @Override
            public Optional<String> tenant() {
                return tenant;
            }

            @Override
            public void acknowledge() {
            }

            @Override
            public void deadLetter(String reason) {
            }
        };
    }
}
