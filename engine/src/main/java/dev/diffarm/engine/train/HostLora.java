package dev.diffarm.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.diffarm.api.finetune.LoraAdapter;
import dev.diffarm.api.finetune.LoraParts;
import dev.diffarm.engine.lora.LoraModule.Component;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The engine's {@link LoraNetwork} lent to a fine-tune plugin, saved as a {@link KohyaLoraFile}. */
final class HostLora implements LoraAdapter {
    private final LoraNetwork network;
    /** Each module's alpha as the file holds it, a float32 scalar, for {@link #fileArrays()}. */
    private final Map<String, NDArray> alphas = new LinkedHashMap<>();

    HostLora(LoraNetwork network, NDManager manager) {
        this.network = network;
        for (TrainableLora m : network.modules()) {
            alphas.put(m.stem() + ".alpha", manager.create(m.alpha()));
        }
    }

    LoraNetwork network() {
        return network;
    }

    @Override
    public Map<String, NDArray> parameters() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (TrainableLora m : network.modules()) {
            out.put(m.path() + ".down", m.down());
            out.put(m.path() + ".up", m.up());
        }
        return out;
    }

    @Override
    public Map<String, NDArray> textEncoderParameters() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (TrainableLora m : network.modules()) {
            if (m.component() == Component.TEXT_ENCODER) {
                out.put(m.path() + ".down", m.down());
                out.put(m.path() + ".up", m.up());
            }
        }
        return out;
    }

    @Override
    public LoraParts parts() {
        boolean text = network.hasTextEncoderModules();
        boolean unet = network.modules().stream().anyMatch(m -> m.component() == Component.UNET);
        return text && unet ? LoraParts.UNET_AND_TEXT_ENCODER : text ? LoraParts.TEXT_ENCODER : LoraParts.UNET;
    }

    @Override
    public void attach() {
        network.attach();
    }

    @Override
    public void detach() {
        network.detach();
    }

    @Override
    public int rank() {
        return network.rank();
    }

    @Override
    public float alpha() {
        return network.alpha();
    }

    @Override
    public void write(Path out, Map<String, String> metadata) throws java.io.IOException {
        KohyaLoraFile.write(network, metadata, out);
    }

    @Override
    public Map<String, NDArray> fileArrays() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (TrainableLora m : network.modules()) {
            String stem = m.stem();
            out.put(stem + ".lora_down.weight", m.down());
            out.put(stem + ".lora_up.weight", m.up());
            out.put(stem + ".alpha", alphas.get(stem + ".alpha"));
        }
        return out;
    }

    @Override
    public Map<String, NDArray> read(Path file, NDManager manager) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (String name : f.names()) {
                out.put(name, f.load(name, manager));
            }
        }
        return out;
    }
}
