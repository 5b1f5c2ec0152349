package dev.diffarm.upscalers;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one key map of this plugin: the original ESRGAN layout ({@code RRDB_ESRGAN_x4.pth}, {@code 4x-UltraSharp.pth},
 * a {@code torch.nn.Sequential}) to BasicSR's ({@code RealESRGAN_x4plus.pth}), as spandrel and A1111's old
 * {@code fix_model_layers} map it. {@code model.0} is {@code conv_first}; {@code model.1.sub.N.RDBK.convJ.0} is
 * {@code body.N.rdbK.convJ}; the last {@code model.1.sub.M} (M = the number of blocks) is {@code conv_body}; after it
 * come {@code model.3i} = {@code conv_upI} for each x2 upsampler (3i - 1 is the parameter-free nearest upsampling,
 * 3i + 1 its LeakyReLU), then {@code model.(3n + 2)} = {@code conv_hr} and {@code model.(3n + 4)} = {@code conv_last}.
 */
final class EsrganKeys {
    private static final Pattern RDB = Pattern.compile("model\\.1\\.sub\\.(\\d+)\\.RDB(\\d)\\.conv(\\d)\\.0\\.(weight|bias)");
    private static final Pattern TRUNK = Pattern.compile("model\\.1\\.sub\\.(\\d+)\\.(weight|bias)");
    private static final Pattern TOP = Pattern.compile("model\\.(\\d+)\\.(weight|bias)");

    private EsrganKeys() {
    }

    /** True for a state dict in the original layout: it has {@code model.0.weight}. */
    static boolean isOriginalLayout(Map<String, ?> tensors) {
        return tensors.containsKey("model.0.weight");
    }

    /**
     * The tensors under BasicSR's keys. A key this map does not know is kept as it is, so that the strict load names
     * it as unused.
     *
     * @throws IllegalArgumentException if the upsampling layers are not where the layout puts them
     */
    static <T> Map<String, T> toBasicSr(Map<String, T> original) {
        TreeSet<Integer> top = new TreeSet<>();
        for (String key : original.keySet()) {
            Matcher m = TOP.matcher(key);
            if (m.matches() && Integer.parseInt(m.group(1)) >= 2) {
                top.add(Integer.parseInt(m.group(1)));
            }
        }
        if (top.size() < 2) {
            throw new IllegalArgumentException("an ESRGAN model in the original layout ends with model.N (conv_hr) and"
                    + " model.N+2 (conv_last); found only the layers " + top);
        }
        int upsamplers = top.size() - 2;
        Map<Integer, String> names = new LinkedHashMap<>();
        for (int i = 1; i <= upsamplers; i++) {
            names.put(3 * i, "conv_up" + i);
        }
        names.put(3 * upsamplers + 2, "conv_hr");
        names.put(3 * upsamplers + 4, "conv_last");
        if (!top.equals(new TreeSet<>(names.keySet()))) {
            throw new IllegalArgumentException("an ESRGAN model in the original layout with " + upsamplers
                    + " upsamplers has its layers at model." + names.keySet() + ", this one at model." + top);
        }
        Map<String, T> mapped = new LinkedHashMap<>();
        original.forEach((key, value) -> {
            String name = rename(key, names);
            if (mapped.put(name, value) != null) {
                throw new IllegalArgumentException("two tensors of the original layout map to " + name + " (the second"
                        + " is " + key + ")");
            }
        });
        return mapped;
    }

    private static String rename(String key, Map<Integer, String> names) {
        Matcher rdb = RDB.matcher(key);
        if (rdb.matches()) {
            return "body." + rdb.group(1) + ".rdb" + rdb.group(2) + ".conv" + rdb.group(3) + "." + rdb.group(4);
        }
        if (TRUNK.matcher(key).matches()) {
            return "conv_body." + key.substring(key.lastIndexOf('.') + 1);
        }
        Matcher top = TOP.matcher(key);
        if (top.matches()) {
            int index = Integer.parseInt(top.group(1));
            if (index == 0) {
                return "conv_first." + top.group(2);
            }
            if (names.containsKey(index)) {
                return names.get(index) + "." + top.group(2);
            }
        }
        return key;
    }
}
