package dev.diffarm.daemon.job;

import java.util.List;

/** One job's work as its kind's {@link JobHandler} planned it. */
public interface JobWork {

    /** The tasks, in the order they run; the same job always has the same tasks. */
    List<? extends TaskWork> tasks();

    /**
     * Makes and stores what shows the job as a whole, once every task is stored (a gallery, a sheet of samples);
     * returns the keys stored, which the {@code completed} event lists after the tasks' keys. Nothing by default.
     */
    default List<String> storeOverview() {
        return List.of();
    }
}
