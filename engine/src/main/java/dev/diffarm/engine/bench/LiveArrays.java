package dev.diffarm.engine.bench;

import ai.djl.ndarray.NDManager;

/**
 * Counts the NDArrays not yet closed in the whole process: every base manager is a child of DJL's system manager, and
 * {@link NDManager#getManagedArrays()} walks a manager's children, so one walk from the top sees every run's arrays.
 * Costs a walk over the attached resources (thousands on the tiny model), fine between training steps.
 */
public final class LiveArrays {
    private LiveArrays() {
    }

    public static int count() {
        try (NDManager probe = NDManager.newBaseManager()) {
            return probe.getParentManager().getManagedArrays().size();
        }
    }
}
