package dev.diffarm.farm.config;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * A job of kind {@value #KIND}: makes pictures larger with one of the farm's upscalers, as AUTOMATIC1111's Extras tab
 * does.
 * <pre>{@code
 * {"apiVersion": "diffarm/v1", "kind": "upscale", "id": "sneaker-large", "upscaler": "RealESRGAN_x4plus",
 *  "images": ["inputs/products/sneaker.png", "inputs/products/boot.png"], "scale": 4}
 * }</pre>
 * {@code upscaler} is a resampler ({@code Lanczos}, {@code Nearest}) or an upscaler model of the farm (a file in its
 * {@code upscalers/} folder or store prefix, named without its extension). A model runs until the picture is at
 * least {@code scale} times larger, then Lanczos brings it to exactly {@code round(scale · side)}, as A1111 does. A
 * model runs on tiles of {@code tile} input pixels overlapping by {@code tileOverlap} (A1111's {@code ESRGAN_tile}
 * and {@code ESRGAN_tile_overlap}, 192 and 8), so memory stays bounded; {@code tile} 0 runs the whole picture at once.
 *
 * <h2>Tasks and outputs</h2>
 * One task per picture, in order ({@code t0000}, {@code t0001}, …); each stores {@code jobs/<id>/<task>.png} with the
 * source's generation parameters kept and A1111's {@code postprocessing} text ({@code Postprocess upscale by: 4,
 * Postprocess upscaler: RealESRGAN_x4plus}), and then its sidecar {@code jobs/<id>/<task>.json}, which records the
 * task's {@link #parameterHash(int) parameter hash}: a job delivered again skips the pictures it stored.
 *
 * @param id          the idempotency key (see {@link Job#id()})
 * @param images      the pictures, in the store (under {@value ImageInput#INPUTS_PREFIX}) or inline; each once
 * @param upscaler    the upscaler's name
 * @param scale       how many times larger each side gets, 1..{@value Limits#MAX_UPSCALE_FACTOR}
 * @param tile        tile side in input pixels for a model, 0 for no tiling
 * @param tileOverlap pixels neighbouring tiles share, less than {@code tile}
 * @param diffusion   the render fields ({@code prompt}, {@code negativePrompt}, {@code sampler}, {@code steps},
 *                    {@code cfg}, {@code seed}, {@code noiseLevel}) as given, for an {@code upscaler} that is a Stable
 *                    Diffusion x4 upscaler (a diffusers folder in the farm's upscalers folder); such an upscaler
 *                    enlarges by its own factor (4: {@code scale} must stay 4) and takes no tiling; an image
 *                    upscaler refuses them
 */
public record UpscaleJob(String id, List<ImageInput> images, String upscaler, double scale, int tile, int tileOverlap,
                         SdUpscaleFields diffusion) implements Job {
    /** The {@code kind} of an upscale job. */
    public static final String KIND = "upscale";
    /** A1111's default {@code ESRGAN_tile}. */
    public static final int DEFAULT_TILE = 192;
    /** A1111's default {@code ESRGAN_tile_overlap}. */
    public static final int DEFAULT_TILE_OVERLAP = 8;
    /** A1111's default "Resize" of the Extras tab. */
    public static final double DEFAULT_SCALE = 4;

    public UpscaleJob {
        Rules.ID.require("id", id);
        images = List.copyOf(Objects.requireNonNull(images, "images"));
        if (images.size() > Limits.MAX_UPSCALE_IMAGES) {
            throw new IllegalArgumentException("images: " + images.size() + " pictures, expected at most "
                    + Limits.MAX_UPSCALE_IMAGES);
        }
        Rules.UPSCALE_IMAGES.check(Problems.THROWING, "images", images);
        Rules.UPSCALER.require("upscaler", upscaler);
        Rules.UPSCALE_FACTOR.require("scale", scale);
        Rules.TILE.require("tile", (long) tile);
        Rules.TILE_OVERLAP.require("tileOverlap", (long) tileOverlap);
        checkOverlap(Problems.THROWING, tile, tileOverlap);
        Objects.requireNonNull(diffusion, "diffusion");
    }

    /** A job without render fields: an image upscaler's, or an SD x4 upscale with diffusers' defaults. */
    public UpscaleJob(String id, List<ImageInput> images, String upscaler, double scale, int tile, int tileOverlap) {
        this(id, images, upscaler, scale, tile, tileOverlap, SdUpscaleFields.NONE);
    }

    /** The job that upscales {@code images} 4 times with {@code upscaler}, tiled as A1111 tiles by default. */
    public static UpscaleJob of(String id, List<ImageInput> images, String upscaler) {
        return new UpscaleJob(id, images, upscaler, DEFAULT_SCALE, DEFAULT_TILE, DEFAULT_TILE_OVERLAP);
    }

    /** Reports an overlap that leaves no new pixels in a tile. */
    static void checkOverlap(Problems problems, long tile, long tileOverlap) {
        if (tile > 0 && tileOverlap >= tile) {
            problems.report(ValidationError.of(ValidationError.Code.INVALID_VALUE, "tileOverlap",
                    Long.toString(tileOverlap), "less than tile (" + tile + ")"));
        }
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.upscale(this);
    }

    @Override
    public int taskCount() {
        return images.size();
    }

    /** The id of the task that upscales picture {@code index}: {@code t0000}, {@code t0001}, … */
    public String taskId(int index) {
        return Plan.taskId(Objects.checkIndex(index, images.size()));
    }

    /** The key of picture {@code index}'s upscaled PNG: {@code jobs/<id>/t0000.png}. */
    public String imageKey(int index) {
        return Plan.prefix(id) + taskId(index) + ".png";
    }

    /** The key of picture {@code index}'s sidecar: {@code jobs/<id>/t0000.json}. */
    public String sidecarKey(int index) {
        return Plan.prefix(id) + taskId(index) + ".json";
    }

    /** The task ids in order. */
    public List<String> taskIds() {
        return IntStream.range(0, images.size()).mapToObj(this::taskId).toList();
    }

    /**
     * The canonical JSON of what decides picture {@code index}'s output: the picture's {@link ImageInput#identity()},
     * the upscaler, the scale, the tiling and the render fields given, sorted by name, without spaces (a job without
     * render fields hashes as before they existed).
     */
    public String parametersJson(int index) {
        return Json.canonical(parametersTree(index));
    }

    /**
     * The sidecar of picture {@code index}, as image tasks write theirs ({@link TaskSpec#sidecarJson()}):
     * {@code apiVersion}, {@code jobId}, {@code taskId}, {@code key}, {@code parameters} and {@code parameterHash},
     * which {@link TaskSpec#storedParameterHash} reads back.
     */
    public String sidecarJson(int index) {
        ObjectNode node = Json.object();
        node.put("apiVersion", API_VERSION);
        node.put("jobId", id);
        node.put("taskId", taskId(index));
        node.put("key", imageKey(index));
        node.set("parameters", parametersTree(index));
        node.put("parameterHash", parameterHash(index));
        return Json.canonical(node);
    }

    private ObjectNode parametersTree(int index) {
        ObjectNode node = Json.object();
        node.put("image", images.get(index).identity());
        node.put("upscaler", upscaler);
        node.put("scale", scale);
        node.put("tile", tile);
        node.put("tileOverlap", tileOverlap);
        diffusion.write(node);
        return node;
    }

    /** The SHA-256 of the UTF-8 bytes of {@link #parametersJson(int)}, as 64 lower-case hex digits. */
    public String parameterHash(int index) {
        return Sha256.hex(parametersJson(index).getBytes(StandardCharsets.UTF_8));
    }

    ObjectNode parametersTree() {
        ObjectNode node = Json.object();
        ArrayNode list = node.putArray("images");
        images.forEach(image -> list.add(image.json()));
        node.put("upscaler", upscaler);
        node.put("scale", scale);
        node.put("tile", tile);
        node.put("tileOverlap", tileOverlap);
        diffusion.write(node);
        return node;
    }
}
