package dev.diffarm.daemon.a1111;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.diffarm.daemon.job.JobIntake;
import dev.diffarm.daemon.job.JobState;
import dev.diffarm.daemon.job.JobStatus;
import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.daemon.render.EmbeddingDirectory;
import dev.diffarm.daemon.render.LoraDirectory;
import dev.diffarm.daemon.render.LoadedModels;
import dev.diffarm.daemon.render.ModelDirectory;
import dev.diffarm.daemon.render.UpscalerCatalog;
import dev.diffarm.daemon.rest.ApiErrors;
import dev.diffarm.daemon.security.Callers;
import dev.diffarm.daemon.security.Role;
import dev.diffarm.daemon.security.SubmissionRate;
import dev.diffarm.engine.plugins.SamplerPlugins;
import dev.diffarm.farm.config.EventError;
import dev.diffarm.farm.config.ImageJob;
import dev.diffarm.farm.config.Limits;
import dev.diffarm.farm.config.TaskSpec;
import dev.diffarm.farm.config.UpscaleJob;
import dev.diffarm.farm.config.ValidationError;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.random.RandomGenerator;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * AUTOMATIC1111's HTTP API under {@code /sdapi/v1}, for the tools written against it (Photoshop and Krita plugins,
 * bots, scripts). A {@code txt2img} request becomes an ordinary render job of the caller's tenant (its events, stored
 * images and gallery as any other job's); the call waits for the job and answers A1111's {@code images},
 * {@code parameters} and {@code info}. Errors name A1111's fields; values diffarm cannot render are refused (422), not
 * silently dropped. Authentication as on every endpoint: role {@code submit} for what changes something, {@code read}
 * for the rest.
 */
@Path("/sdapi/v1")
@Produces(MediaType.APPLICATION_JSON)
public class A1111Resource {
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss")
            .withZone(ZoneOffset.UTC);
    /** How often a waiting call looks at its job: a tiny render takes well under a second. */
    private static final long POLL_MILLIS = 20;
    private static final String DATA_URL = "data:image/png;base64,";

    private final JobIntake intake;
    private final OutputStore store;
    private final SecurityIdentity caller;
    private final SubmissionRate rate;
    private final A1111Options options;
    private final A1111Runs runs;
    private final A1111Catalog catalog;
    private final Duration maxWait;
    private final RandomGenerator random = new SecureRandom();

    A1111Resource(JobIntake intake, OutputStore store, SecurityIdentity caller, SubmissionRate rate, A1111Options options,
                  A1111Runs runs, ModelDirectory models, LoadedModels loaded, SamplerPlugins samplers,
                  LoraDirectory loras, EmbeddingDirectory embeddings, UpscalerCatalog upscalers,
                  @ConfigProperty(name = "diffarm.a1111.max-wait", defaultValue = "PT30M") Duration maxWait) {
        this.intake = intake;
        this.store = store;
        this.caller = caller;
        this.rate = rate;
        this.options = options;
        this.runs = runs;
        this.catalog = new A1111Catalog(models, loaded, samplers, loras, embeddings, upscalers);
        this.maxWait = maxWait;
    }

    /**
     * Renders A1111's {@code StableDiffusionProcessingTxt2Img} request: 200 with the images, 422 naming every field at
     * fault, 413 when the job would be too large, 409 when {@code force_task_id} names another job, 429 over the
     * tenant's quota or rate, 503 when the queue cannot take it, 500 when the render failed, 504 when it took longer
     * than {@code diffarm.a1111.max-wait} (the job goes on; {@code info} of {@code GET /jobs/{id}} tells the rest).
     */
    @POST
    @Path("txt2img")
    @RolesAllowed({Role.SUBMIT_NAME, Role.ADMIN_NAME})
    public Response txt2img(@Context HttpHeaders headers, byte[] bytes) {
        return render(headers, bytes, ProcessingRequest.Kind.TXT2IMG);
    }

    /**
     * Renders A1111's {@code StableDiffusionProcessingImg2Img} request ({@code init_images} of one picture, with
     * {@code mask} an inpainting) as {@link #txt2img} does; {@code parameters} leave the pictures out unless
     * {@code include_init_images} is true, as A1111's do.
     */
    @POST
    @Path("img2img")
    @RolesAllowed({Role.SUBMIT_NAME, Role.ADMIN_NAME})
    public Response img2img(@Context HttpHeaders headers, byte[] bytes) {
        return render(headers, bytes, ProcessingRequest.Kind.IMG2IMG);
    }

    private Response render(HttpHeaders headers, byte[] bytes, ProcessingRequest.Kind kind) {
        String tenant = Callers.tenant(caller);
        A1111Body.Read read = A1111Body.read(bytes);
        Optional<Response> refused = rateLimited(tenant).or(() -> refusal(headers, read));
        if (refused.isPresent()) {
            return refused.get();
        }
        A1111Body body = ((A1111Body.Read.Object) read).body();
        ProcessingRequest.Result result = ProcessingRequest.read(body, kind);
        if (result instanceof ProcessingRequest.Result.Invalid invalid) {
            return A1111Errors.response(A1111Errors.UNPROCESSABLE, invalid.problems());
        }
        ProcessingRequest request = ((ProcessingRequest.Result.Valid) result).request();
        A1111Options.Settings settings = options.of(tenant);
        String model = request.model().or(settings::model).map(name -> catalog.model(name).orElse(name))
                .or(catalog::defaultModel).orElse("");
        int clipSkip = request.clipSkip().orElse(settings.clipSkip().orElse(1));
        String sampler = request.sampler().orElseGet(catalog::defaultSampler);
        List<Long> seeds = A1111Jobs.seeds(request, random);
        String id = request.taskId().orElseGet(A1111Jobs::newId);
        byte[] job = A1111Jobs.renderJob(request, id, model, clipSkip, catalog.schedule(request.scheduler()), sampler,
                seeds);
        return runJob(tenant, job, id, request.controlNetArgs(), (queued, run) -> {
            List<byte[]> pngs = storedImages((ImageJob) queued.job());
            List<String> infotexts = pngs.stream().map(png -> PngText.read(png).getOrDefault("parameters", "")).toList();
            String info = A1111Info.of(request, id, model, clipSkip, sampler, seeds, infotexts, run.submitted());
            List<String> images = request.sendImages() ? pngs.stream().map(Base64.getEncoder()::encodeToString).toList()
                    : List.of();
            return Response.ok(new ImagesResponse(images, echo(body, kind), info)).build();
        });
    }

    /**
     * Upscales A1111's {@code ExtrasSingleImageRequest}'s {@code image} by {@code upscaling_resize} with
     * {@code upscaler_1}, as an upscale job of the farm (the picture the job stores, the same file as the CLI's
     * {@code upscale} writes): 200 with A1111's {@code ExtrasSingleImageResponse} ({@code image}, {@code html_info}),
     * the other answers as {@link #txt2img}'s. A second upscaler, face restoration or a resize "to" a size are refused
     * naming the field.
     */
    @POST
    @Path("extra-single-image")
    @RolesAllowed({Role.SUBMIT_NAME, Role.ADMIN_NAME})
    public Response extraSingleImage(@Context HttpHeaders headers, byte[] bytes) {
        return extras(headers, bytes, ExtrasRequest.Form.SINGLE, pngs -> new ExtrasResponse(
                Base64.getEncoder().encodeToString(pngs.get(0)), ExtrasResponse.htmlInfo(parameters(pngs.get(0)))));
    }

    /**
     * Upscales each picture of A1111's {@code ExtrasBatchImagesRequest}'s {@code imageList} ({@code [{data, name}]})
     * as {@link #extraSingleImage} does its one, as one upscale job of the farm (a task per distinct picture): 200 with
     * A1111's {@code ExtrasBatchImagesResponse} ({@code images} in the request's order, {@code html_info} of the last),
     * the other answers as {@link #txt2img}'s.
     */
    @POST
    @Path("extra-batch-images")
    @RolesAllowed({Role.SUBMIT_NAME, Role.ADMIN_NAME})
    public Response extraBatchImages(@Context HttpHeaders headers, byte[] bytes) {
        return extras(headers, bytes, ExtrasRequest.Form.BATCH, pngs -> new ExtrasBatchResponse(
                pngs.stream().map(Base64.getEncoder()::encodeToString).toList(),
                ExtrasResponse.htmlInfo(parameters(pngs.get(pngs.size() - 1)))));
    }

    /**
     * An Extras request of {@code form} run as one upscale job; {@code answer} makes the 200 answer's body of the PNGs
     * stored for the request's pictures, in its order.
     */
    private Response extras(HttpHeaders headers, byte[] bytes, ExtrasRequest.Form form,
                            Function<List<byte[]>, Object> answer) {
        String tenant = Callers.tenant(caller);
        A1111Body.Read read = A1111Body.read(bytes);
        Optional<Response> refused = rateLimited(tenant).or(() -> refusal(headers, read));
        if (refused.isPresent()) {
            return refused.get();
        }
        ExtrasRequest.Result result = ExtrasRequest.read(((A1111Body.Read.Object) read).body(), form);
        if (result instanceof ExtrasRequest.Result.Invalid invalid) {
            return A1111Errors.response(A1111Errors.UNPROCESSABLE, invalid.problems());
        }
        ExtrasRequest request = ((ExtrasRequest.Result.Valid) result).request();
        String id = A1111Jobs.newId();
        return runJob(tenant, request.upscaleJob(id), id, List.of(), (queued, run) -> {
            UpscaleJob job = (UpscaleJob) queued.job();
            List<String> distinct = request.distinctImages();
            List<byte[]> pngs = request.images().stream().map(image -> store.get(job.imageKey(distinct.indexOf(image)))
                    .orElseThrow(() -> new IllegalStateException("job " + id + " completed without its picture "
                            + job.taskId(distinct.indexOf(image))))).toList();
            return Response.ok(answer.apply(pngs)).build();
        });
    }

    private static String parameters(byte[] png) {
        return PngText.read(png).getOrDefault("parameters", "");
    }

    /** The 429 answer when the tenant submits faster than its rate allows. */
    private Optional<Response> rateLimited(String tenant) {
        return rate.take(tenant).map(tooFast -> Response.fromResponse(A1111Errors.response(
                Response.Status.TOO_MANY_REQUESTS, "rate-limited", tooFast.message()))
                .header(HttpHeaders.RETRY_AFTER, tooFast.retryAfterSeconds()).build());
    }

    /**
     * Submits {@code job} (whose id is {@code id}) for {@code tenant} and waits for it; {@code answer} makes the 200
     * answer of a job that completed (or was cancelled). A job the intake refuses, or that failed or outlasted
     * {@link #maxWait}, is answered as {@link #txt2img} says; {@code controlNetArgs} places the job's ControlNet units in
     * the request's {@code alwayson_scripts.controlnet.args}, to name a unit's problem by the field it came from.
     */
    private Response runJob(String tenant, byte[] job, String id, List<Integer> controlNetArgs,
                            BiFunction<JobIntake.Submission.Queued, A1111Runs.Run, Response> answer) {
        JobIntake.Submission submission;
        try {
            submission = intake.submit(job, tenant);
        } catch (RuntimeException e) {
            return A1111Errors.response(Response.Status.SERVICE_UNAVAILABLE, "queue-unavailable",
                    "the job could not be queued: " + e.getMessage());
        }
        if (submission instanceof JobIntake.Submission.Invalid invalid) {
            List<ValidationError> errors = invalid.result().errors();
            boolean tooLarge = errors.stream().anyMatch(error -> error.code() == ValidationError.Code.TOO_LARGE);
            return A1111Errors.response(tooLarge ? (Response.StatusType) Response.Status.REQUEST_ENTITY_TOO_LARGE : A1111Errors.UNPROCESSABLE,
                    errors.stream().map(error -> A1111Jobs.asA1111(EventError.of(error), controlNetArgs)).toList());
        }
        if (submission instanceof JobIntake.Submission.Taken taken) {
            return A1111Errors.response(Response.Status.CONFLICT, "id-taken", "force_task_id: " + taken.message());
        }
        if (submission instanceof JobIntake.Submission.OverQuota over) {
            return A1111Errors.response(Response.Status.TOO_MANY_REQUESTS, "over-quota", over.message());
        }
        JobIntake.Submission.Queued queued = (JobIntake.Submission.Queued) submission;
        A1111Runs.Run run = runs.start(tenant, queued.attempt());
        try {
            JobState state = await(run);
            if (!state.isFinal()) {
                return A1111Errors.response(Response.Status.GATEWAY_TIMEOUT, "still-rendering", "job " + id
                        + " is still rendering after " + maxWait + " (diffarm.a1111.max-wait): GET /jobs/" + id
                        + " tells how far it got; its images are stored under its id");
            }
            if (state != JobState.COMPLETED && state != JobState.CANCELLED) {
                JobStatus status = queued.attempt().status();
                return A1111Errors.response(Response.Status.INTERNAL_SERVER_ERROR, status.errors().stream()
                        .map(error -> new A1111Problem(error.code(), Optional.empty(), "job " + id + " " + state.name()
                                .toLowerCase(Locale.ROOT) + ": " + error.message())).toList());
            }
            return answer.apply(queued, run);
        } finally {
            runs.end(run);
        }
    }

    /** The answer refusing a POST body: 415 when it is not sent as JSON, 422 when it is no JSON object. */
    private static Optional<Response> refusal(HttpHeaders headers, A1111Body.Read read) {
        return ApiErrors.unlessJson(headers.getMediaType()).or(() -> read instanceof A1111Body.Read.Refused refused
                ? Optional.of(A1111Errors.response(A1111Errors.UNPROCESSABLE, List.of(refused.problem())))
                : Optional.empty());
    }

    /** The request as sent; an img2img's pictures only with {@code include_init_images}, as A1111 answers. */
    private static ObjectNode echo(A1111Body body, ProcessingRequest.Kind kind) {
        ObjectNode echo = body.json().deepCopy();
        if (kind == ProcessingRequest.Kind.IMG2IMG && !(echo.path("include_init_images").asBoolean(false))) {
            echo.putNull("init_images");
            echo.putNull("mask");
        }
        return echo;
    }

    /** Waits until the run's job ends or {@link #maxWait} passes; the state it was left in. */
    private JobState await(A1111Runs.Run run) {
        long deadline = System.nanoTime() + maxWait.toNanos();
        JobState state = run.job().state();
        while (!state.isFinal() && System.nanoTime() < deadline) {
            runs.observe(run);
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            state = run.job().state();
        }
        return state;
    }

    /** The images the job stored, in plan order: all of a completed job, those made before an interrupt. */
    private List<byte[]> storedImages(ImageJob job) {
        List<byte[]> images = new ArrayList<>();
        for (TaskSpec task : job.plan().tasks()) {
            store.get(task.key()).ifPresent(images::add);
        }
        return images;
    }

    /**
     * Where the caller's current request stands (its oldest still waiting): A1111's {@code ProgressResponse}. Unless
     * {@code skip_current_image} is true, {@code current_image} is a {@link LatentPreview} of the image being sampled
     * (from the step after the previous poll), or before the first such the last image the job stored.
     */
    @GET
    @Path("progress")
    @RolesAllowed({Role.READ_NAME, Role.ADMIN_NAME})
    public Response progress(@QueryParam("skip_current_image") String skipCurrentImage) {
        Optional<Boolean> skip = skipCurrentImage == null || skipCurrentImage.isEmpty() ? Optional.of(false)
                : switch (skipCurrentImage.toLowerCase(Locale.ROOT)) {
                    case "true", "1" -> Optional.of(true);
                    case "false", "0" -> Optional.of(false);
                    default -> Optional.empty();
                };
        if (skip.isEmpty()) {
            return A1111Errors.response(A1111Errors.UNPROCESSABLE, List.of(A1111Problem.of(A1111Problem.INVALID_VALUE,
                    "skip_current_image", "skip_current_image = \"" + shorten(skipCurrentImage)
                            + "\": expected true or false")));
        }
        Optional<A1111Runs.Run> current = runs.current(Callers.tenant(caller));
        if (current.isEmpty()) {
            return Response.ok(ProgressResponse.IDLE).build();
        }
        A1111Runs.Run run = current.get();
        runs.observe(run);
        JobStatus status = run.job().status();
        double progress = status.tasks() == 0 ? 0 : (status.tasksCompleted()
                + (status.steps() > 0 ? (double) status.step() / status.steps() : 0)) / status.tasks();
        double elapsed = run.startedNanos().map(start -> (runs.now() - start) / 1e9).orElse(0.0);
        double eta = progress > 0 ? elapsed / progress - elapsed : 0;
        ProgressResponse.State state = new ProgressResponse.State(run.skipped(), run.interrupted(), false,
                status.id(), status.tasks(), TIMESTAMP.format(run.submitted()), status.tasksCompleted(), status.step(),
                status.steps());
        String image = null;
        if (!skip.get()) {
            // This poll asks for the next step's latent; it answers the one an earlier poll asked for, or the last
            // image stored.
            run.job().requestPreview();
            image = run.job().latestLatent().flatMap(LatentPreview::png).map(Base64.getEncoder()::encodeToString)
                    .or(() -> lastImage(status)).orElse(null);
        }
        String text = status.state() + ": image " + Math.min(status.tasksCompleted() + 1, status.tasks()) + " of "
                + status.tasks() + ", step " + status.step() + " of " + status.steps();
        return Response.ok(new ProgressResponse(Math.min(progress, 1), eta, state, image, text)).build();
    }

    private Optional<String> lastImage(JobStatus status) {
        List<String> pngs = status.keys().stream().filter(key -> key.matches(".*/t\\d+\\.png")).toList();
        if (pngs.isEmpty()) {
            return Optional.empty();
        }
        return store.get(pngs.get(pngs.size() - 1)).map(Base64.getEncoder()::encodeToString);
    }

    /** Stops the caller's requests being rendered, before their next sampling step; their stored images are answered. */
    @POST
    @Path("interrupt")
    @RolesAllowed({Role.SUBMIT_NAME, Role.ADMIN_NAME})
    public Map<String, Object> interrupt() {
        runs.stop(Callers.tenant(caller), false).forEach(intake::cancel);
        return Map.of();
    }

    /**
     * A1111 skips the current image of a batch and goes on with the next; a diffarm job cannot leave one task out, so
     * this stops the caller's requests as {@code interrupt} does, reporting {@code skipped} in {@code progress}.
     */
    @POST
    @Path("skip")
    @RolesAllowed({Role.SUBMIT_NAME, Role.ADMIN_NAME})
    public Map<String, Object> skip() {
        runs.stop(Callers.tenant(caller), true).forEach(intake::cancel);
        return Map.of();
    }

    /** The caller's options: its model ({@code sd_model_checkpoint}) and {@code CLIP_stop_at_last_layers}. */
    @GET
    @Path("options")
    @RolesAllowed({Role.READ_NAME, Role.ADMIN_NAME})
    public Map<String, Object> getOptions() {
        A1111Options.Settings settings = options.of(Callers.tenant(caller));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put(ProcessingRequest.MODEL_OPTION, settings.model().or(catalog::defaultModel).orElse(null));
        answer.put(ProcessingRequest.CLIP_SKIP_OPTION, settings.clipSkip().orElse(1));
        return answer;
    }

    /**
     * Sets the caller's tenant's options for its later requests: {@code sd_model_checkpoint} (a model of
     * {@code /sd-models}) and {@code CLIP_stop_at_last_layers}; 422 naming a bad one, and nothing set then. Other
     * options are listed in the answer's {@code ignored}.
     */
    @POST
    @Path("options")
    @RolesAllowed({Role.SUBMIT_NAME, Role.ADMIN_NAME})
    public Response setOptions(@Context HttpHeaders headers, byte[] bytes) {
        A1111Body.Read read = A1111Body.read(bytes);
        Optional<Response> refused = refusal(headers, read);
        if (refused.isPresent()) {
            return refused.get();
        }
        A1111Body body = ((A1111Body.Read.Object) read).body();
        Optional<String> model = body.string(ProcessingRequest.MODEL_OPTION).flatMap(name -> {
            Optional<String> found = catalog.model(name);
            if (found.isEmpty()) {
                body.invalid(ProcessingRequest.MODEL_OPTION, body.json().get(ProcessingRequest.MODEL_OPTION),
                        "a model this farm has: " + String.join(", ", catalog.modelNames()));
            }
            return found;
        });
        OptionalLong clipSkip = body.integer(ProcessingRequest.CLIP_SKIP_OPTION, 1, Limits.MAX_CLIP_SKIP);
        if (!body.problems().isEmpty()) {
            return A1111Errors.response(A1111Errors.UNPROCESSABLE, body.problems());
        }
        options.update(Callers.tenant(caller), model,
                clipSkip.isPresent() ? OptionalInt.of((int) clipSkip.getAsLong()) : OptionalInt.empty());
        List<String> ignored = body.fieldNames().stream().filter(name -> !name.equals(ProcessingRequest.MODEL_OPTION)
                && !name.equals(ProcessingRequest.CLIP_SKIP_OPTION)).sorted().limit(A1111Info.MAX_IGNORED_SHOWN).toList();
        return Response.ok(Map.of("ignored", ignored)).build();
    }

    @GET
    @Path("sd-models")
    @RolesAllowed({Role.READ_NAME, Role.ADMIN_NAME})
    public List<A1111Items.SdModel> sdModels() {
        return catalog.sdModels();
    }

    @GET
    @Path("samplers")
    @RolesAllowed({Role.READ_NAME, Role.ADMIN_NAME})
    public List<A1111Items.Sampler> samplers() {
        return catalog.samplers();
    }

    @GET
    @Path("schedulers")
    @RolesAllowed({Role.READ_NAME, Role.ADMIN_NAME})
    public List<A1111Items.Scheduler> schedulers() {
        return catalog.schedulers();
    }

    /** The image upscalers, as A1111 lists them: {@code None}, {@code Lanczos}, {@code Nearest}, the model files (the node's, then the store's). */
    @GET
    @Path("upscalers")
    @RolesAllowed({Role.READ_NAME, Role.ADMIN_NAME})
    public List<A1111Items.Upscaler> upscalers() {
        return catalog.upscalers();
    }

    /** The hires pass's latent upscale modes ({@code Latent}, {@code Latent (nearest)}, ...), as A1111 lists them. */
    @GET
    @Path("latent-upscale-modes")
    @RolesAllowed({Role.READ_NAME, Role.ADMIN_NAME})
    public List<A1111Items.LatentUpscaleMode> latentUpscaleModes() {
        return catalog.latentUpscaleModes();
    }

    @GET
    @Path("loras")
    @RolesAllowed({Role.READ_NAME, Role.ADMIN_NAME})
    public List<A1111Items.Lora> loras() {
        return catalog.loras();
    }

    @GET
    @Path("embeddings")
    @RolesAllowed({Role.READ_NAME, Role.ADMIN_NAME})
    public A1111Items.Embeddings embeddings() {
        return catalog.embeddings();
    }

    /**
     * A1111's PNG Info: the {@code parameters} text of a base64 PNG ({@code image}, a {@code data:} URL prefix
     * allowed), read into its fields, and the PNG's other text chunks. The pixels are not decoded.
     */
    @POST
    @Path("png-info")
    @RolesAllowed({Role.SUBMIT_NAME, Role.READ_NAME, Role.ADMIN_NAME})
    public Response pngInfo(@Context HttpHeaders headers, byte[] bytes) {
        A1111Body.Read read = A1111Body.read(bytes);
        Optional<Response> refused = refusal(headers, read);
        if (refused.isPresent()) {
            return refused.get();
        }
        A1111Body body = ((A1111Body.Read.Object) read).body();
        Optional<String> image = body.string("image");
        if (image.isEmpty() && body.problems().isEmpty()) {
            body.problem(A1111Problem.of("missing-field", "image", "image is missing: expected a base64 PNG"));
        }
        if (!body.problems().isEmpty()) {
            return A1111Errors.response(A1111Errors.UNPROCESSABLE, body.problems());
        }
        String base64 = image.get().startsWith(DATA_URL) ? image.get().substring(DATA_URL.length()) : image.get();
        Map<String, String> text;
        try {
            text = PngText.read(Base64.getMimeDecoder().decode(base64));
        } catch (IllegalArgumentException e) {
            return A1111Errors.response(A1111Errors.UNPROCESSABLE, List.of(A1111Problem.of(A1111Problem.INVALID_VALUE, "image",
                    "image: " + e.getMessage())));
        }
        Map<String, String> items = new LinkedHashMap<>(text);
        String parameters = items.remove("parameters");
        return Response.ok(new PngInfoResponse(parameters == null ? "" : parameters, items,
                parameters == null ? Map.of() : Infotext.parse(parameters))).build();
    }

    private static String shorten(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
