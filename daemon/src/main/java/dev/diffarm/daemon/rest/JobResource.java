package dev.diffarm.daemon.rest;

import dev.diffarm.daemon.event.EventBroadcaster;
import dev.diffarm.daemon.job.JobIntake;
import dev.diffarm.daemon.port.StoreException;
import dev.diffarm.daemon.security.Callers;
import dev.diffarm.daemon.security.Role;
import dev.diffarm.daemon.security.SubmissionRate;
import dev.diffarm.daemon.status.JobCancels;
import dev.diffarm.daemon.status.JobStatuses;
import dev.diffarm.farm.config.EventError;
import dev.diffarm.farm.config.JobEvent;
import dev.diffarm.farm.config.ValidationError;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.net.URI;
import java.util.List;
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
    private final JobCancels cancels;
    private final JobStatuses statuses;
    private final SecurityIdentity caller;
    private final SubmissionRate rate;
    private final EventStreams streams;

    JobResource(JobIntake intake, JobCancels cancels, JobStatuses statuses, SecurityIdentity caller,
                SubmissionRate rate, EventStreams streams) {
        this.intake = intake;
        this.cancels = cancels;
        this.statuses = statuses;
        this.caller = caller;
        this.rate = rate;
        this.streams = streams;
    }

    /**
     * Validates a job and queues it for the caller's tenant: 202 with its status and {@code Location}, or 400 with
     * every problem ({@code field}, value, what was expected), 415 when it is not sent as JSON, 413 when it is too
     * large, 409 when its id belongs to another job, 429 when it would take the tenant over its quota or its
     * submission rate ({@code Retry-After} then says when to try again), or 503 when the queue cannot take it.
     */
    @POST
    @RolesAllowed({Role.SUBMIT_NAME, Role.ADMIN_NAME})
    public Response submit(@Context HttpHeaders headers, byte[] body) {
        Optional<SubmissionRate.Refusal> tooFast = rate.take(Callers.tenant(caller));
        if (tooFast.isPresent()) {
            return Response.fromResponse(ApiErrors.response(Response.Status.TOO_MANY_REQUESTS, ApiErrors.TOO_FAST,
                    tooFast.get().message())).header(HttpHeaders.RETRY_AFTER, tooFast.get().retryAfterSeconds()).build();
        }
        Optional<Response> notJson = ApiErrors.unlessJson(headers.getMediaType());
        if (notJson.isPresent()) {
            return notJson.get();
        }
        JobIntake.Submission submission;
        try {
            submission = intake.submit(body, Callers.tenant(caller));
        } catch (RuntimeException e) {
            return ApiErrors.response(Response.Status.SERVICE_UNAVAILABLE, ApiErrors.QUEUE_UNAVAILABLE,
                    "the job could not be queued: " + e.getMessage());
        }
        if (submission instanceof JobIntake.Submission.Invalid invalid) {
            List<ValidationError> errors = invalid.result().errors();
            boolean tooLarge = errors.stream().anyMatch(error -> error.code() == ValidationError.Code.TOO_LARGE);
            return ApiErrors.response(tooLarge ? Response.Status.REQUEST_ENTITY_TOO_LARGE : Response.Status.BAD_REQUEST,
                    errors.stream().map(EventError::of).toList());
        }
        if (submission instanceof JobIntake.Submission.Taken taken) {
            return ApiErrors.response(Response.Status.CONFLICT, ApiErrors.ID_TAKEN, taken.message());
        }
        if (submission instanceof JobIntake.Submission.OverQuota over) {
            return ApiErrors.response(Response.Status.TOO_MANY_REQUESTS, ApiErrors.OVER_QUOTA, over.message());
        }
        JobIntake.Submission.Queued queued = (JobIntake.Submission.Queued) submission;
        return Response.accepted(queued.attempt().status()).location(URI.create("/jobs/" + queued.job().id())).build();
    }

    /**
     * Where the job stands. On a Kafka farm every node answers alike, from the events topic (whichever node ran the
     * job), a moment behind the events; a job this node queued that no node has accepted yet is {@code queued}.
     */
    @GET
    @Path("{id}")
    @RolesAllowed({Role.READ_NAME, Role.ADMIN_NAME})
    public Response status(@PathParam("id") String id) {
        return statuses.find(id).filter(status -> Callers.mayAccess(caller, status.tenant()))
                .map(status -> Response.ok(status).build()).orElseGet(() -> ApiErrors.unknownJob(id));
    }

    /**
     * Cancels a job, on any node of a Kafka farm whichever nodes run it ({@link JobCancels}): 202 when it is cancelled
     * or will stop before its next step, 409 when it had ended, 404 when the caller cannot see it ({@code GET}'s rules:
     * its own tenant's jobs, any for an admin), 503 when a split job's chunks cannot be told through the store.
     */
    @DELETE
    @Path("{id}")
    @RolesAllowed({Role.SUBMIT_NAME, Role.ADMIN_NAME})
    public Response cancel(@PathParam("id") String id) {
        JobCancels.Outcome outcome;
        try {
            outcome = cancels.cancel(id, tenant -> Callers.mayAccess(caller, tenant));
        } catch (StoreException e) {
            return ApiErrors.response(Response.Status.SERVICE_UNAVAILABLE, ApiErrors.STORE_UNAVAILABLE,
                    "job " + id + " could not be cancelled: " + e.getMessage());
        }
        if (outcome instanceof JobCancels.Outcome.Ended ended) {
            return ApiErrors.response(Response.Status.CONFLICT, ApiErrors.JOB_ENDED, "job " + id + " has already ended ("
                    + ended.status().state() + ")");
        }
        if (outcome instanceof JobCancels.Outcome.Cancelling cancelling) {
            return Response.accepted(cancelling.status()).build();
        }
        return ApiErrors.unknownJob(id);
    }

    /**
     * The job's events as server-sent events (event name = the event's {@code type}, data = its JSON): those
     * already published, then new ones as they happen; the stream ends after the job's last event. On a Kafka farm
     * they come from the events topic, so a stream opened on any node carries every node's events of the job.
     */
    @GET
    @Path("{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RolesAllowed({Role.READ_NAME, Role.ADMIN_NAME})
    public void events(@PathParam("id") String id, @Context SseEventSink sink, @Context Sse sse) {
        // The events of a job whose status is forgotten name no tenant: only an admin may read them.
        boolean known = statuses.find(id).map(status -> Callers.mayAccess(caller, status.tenant()))
                .orElseGet(() -> Callers.isAdmin(caller) && !statuses.events().history(id).isEmpty());
        if (!known) {
            throw new NotFoundException(ApiErrors.unknownJob(id));
        }
        String tenant = Callers.tenant(caller);
        EventStreams.Stream slot = streams.open(tenant).orElseThrow(() -> new WebApplicationException(ApiErrors.response(
                Response.Status.TOO_MANY_REQUESTS, ApiErrors.TOO_MANY_STREAMS, streams.refusal(tenant))));
        // Subscribed after this method has returned: the replay of a finished job's events closes the stream, and a
        // stream closed before the method returns makes the framework write a second response.
        CompletableFuture.runAsync(() -> stream(id, sink, sse, slot));
    }

    private void stream(String id, SseEventSink sink, Sse sse, EventStreams.Stream slot) {
        AtomicReference<EventBroadcaster.Subscription> subscription = new AtomicReference<>();
        Runnable end = () -> {
            unsubscribe(subscription);
            slot.release();
        };
        subscription.set(statuses.events().subscribe(id, event -> {
            if (sink.isClosed()) {
                end.run();
                return;
            }
            sink.send(sse.newEventBuilder().name(event.type())
                    .data(event.toJson()).build());
            slot.sent();
            // A replayed last event of an earlier attempt does not end the stream while a new attempt runs.
            if (LAST_EVENTS.contains(event.type()) && statuses.hasEnded(id)) {
                sink.close();
                end.run();
            }
        }));
        slot.attach(new EventStreams.Connection() {
            @Override
            public boolean isClosed() {
                return sink.isClosed();
            }

            @Override
            public void close() {
                sink.close();
                unsubscribe(subscription);
            }
        });
        if (sink.isClosed()) {
            end.run();
        }
    }

    private static void unsubscribe(AtomicReference<EventBroadcaster.Subscription> subscription) {
        EventBroadcaster.Subscription registered = subscription.get();
        if (registered != null) {
            registered.close();
        }
    }
}
