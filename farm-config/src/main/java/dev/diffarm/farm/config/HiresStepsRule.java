package dev.diffarm.farm.config;

/** How a hires pass counts its steps ({@code hrStepsRule}). */
public enum HiresStepsRule {
    /** AUTOMATIC1111's: the last N steps of an {@code int(N / strength)}-step schedule (the default). */
    A1111("a1111"),
    /** diffusers': the last {@code int(N * strength)} steps of an N-step schedule. */
    DIFFUSERS("diffusers");

    private final String id;

    HiresStepsRule(String id) {
        this.id = id;
    }

    /** The name in JSON. */
    public String id() {
        return id;
    }
}
