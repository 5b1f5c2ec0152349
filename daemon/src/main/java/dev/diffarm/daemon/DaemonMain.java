package dev.diffarm.daemon;

import dev.diffarm.daemon.demo.DemoRun;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import jakarta.enterprise.inject.Instance;
import java.io.IOException;
import java.util.Arrays;

/**
 * The daemon's command line: no arguments serve jobs until the process is stopped; {@code demo} runs the demo
 * campaign ({@link DemoRun}) through the started daemon and exits with its outcome.
 */
@QuarkusMain
public class DaemonMain implements QuarkusApplication {
    private static final String USAGE = "expected no argument (serve jobs until stopped) or demo (render the demo "
            + "campaign through this daemon, then stop)";

    /** Looked up only for the demo: serving never creates it. */
    private final Instance<DemoRun> demo;

    DaemonMain(Instance<DemoRun> demo) {
        this.demo = demo;
    }

    @Override
    public int run(String... args) throws InterruptedException {
        if (args.length == 0) {
            Quarkus.waitForExit();
            return 0;
        }
        if (args.length == 1 && args[0].equals("demo")) {
            try {
                return demo.get().run(System.out);
            } catch (IOException e) {
                System.err.println("diffarm demo: " + e.getMessage());
                return 1;
            }
        }
        System.err.println("diffarm daemon: arguments " + Arrays.toString(args) + ": " + USAGE);
        return 2;
    }
}
