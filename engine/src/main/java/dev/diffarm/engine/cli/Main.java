package dev.diffarm.engine.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code diffarm} command line. */
@Command(name = "diffarm", mixinStandardHelpOptions = true, version = "diffarm 0.1.0",
        description = "Stable Diffusion 1.x rendering in Java, numerically identical to diffusers.",
        subcommands = {RenderCommand.class, Img2ImgCommand.class, InpaintCommand.class, OutpaintCommand.class,
                UpscaleCommand.class,
                SamplersCommand.class, EncodeCommand.class, MergeCommand.class, BenchCommand.class, TrainCommand.class,
                ParityCommand.class,
                DemoTrainCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code: 0 success, 1 failed work, 2 bad usage. */
    public static int run(String... args) {
        return run(new Main(), args);
    }

    /** Runs {@code command} with the command line's error handling: one line per error, exit codes as {@link #run}. */
    static int run(Object command, String... args) {
        CommandLine cli = new CommandLine(command);
        cli.setExecutionExceptionHandler(new OneLineErrors());
        cli.setParameterExceptionHandler(OneLineErrors::usage);
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
