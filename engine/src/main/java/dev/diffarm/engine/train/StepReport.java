package dev.diffarm.engine.train;

/**
 * What one optimizer step did.
 *
 * @param step        the step just finished, from 1
 * @param loss        the mean of its micro-batch losses
 * @param microLosses each micro-batch's loss
 * @param lr          the learning rate it used
 * @param gradNorm    the total gradient norm before clipping
 */
public record StepReport(long step, double loss, float[] microLosses, double lr, float gradNorm) {
    public StepReport {
        microLosses = microLosses.clone();
    }

    @Override
    public float[] microLosses() {
        return microLosses.clone();
    }
}
