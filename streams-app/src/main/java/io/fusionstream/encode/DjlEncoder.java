package io.fusionstream.encode;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import io.fusionstream.schema.Modality;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one encoder implementation: a DJL model, a modality's {@link Preprocessor}, and the shared
 * plumbing (batch splitting, length bucketing, one predictor per thread, device, cleanup).
 *
 * <p>Memory: every batch runs in the predictor's per-call NDManager, which DJL closes after the
 * call, and the translator returns plain {@code float[][]}; no NDArray outlives a batch.
 *
 * @param <I> the decoded input
 */
public final class DjlEncoder<I> implements Encoder<I> {
  private static final Logger LOG = LoggerFactory.getLogger(DjlEncoder.class);

  /** A bucket is cut when an input costs more than this times the bucket's first input (+ slack). */
  private static final int BUCKET_RATIO = 2;

  private static final int BUCKET_SLACK = 32;

  private final Modality modality;
  private final String modelId;
  private final int dimension;
  private final Model model;
  private final AutoCloseable owned;
  private final Preprocessor<I> preprocessor;
  private final BatchTranslator<I> translator;
  private final Device device;
  private final int maxBatchSize;
  private final boolean bucketByCost;
  private final Map<Thread, Predictor<List<I>, float[][]>> predictors = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /**
   * @param model the loaded model; closed by {@link #close()}
   * @param owned something else to close with the model (e.g. a tokenizer), or null
   */
  public DjlEncoder(
      Modality modality,
      String modelId,
      int dimension,
      Model model,
      AutoCloseable owned,
      Preprocessor<I> preprocessor,
      Device device,
      int maxBatchSize,
      boolean bucketByCost) {
    if (maxBatchSize <= 0 || dimension <= 0) {
      throw new IllegalArgumentException(
          "max batch size and dimension must be positive: " + maxBatchSize + ", " + dimension);
    }
    this.modality = modality;
    this.modelId = modelId;
    this.dimension = dimension;
    this.model = model;
    this.owned = owned;
    this.preprocessor = preprocessor;
    this.translator = new BatchTranslator<>(preprocessor);
    this.device = device;
    this.maxBatchSize = maxBatchSize;
    this.bucketByCost = bucketByCost;
    preprocessor.prepare(model);
  }

  @Override
  public Modality modality() {
    return modality;
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public String modelId() {
    return modelId;
  }

  public Device device() {
    return device;
  }

  public int maxBatchSize() {
    return maxBatchSize;
  }

  /** The model, for inspection (e.g. of its NDManager in tests). */
  Model model() {
    return model;
  }

  @Override
  public float[][] encode(List<I> inputs) {
    if (closed) {
      throw new IllegalStateException("encoder " + modelId + " is closed");
    }
    float[][] out = new float[inputs.size()][];
    if (inputs.isEmpty()) {
      return out;
    }
    Predictor<List<I>, float[][]> predictor = predictorForThisThread();
    for (int[] batch : plan(inputs)) {
      List<I> items = new ArrayList<>(batch.length);
      for (int index : batch) {
        items.add(inputs.get(index));
      }
      float[][] rows = predict(predictor, items);
      for (int i = 0; i < batch.length; i++) {
        if (rows[i].length != dimension) {
          throw new EncodeException(
              modelId + " returned a vector of " + rows[i].length + ", expected " + dimension);
        }
        out[batch[i]] = rows[i];
      }
    }
    return out;
  }

  /**
   * Splits the inputs into batches of at most {@link #maxBatchSize} indices. With bucketing, the
   * inputs are sorted by cost first and a batch is also cut where the cost jumps, so long inputs
   * are padded together and short ones stay cheap.
   */
  List<int[]> plan(List<I> inputs) {
    int n = inputs.size();
    List<Integer> order = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      order.add(i);
    }
    int[] costs = new int[n];
    if (bucketByCost) {
      for (int i = 0; i < n; i++) {
        costs[i] = preprocessor.cost(inputs.get(i));
      }
      order.sort(Comparator.comparingInt(i -> costs[i]));
    }
    List<int[]> batches = new ArrayList<>();
    List<Integer> current = new ArrayList<>();
    for (int index : order) {
      boolean full = current.size() == maxBatchSize;
      boolean jump =
          bucketByCost
              && !current.isEmpty()
              && costs[index] > BUCKET_RATIO * costs[current.get(0)] + BUCKET_SLACK;
      if (full || jump) {
        batches.add(current.stream().mapToInt(Integer::intValue).toArray());
        current.clear();
      }
      current.add(index);
    }
    batches.add(current.stream().mapToInt(Integer::intValue).toArray());
    return batches;
  }

  private float[][] predict(Predictor<List<I>, float[][]> predictor, List<I> items) {
    try {
      return predictor.predict(items);
    } catch (TranslateException | RuntimeException e) {
      if (e instanceof EncodeException encodeException) {
        throw encodeException;
      }
      throw new EncodeException(
          modelId + " failed on a batch of " + items.size() + " " + modality + " inputs on "
              + device + ": " + e.getMessage(),
          e);
    }
  }

  /** DJL predictors are not thread-safe; each Kafka Streams thread gets its own. */
  private Predictor<List<I>, float[][]> predictorForThisThread() {
    Thread thread = Thread.currentThread();
    Predictor<List<I>, float[][]> predictor = predictors.get(thread);
    if (predictor == null) {
      releaseDeadThreads();
      predictor = model.newPredictor(translator, device);
      predictors.put(thread, predictor);
      LOG.debug("{}: new predictor for thread {}", modelId, thread.getName());
    }
    return predictor;
  }

  /** Stream threads get replaced after errors; their predictors should not pile up. */
  private void releaseDeadThreads() {
    predictors.entrySet().removeIf(entry -> {
      if (!entry.getKey().isAlive()) {
        entry.getValue().close();
        return true;
      }
      return false;
    });
  }

  int predictorCount() {
    return predictors.size();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    predictors.values().forEach(Predictor::close);
    predictors.clear();
    model.close();
    if (owned != null) {
      try {
        owned.close();
      } catch (Exception e) {
        LOG.warn("{}: closing {} failed", modelId, owned, e);
      }
    }
  }

  @Override
  public String toString() {
    return modality + " encoder " + modelId + " (" + dimension + " dims, " + device + ", batch<="
        + maxBatchSize + ")";
  }
}
