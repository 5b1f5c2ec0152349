package dev.diffarm.engine.train.data;

/**
 * A width and height in pixels. Sizes order as kohya's {@code (w, h)} tuples do: by width, then height.
 *
 * @param width  pixels per row
 * @param height rows
 */
public record Size(int width, int height) implements Comparable<Size> {

    /** The aspect ratio width / height, in double precision as Python's true division gives it. */
    public double aspect() {
        return (double) width / height;
    }

    /** width x height. */
    public long area() {
        return (long) width * height;
    }

    @Override
    public int compareTo(Size o) {
        int byWidth = Integer.compare(width, o.width);
        return byWidth != 0 ? byWidth : Integer.compare(height, o.height);
    }

    @Override
    public String toString() {
        return width + "x" + height;
    }
}
