package dev.diffarm.farm.config;

/**
 * How an init image of another size than the task's is fitted ({@code resizeMode}), as AUTOMATIC1111's resize
 * modes; JSON takes the name or A1111's number.
 */
public enum InitResizeMode {
    /** Stretched to the size (A1111's 0, "Just resize"). */
    JUST_RESIZE("just-resize"),
    /** Scaled to cover the size, the overhang cut off (A1111's 1, "Crop and resize"). */
    CROP_AND_RESIZE("crop-and-resize"),
    /** Scaled to fit inside the size, the bands repeating the edge (A1111's 2, "Resize and fill"). */
    RESIZE_AND_FILL("resize-and-fill");

    /** What {@code resizeMode} takes, completing "expected ...". */
    static final String EXPECTED = "\"just-resize\", \"crop-and-resize\" or \"resize-and-fill\" (or A1111's 0, 1, 2)";

    private final String id;

    InitResizeMode(String id) {
        this.id = id;
    }

    /** The name in JSON, such as {@code crop-and-resize}. */
    public String id() {
        return id;
    }
}
