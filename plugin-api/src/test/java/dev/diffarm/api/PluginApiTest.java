package dev.diffarm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PluginApiTest {
    @Test
    void theVersionIsTheOnePluginsAreBuiltAgainst() {
        assertEquals(System.getProperty("diffarm.api.version"), PluginApi.VERSION,
                "PluginApi.VERSION and the build's diffarm.api.version (each plugin's Plugin-Requires)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.3", " 1.3 ", "1.3.2"})
    void aPluginBuiltAgainstThisVersionLoads(String builtAgainst) {
        PluginApi.checkCompatible(builtAgainst);
    }

    @Test
    void anotherMajorVersionIsRefusedNamingBoth() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PluginApi.checkCompatible("2.0"));
        assertTrue(e.getMessage().startsWith("built against plugin API 2.0, but this diffarm provides plugin API "
                + PluginApi.VERSION), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PluginApi.checkCompatible("0.9"));
    }

    /**
     * 1.1 added the fine-tune extension point, 1.2 pictures and control preprocessors, 1.3 the host's tensor operations
     * for networks; older plugins keep loading.
     */
    @ParameterizedTest
    @ValueSource(strings = {"1.0", "1.0.3", "1.1", "1.2"})
    void aPluginBuiltAgainstAnOlderMinorVersionLoads(String builtAgainst) {
        PluginApi.checkCompatible(builtAgainst);
    }

    @Test
    void aNewerMinorVersionIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> PluginApi.checkCompatible("1.4"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "*", "one", ">=1.0"})
    void aRequiresThatIsNoVersionIsRefused(String requires) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PluginApi.checkCompatible(requires));
        assertEquals("Plugin-Requires '" + requires + "': expected the plugin API version the plugin was built against, "
                + "such as " + PluginApi.VERSION, e.getMessage());
    }
}
