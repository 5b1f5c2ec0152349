package dev.diffarm.engine.pipeline;

/** The training timestep a UNet is called with for a noise level of the run's schedule. */
@FunctionalInterface
public interface SigmaToTimestep {
    float timestepOf(double sigma);
}
