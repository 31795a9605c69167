package io.fusionstream.fusion;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.fusionstream.schema.Modality;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The standardisation statistics are frozen parameters written once after initialisation. On the
 * PyTorch engine an array made from a Java array is a view of a direct buffer that only that
 * NDArray object keeps alive; an array that took over its tensor without the buffer read freed
 * memory once the collector had run, which is how training went to a NaN loss after a few epochs.
 */
class FusionBlockStandardisationTest {
  private static final int DIM = 64;

  @Test
  void standardisationSurvivesCollectedBuffersAndReusedMemory() {
    Map<Modality, Integer> dims = Map.of(Modality.TEXT, DIM, Modality.IMAGE, DIM, Modality.AUDIO, DIM);
    FusionArchitecture arch =
        new FusionArchitecture(FusionStrategy.CONCAT, List.of("a", "b"), dims, 4, 4, 4, 0f);
    float[] mean = new float[DIM];
    float[] scale = new float[DIM];
    for (int k = 0; k < DIM; k++) {
      mean[k] = 0.25f * k;
      scale[k] = 1f + k;
    }
    try (NDManager manager = NDManager.newBaseManager(Device.cpu(), DjlFusionModel.ENGINE)) {
      FusionBlock block = new FusionBlock(arch);
      block.initialize(manager, DataType.FLOAT32, block.inputShapes(2));
      block.setStandardisation(Modality.IMAGE, mean, scale);

      // Freed buffers of this size are handed out again by the allocator; filling them with NaN
      // makes a parameter that still points into one show it. The correct block passes whatever
      // the collector does; a block holding such a view fails as soon as a buffer is reused.
      for (int round = 0; round < 20; round++) {
        System.gc();
        List<ByteBuffer> reuse = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
          ByteBuffer b = ByteBuffer.allocateDirect(DIM * Float.BYTES).order(ByteOrder.nativeOrder());
          while (b.remaining() >= Float.BYTES) {
            b.putFloat(Float.NaN);
          }
          reuse.add(b);
        }
        assertThat(parameter(block, "image_mean")).as("mean after round %d", round).containsExactly(mean);
        assertThat(parameter(block, "image_scale")).as("scale after round %d", round).containsExactly(scale);
        reuse.clear();
      }
    }
  }

  private static float[] parameter(FusionBlock block, String name) {
    return block.getParameters().get(name).getArray().toFloatArray();
  }
}
