package dev.diffarm.engine.prompt;

/**
 * One entry of a prompt's schedule: {@code text} is the prompt up to and including step {@code endStep}
 * (A1111's {@code end_at_step}, compared with the 0-based step the sampler is at: the entry applies while
 * {@code step <= endStep} and no earlier entry does).
 */
public record ScheduledPrompt(int endStep, String text) {
}
