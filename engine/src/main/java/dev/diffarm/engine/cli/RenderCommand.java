package dev.diffarm.engine.cli;

import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "render", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Renders images from a prompt (txt2img), optionally followed by a hires pass (--hires-scale)."
                + " Each PNG carries AUTOMATIC1111's 'parameters' text.",
                "Prompts use AUTOMATIC1111's syntax: (emphasis), [less], (text:1.3), BREAK, [from:to:when], [a|b],"
                        + " embedding names; <lora:NAME:WEIGHT> fuses NAME.safetensors from --lora-dir."})
final class RenderCommand implements Callable<Integer> {
    @Mixin
    RenderOptions render;

    @Mixin
    HiresOptions hires;

    @Override
    public Integer call() throws IOException {
        try {
            render.render(plugins -> render.request().withHires(hires.hires(plugins.upscalers())));
        } finally {
            hires.close();
        }
        return 0;
    }
}
