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

    @Test
    void aTenantNamedWhereNoneIsTrustedOrAnUnsafeNameGoesToTheDeadLetters() {
        JobIntake trusting = intake(new IntakePolicy(IntakePolicy.DEFAULT_MAX_JOB_BYTES, true));
        JobIntake doubting = intake(IntakePolicy.DEFAULTS);

        assertEquals(Optional.of("the record names tenant \"acme\" in its diffarm-tenant header, but this daemon does not "
                + "trust its jobs topic to name tenants (DIFFARM_KAFKA_TRUST_TENANT_HEADER is false)"),
                doubting.tenantRefusal(naming(Optional.of("acme"))));
        assertEquals(Optional.empty(), doubting.tenantRefusal(naming(Optional.of(Tenants.DEFAULT))));
        assertEquals(Optional.empty(), doubting.tenantRefusal(naming(Optional.empty())));
        assertEquals(Optional.empty(), trusting.tenantRefusal(naming(Optional.of("acme"))));
        assertEquals(Optional.of("diffarm-tenant header \"../acme?forged\": expected " + Tenants.EXPECTED),
                trusting.tenantRefusal(naming(Optional.of("../acme\nforged"))), "an unsafe name, its line break shown as ?");
    }

    @Test
    void theLifecycleMovesSuchARecordToTheDeadLettersUnrun(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        dev.diffarm.daemon.LocalFarm farm = new dev.diffarm.daemon.LocalFarm(dir.resolve("local"),
                dev.diffarm.daemon.TinyModel.modelsDir(dir.resolve("models")), (task, progress) -> {
                    throw new AssertionError("a refused record renders nothing");
                });
        java.util.List<String> deadLetters = new java.util.ArrayList<>();
        byte[] job = dev.diffarm.daemon.TinyModel.renderJob("claimed", "[\"a\"]", "[1]", 2)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        farm.lifecycle.handle(naming(Optional.of("globex"), job, deadLetters));
        assertEquals(1, deadLetters.size());
        assertEquals(true, deadLetters.get(0).startsWith("the record names tenant \"globex\""), deadLetters.get(0));
        assertEquals(Optional.empty(), farm.registry.find("claimed"), "no attempt: the job never ran");
    }

    @Test
    void aRestJobOfAnotherTenantIsRefusedWhereItsTenantWouldBeLostOnTheWay() {
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> intake(IntakePolicy.DEFAULTS).submit(new byte[0], "acme"));
        assertEquals("a job of tenant \"acme\" cannot be queued on this farm's jobs topic: its daemons do not trust the"
                + " topic to name tenants (DIFFARM_KAFKA_TRUST_TENANT_HEADER is false) and would move the job to the dead"
                + " letters", e.getMessage());
    }

    private static JobIntake intake(IntakePolicy policy) {
        return new JobIntake(null, null, null, policy);
    }

    private static Delivery naming(Optional<String> tenant) {
        return naming(tenant, new byte[0], new java.util.ArrayList<>());
    }

    private static Delivery naming(Optional<String> tenant, byte[] payload, java.util.List<String> deadLetters) {
        return new Delivery() {
            @Override
            public byte[] payload() {
                return payload;
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
                deadLetters.add(reason);
            }
        };
    }
}
