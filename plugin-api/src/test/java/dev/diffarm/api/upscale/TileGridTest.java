package dev.diffarm.api.upscale;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TileGridTest {
    @Test
    void gridOriginsAreSplitGrids() {
        // the fixture's x4.tiled_origins_yx for a 20x24 picture, tile 12, overlap 4: y 0, 6, 12 and x 0, 8
        assertArrayEquals(new int[] {0, 6, 12}, TileGrid.gridOrigins(24, 12, 4));
        assertArrayEquals(new int[] {0, 8}, TileGrid.gridOrigins(20, 12, 4));
        // A1111's defaults on 512 pixels: ceil(504 / 184) = 3 tiles, 160 apart
        assertArrayEquals(new int[] {0, 160, 320}, TileGrid.gridOrigins(512, 192, 8));
        assertArrayEquals(new int[] {0}, TileGrid.gridOrigins(12, 12, 4));
        assertArrayEquals(new int[] {0, 10, 20}, TileGrid.gridOrigins(30, 10, 0));
    }

    @Test
    void averageOriginsAreTiledUpscale2s() {
        assertArrayEquals(new int[] {0, 8, 12}, TileGrid.averageOrigins(24, 12, 4));
        assertArrayEquals(new int[] {0, 8}, TileGrid.averageOrigins(20, 12, 4));
        assertArrayEquals(new int[] {0}, TileGrid.averageOrigins(12, 12, 4));
    }

    @Test
    void fadeInIsCombineGridsMask() {
        int[] expected = new int[16];
        for (int i = 0; i < 16; i++) {
            expected[i] = i * 255 / 16;
        }
        assertArrayEquals(expected, TileGrid.fadeIn(16));
        assertArrayEquals(new int[] {0, 15, 31}, java.util.Arrays.copyOf(TileGrid.fadeIn(16), 3));
    }

    @Test
    void refusesTilesLargerThanTheAxisOrOverlapsAsLargeAsTheTile() {
        assertThrows(IllegalArgumentException.class, () -> TileGrid.gridOrigins(10, 12, 4));
        assertThrows(IllegalArgumentException.class, () -> TileGrid.gridOrigins(20, 4, 4));
        assertThrows(IllegalArgumentException.class, () -> new Tiling(8, 8, TileLayout.GRID));
        assertThrows(IllegalArgumentException.class, () -> new Tiling(-1, 0, TileLayout.GRID));
    }
}
