package dev.diffarm.engine.cli;

import dev.diffarm.engine.device.Placement;
import dev.diffarm.engine.device.Precision;
import picocli.CommandLine.Option;

/** Where the model runs and in what precision. */
final class DeviceOptions {
    @Option(names = "--device", defaultValue = "cpu", paramLabel = "DEVICE",
            description = "cpu or cuda:N: where the model's weights live and it computes; the seeded noise is drawn "
                    + "on the CPU whatever the device, so a seed gives the same noise everywhere. A GPU needs a CUDA "
                    + "libtorch 2.7.1 (PYTORCH_LIBRARY_PATH, see README, GPU). Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--precision", defaultValue = Precision.AUTO, paramLabel = "P",
            description = "fp32, fp16 or auto: what the text encoder and UNet compute in (the VAE and the sampler "
                    + "stay float32). auto: fp16 on a GPU, fp32 on the CPU. bf16 is refused: DJL 0.35.1 has no "
                    + "bfloat16. Default: ${DEFAULT-VALUE}.")
    String precision;

    /** @throws IllegalArgumentException naming the option for a device or precision that cannot be used */
    Placement placement() {
        Placement placement = Placement.of(Placement.parseDevice("--device", device),
                Precision.parse("--precision", precision));
        Placement.requireAvailable(placement.device());
        return placement;
    }
}
