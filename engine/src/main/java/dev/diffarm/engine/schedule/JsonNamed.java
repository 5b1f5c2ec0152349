package dev.diffarm.engine.schedule;

/** A configuration value with the spelling diffusers uses for it in {@code scheduler_config.json}. */
interface JsonNamed {
    String jsonName();
}
