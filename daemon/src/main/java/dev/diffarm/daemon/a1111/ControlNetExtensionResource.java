package dev.diffarm.daemon.a1111;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.diffarm.daemon.render.ControlNetCatalog;
import dev.diffarm.daemon.security.Role;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/**
 * The lists sd-webui-controlnet's API answers, for clients that read them before sending units in
 * {@code alwayson_scripts.controlnet}: the farm's ControlNet models (the node's folder's and the farm's store's, by the
 * names a unit's {@code model} takes) and its preprocessors.
 */
@Path("/controlnet")
@Produces(MediaType.APPLICATION_JSON)
public class ControlNetExtensionResource {
    private final ControlNetCatalog controlNets;

    ControlNetExtensionResource(ControlNetCatalog controlNets) {
        this.controlNets = controlNets;
    }

    /** {@code GET /controlnet/model_list}'s answer. */
    public record ModelList(@JsonProperty("model_list") List<String> modelList) {
    }

    /** {@code GET /controlnet/module_list}'s answer. */
    public record ModuleList(@JsonProperty("module_list") List<String> moduleList) {
    }

    @GET
    @Path("model_list")
    @RolesAllowed({Role.READ_NAME, Role.ADMIN_NAME})
    public ModelList modelList() {
        return new ModelList(controlNets.modelNames());
    }

    @GET
    @Path("module_list")
    @RolesAllowed({Role.READ_NAME, Role.ADMIN_NAME})
    public ModuleList moduleList() {
        return new ModuleList(controlNets.preprocessorNames());
    }
}
