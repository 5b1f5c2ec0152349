package dev.diffarm.daemon.job;

import dev.diffarm.engine.train.LoraTrainingRun;
import dev.diffarm.engine.train.StepReport;
import java.io.IOException;
import java.nio.file.Path;

/** What a {@link TrainingRunner} tells while it trains. */
interface TrainingListener {

    /** Step {@code report} is done; {@code current} writes the weights it left, to render samples with. */
    void stepped(StepReport report, LoraTrainingRun.Snapshot current) throws IOException;

    /** The whole training state after {@code step} is complete in {@code folder} (the engine's state folder). */
    void stateSaved(long step, Path folder) throws IOException;
}
