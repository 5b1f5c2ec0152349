package dev.diffarm.daemon.rest;

import dev.diffarm.daemon.event.EventBroadcaster;
import dev.diffarm.daemon.job.JobIntake;
import dev.diffarm.daemon.job.JobRegistry;
import dev.diffarm.daemon.job.JobStatus;
import dev.diffarm.daemon.job.TrackedJob;
import dev.diffarm.farm.config.EventError;
import dev.diffarm.farm.config.JobEvent;
import dev.diffarm.farm.config.ParseResult;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.net.URI;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Jobs over HTTP: {@code POST /jobs} submits one (the same JSON as on Kafka), {@code GET /jobs/{id}} tells
 * where it stands, {@code DELETE /jobs/{id}} cancels it, {@code GET /jobs/{id}/events} streams its events.
 */
@Path("/jobs")
@Produces(MediaType.APPLICATION_JSON)
public class JobResource {
    /** Event types after which a job has nothing more to say. */
    private static final Set<String> LAST_EVENTS = Set.of(JobEvent.Completed.TYPE, JobEvent.Failed.TYPE,
            JobEvent.Rejected.TYPE);

    private final JobIntake intake;
    private final JobRegistry registry;
    private final EventBroadcaster broadcaster;

    JobResource(JobIntake intake, JobRegistry registry, EventBroadcaster broadcaster) {
        this.intake = intake;
        this.registry = registry;
        this.broadcaster = broadcaster;
    }

    /**
     * Validates a job and queues it: 202 with its status and {@code Location}, or 400 with every problem
     * ({@code field}, value, what was expected), or 503 when the queue cannot take it.
     */
    @POST
    public Response submit(byte[] body) {
        ParseResult result;
        try {
            result = intake.submit(body);
        } catch (RuntimeException e) {
            return ApiErrors.response(Response.Status.SERVICE_UNAVAILABLE, ApiErrors.QUEUE_UNAVAILABLE,
                    "the job could not be queued: " + e.getMessage());
        }
        if (result instanceof ParseResult.Invalid invalid) {
            return ApiErrors.response(Response.Status.BAD_REQUEST, invalid.errors().stream().map(EventError::of).toList());
        }
        String id = result.orElseThrow().id();
        JobStatus status = registry.find(id).map(TrackedJob::status).orElseThrow();
        return Response.accepted(status).location(URI.create("/jobs/" + id)).build();
    }

    @GET
    @Path("{id}")
    public Response status(@PathParam("id") String id) {
        return registry.find(id).map(job -> Response.ok(job.status()).build()).orElseGet(() -> ApiErrors.unknownJob(id));
    }

    /** Cancels a job: 202 when it is cancelled or will stop before its next step, 409 when it had ended. */
    @DELETE
    @Path("{id}")
    public Response cancel(@PathParam("id") String id) {
        Optional<TrackedJob.CancelOutcome> outcome = intake.cancel(id);
        if (outcome.isEmpty()) {
            return ApiErrors.unknownJob(id);
        }
        if (outcome.get() == TrackedJob.CancelOutcome.ALREADY_ENDED) {
            return ApiErrors.response(Response.Status.CONFLICT, ApiErrors.JOB_ENDED, "job " + id + " has already ended ("
                    + registry.find(id).map(job -> job.state().label()).orElse("forgotten") + ")");
        }
        return Response.accepted(registry.find(id).map(TrackedJob::status).orElseThrow()).build();
    }

    /**
     * The job's events as server-sent events (event name = the event's {@code type}, data = its JSON): those
     * already published, then new ones as they happen; the stream ends after the job's last event.
     */
    @GET
    @Path("{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void events(@PathParam("id") String id, @Context SseEventSink sink, @Context Sse sse) {
        if (registry.find(id).isEmpty() && broadcaster.history(id).isEmpty()) {
            throw new NotFoundException(ApiErrors.unknownJob(id));
        }
        // Subscribed after this method has returned: the replay of a finished job's events closes the stream, and a
        // stream closed before the method returns makes the framework write a second response.
        CompletableFuture.runAsync(() -> stream(id, sink, sse));
    }

    private void stream(String id, SseEventSink sink, Sse sse) {
        AtomicReference<EventBroadcaster.Subscription> subscription = new AtomicReference<>();
        subscription.set(broadcaster.subscribe(id, event -> {
            if (sink.isClosed()) {
                unsubscribe(subscription);
                return;
            }
            sink.send(sse.newEventBuilder().name(event.type())
                    .data(event.toJson()).build());
            // A replayed last event of an earlier attempt does not end the stream while a new attempt runs.
            if (LAST_EVENTS.contains(event.type()) && registry.find(id).map(job -> job.state().isFinal()).orElse(true)) {
                sink.close();
                unsubscribe(subscription);
            }
        }));
        if (sink.isClosed()) {
            unsubscribe(subscription);
        }
    }

    private static void unsubscribe(AtomicReference<EventBroadcaster.Subscription> subscription) {
        EventBroadcaster.Subscription registered = subscription.get();
        if (registered != null) {
            registered.close();
        }
    }
}
