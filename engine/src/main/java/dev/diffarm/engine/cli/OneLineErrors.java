package dev.diffarm.engine.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CancellationException;
import picocli.CommandLine;

/**
 * Failures reach the user as one line that says what was wrong, with a non-zero exit code; a stack trace
 * only for bugs (an exception no layer of diffarm explained), and then with a request to report it.
 */
final class OneLineErrors implements CommandLine.IExecutionExceptionHandler {
    static final int FAILED = 1;
    static final int USAGE = 2;

    @Override
    public int handleExecutionException(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        if (isExplained(e)) {
            cli.getErr().println("diffarm: error: " + e.getMessage());
            return e instanceof IllegalArgumentException ? USAGE : FAILED;
        }
        cli.getErr().println("diffarm: internal error (please report it): " + e);
        e.printStackTrace(cli.getErr());
        return FAILED;
    }

    private static boolean isExplained(Exception e) {
        return e instanceof IllegalArgumentException || e instanceof IllegalStateException
                || e instanceof IOException || e instanceof UncheckedIOException || e instanceof CancellationException
                || e.getClass().getPackageName().startsWith("dev.diffarm");
    }

    static int usage(CommandLine.ParameterException e, String[] args) {
        CommandLine cli = e.getCommandLine();
        cli.getErr().println("diffarm: " + e.getMessage());
        cli.getErr().println("Try '" + cli.getCommandSpec().qualifiedName() + " --help' for the options.");
        return USAGE;
    }
}
