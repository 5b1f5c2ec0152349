package dev.diffarm.farm.config;

import java.util.List;

/**
 * A job that renders images: a {@link RenderJob} or a {@link Campaign}. It expands into tasks, one image each, in
 * a fixed order ({@link #plan()}).
 */
public sealed interface ImageJob extends Job permits RenderJob, Campaign {

    /** The prompts, in the order given, each listed once. */
    List<String> prompts();

    /** The seeds, in the order given, each listed once. */
    List<Long> seeds();

    /** The settings every image shares. */
    RenderSettings settings();

    /** The job's tasks in their fixed order, with ids, object keys and parameter hashes. */
    Plan plan();
}
