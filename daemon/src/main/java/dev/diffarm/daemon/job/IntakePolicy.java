package dev.diffarm.daemon.job;

/**
 * What the intake accepts beyond the job contract.
 *
 * @param maxJobBytes        the largest submission, and the largest job with its defaults written out (what goes
 *                           onto the queue: kept under Kafka's record limit, 1 MiB by default), in bytes
 * @param trustSourceTenants whether a delivery's own {@code tenant()} is believed (the daemon's own local queue, a
 *                           trusted Kafka topic), or every delivered job belongs to {@value Tenants#DEFAULT}; then the
 *                           REST intake refuses the jobs of other tenants, which would lose their tenant on the way
 * @param budget             what one image may cost this node; a job beyond it is rejected
 */
public record IntakePolicy(int maxJobBytes, boolean trustSourceTenants, NodeBudget budget) {
    /** The setting that changes {@link #maxJobBytes}, for messages. */
    public static final String MAX_JOB_BYTES_SETTING = "DIFFARM_MAX_JOB_BYTES";
    /** 1,000,000 bytes, under Kafka's default record limit of 1,048,576 with room for the record's key and headers. */
    public static final int DEFAULT_MAX_JOB_BYTES = 1_000_000;
    /** The defaults: {@link #DEFAULT_MAX_JOB_BYTES}, no tenant from sources, {@link NodeBudget#ofThisMachine()}. */
    public static final IntakePolicy DEFAULTS = new IntakePolicy(DEFAULT_MAX_JOB_BYTES, false);

    /** A policy with {@link NodeBudget#ofThisMachine()}. */
    public IntakePolicy(int maxJobBytes, boolean trustSourceTenants) {
        this(maxJobBytes, trustSourceTenants, NodeBudget.ofThisMachine());
    }

    public IntakePolicy {
        if (maxJobBytes < 1) {
            throw new IllegalArgumentException(MAX_JOB_BYTES_SETTING + " = " + maxJobBytes
                    + ": expected a positive number of bytes");
        }
    }
}
