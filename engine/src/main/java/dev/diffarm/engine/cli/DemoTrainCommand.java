package dev.diffarm.engine.cli;

import dev.diffarm.engine.demo.DemoBaseModel;
import dev.diffarm.engine.demo.DemoTrain;
import dev.diffarm.engine.demo.MotifImages;
import dev.diffarm.engine.demo.MotifRedness;
import dev.diffarm.engine.plugins.SamplerPlugins;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code diffarm demo-train} ({@code scripts/diffarm demo train}): the training demo of {@link DemoTrain}. */
@Command(name = "demo-train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trains a LoRA on the demo model from six images it draws itself, each a red disc in the "
                + "top-left corner on a plain background captioned '<colour> background, zwx motif', then renders the "
                + "six captions, each with its own seed, without and with the LoRA onto one sheet: rows 'training', "
                + "'base' and 'with LoRA', and prints how red the disc's corner is in each row. The base model is the "
                + "demo model whose UNet was first taught (once per home folder, a few minutes) to render plain "
                + "backgrounds named by their colours, none with a disc. Needs no checkpoint and no network."})
final class DemoTrainCommand implements Callable<Integer> {
    @Option(names = "--home", defaultValue = ".diffarm/demo-train", paramLabel = "DIR",
            description = "Where the model, the images, the LoRA and the sheet go. Default: ${DEFAULT-VALUE}.")
    Path home;

    @Option(names = "--steps", paramLabel = "N", description = "The LoRA's training steps. Default: " + DemoTrain.DEFAULT_STEPS + ".")
    int steps = DemoTrain.DEFAULT_STEPS;

    @Mixin
    PluginOptions pluginOptions;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        DemoTrain.Result result;
        try (SamplerPlugins plugins = pluginOptions.open()) {
            result = DemoTrain.run(home, plugins, steps, new DemoTrain.StepListeners(
                    new TrainingProgressLine(System.out, DemoBaseModel.PRETRAINING_STEPS, "base model "),
                    new TrainingProgressLine(System.out, steps, "LoRA ")));
        }
        System.out.printf("red of the disc in its corner (0: none; the training images: %.2f): base %.3f, with LoRA %.3f%n",
                MotifRedness.of(MotifImages.BACKGROUNDS.stream().map(MotifImages::draw).toList()),
                MotifRedness.of(result.base()), MotifRedness.of(result.withLora()));
        System.out.println("LoRA: " + result.lora().toAbsolutePath());
        System.out.println("sheet: " + result.sheet().toAbsolutePath());
        System.out.printf("demo train took %.1f s%n", (System.nanoTime() - start) / 1e9);
        return 0;
    }
}
