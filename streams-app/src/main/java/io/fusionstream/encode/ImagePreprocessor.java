package io.fusionstream.encode;

import io.fusionstream.decode.DecodedImage;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;
import java.util.List;

/**
 * Images to a normalised [b, 3, h, w] or [b, h, w, 3] float tensor, as an {@link ImageSpec} says.
 * Crop and resize read the decoded bytes in place; the floats held are the model input's size.
 */
final class ImagePreprocessor implements Preprocessor<DecodedImage> {
  private final ImageSpec spec;
  private final OutputSpec output;
  private final String inputName;

  /** @param inputName the model's input name, or null to pass the tensor by position */
  ImagePreprocessor(ImageSpec spec, OutputSpec output, String inputName) {
    this.spec = spec;
    this.output = output;
    this.inputName = inputName;
  }

  @Override
  public NDList toInput(NDManager manager, List<DecodedImage> batch) {
    int w = spec.width();
    int h = spec.height();
    int plane = w * h;
    FloatBuffer data = FloatBuffer.allocate(batch.size() * plane * 3);
    float[] pixels = new float[plane * 3];
    for (DecodedImage image : batch) {
      ImageResizer.Region region = spec.resize() == ImageSpec.Resize.CENTER_CROP
          ? ImageResizer.centerCrop(image, w, h)
          : new ImageResizer.Region(0, 0, image.width(), image.height());
      float[] hwc = ImageResizer.resize(image, region, w, h);
      for (int p = 0; p < plane; p++) {
        for (int c = 0; c < 3; c++) {
          int source = spec.order() == ImageSpec.ChannelOrder.RGB ? c : 2 - c;
          float v = (hwc[p * 3 + source] / 255f - spec.mean()[c]) / spec.std()[c];
          int target = spec.layout() == ImageSpec.Layout.NCHW ? c * plane + p : p * 3 + c;
          pixels[target] = v;
        }
      }
      data.put(pixels);
    }
    data.flip();
    Shape shape =
        spec.layout() == ImageSpec.Layout.NCHW
            ? new Shape(batch.size(), 3, h, w)
            : new Shape(batch.size(), h, w, 3);
    NDArray tensor = manager.create(data, shape);
    if (inputName != null) {
      tensor.setName(inputName);
    }
    return new NDList(tensor);
  }

  @Override
  public float[][] toVectors(NDList input, NDList out, int batchSize) {
    return output.rows(output.select(out), batchSize);
  }
}
