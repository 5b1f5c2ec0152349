package dev.diffarm.daemon.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.diffarm.farm.config.Job;
import dev.diffarm.farm.config.JobParser;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class TenantQuotaTest {
    @Test
    void holdsUnderTwentyConcurrentSubmissions() throws Exception {
        JobRegistry registry = new JobRegistry(100, new TenantQuota(5, 100, 1000));
        TrackedJob first;
        ExecutorService threads = Executors.newFixedThreadPool(20);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<JobRegistry.Admission>> admissions = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                Job job = job("j" + i, 1);
                admissions.add(threads.submit(() -> {
                    start.await();
                    return registry.queue(job, "acme");
                }));
            }
            start.countDown();
            List<TrackedJob> queued = new ArrayList<>();
            for (Future<JobRegistry.Admission> admission : admissions) {
                if (admission.get() instanceof JobRegistry.Admission.OverQuota over) {
                    assertEquals("the tenant has 5 jobs queued or running: the quota is 5 (DIFFARM_QUOTA_ACTIVE_JOBS)",
                            over.message());
                } else {
                    queued.add(((JobRegistry.Admission.Queued) admission.get()).attempt());
                }
            }
            assertEquals(5, queued.size());
            first = queued.get(0);
        } finally {
            threads.shutdownNow();
        }
        assertInstanceOf(JobRegistry.Admission.Queued.class, registry.queue(job("other", 1), "globex"),
                "another tenant has its own quota");
        JobRegistry.Admission sameJob = registry.queue(job(first.id(), 1), "acme");
        assertEquals(new JobRegistry.Admission.Queued(first), sameJob, "resubmitting a queued job takes no more quota");
    }

    @Test
    void namesTheTaskLimits() {
        JobRegistry registry = new JobRegistry(100, new TenantQuota(10, 3, 5));
        assertEquals(new JobRegistry.Admission.OverQuota("job big has 4 tasks: the quota is 3 tasks per job "
                + "(DIFFARM_QUOTA_TASKS_PER_JOB)"), registry.queue(job("big", 4), "acme"));
        assertInstanceOf(JobRegistry.Admission.Queued.class, registry.queue(job("a", 3), "acme"));
        assertEquals(new JobRegistry.Admission.OverQuota("the tenant has 3 tasks queued or running and the job adds 3: "
                + "the quota is 5 (DIFFARM_QUOTA_QUEUED_TASKS)"), registry.queue(job("b", 3), "acme"));
    }

    private static Job job(String id, int prompts) {
        StringBuilder list = new StringBuilder();
        for (int i = 0; i < prompts; i++) {
            list.append(i == 0 ? "" : ",").append("\"p").append(i).append('"');
        }
        return new JobParser().parse("{\"apiVersion\":\"diffarm/v1\",\"kind\":\"render\",\"id\":\"" + id
                + "\",\"model\":\"m\",\"prompts\":[" + list + "]}").orElseThrow();
    }
}
