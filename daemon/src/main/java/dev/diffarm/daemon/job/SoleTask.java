package dev.diffarm.daemon.job;

/**
 * The one task of a job that is a single piece of work (a merge, a training): its id, key and parameter hash are fixed
 * by the job, and whether it is stored it tells only while it runs ({@link TaskWork.Outcome#FOUND_MADE}).
 */
abstract class SoleTask implements TaskWork {
    private final String id;
    private final String key;
    private final String parameterHash;

    SoleTask(String id, String key, String parameterHash) {
        this.id = id;
        this.key = key;
        this.parameterHash = parameterHash;
    }

    @Override
    public final String id() {
        return id;
    }

    @Override
    public final String key() {
        return key;
    }

    @Override
    public final String parameterHash() {
        return parameterHash;
    }

    @Override
    public final boolean isStored() {
        return false;
    }
}
