package io.fusionstream.topology;

import io.fusionstream.config.FusionConfig;
import io.fusionstream.decode.AudioDecoder;
import io.fusionstream.decode.DecodedAudio;
import io.fusionstream.decode.DecodedImage;
import io.fusionstream.encode.Encoder;
import io.fusionstream.encode.Encoders;
import io.fusionstream.decode.ImageDecoder;
import io.fusionstream.decode.Limits;
import io.fusionstream.decode.TextDecoder;
import io.fusionstream.decode.InputDecoder;
import io.fusionstream.fusion.FusionModel;
import io.fusionstream.schema.AudioChunkEvent;
import io.fusionstream.schema.FusedPrediction;
import io.fusionstream.schema.ImageFrameEvent;
import io.fusionstream.schema.Modality;
import io.fusionstream.schema.TextEvent;
import io.fusionstream.serde.AvroSerdes;
import io.fusionstream.serde.SchemaRegistryClient;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;

/**
 * Builds the FusionStream topology from the config, the encoders and decoders of each modality, the
 * current fusion model and the metrics hooks:
 *
 * <pre>
 * text-events  -> text-decode  -\
 * image-frames -> image-decode --+-> encode (batched, one encoder call per modality) -> [fusion-encoded-by-session]
 * audio-chunks -> audio-decode -/      -> window -> fuse (batched) -> fused-predictions
 * bad records (decode failures, limits, missing session) -> fusion-dlq, via the exception handlers
 * </pre>
 *
 * Every modality is optional; at least one is required. Internal names (processors, stores,
 * repartition topic) are explicit, so changelog topics stay stable across versions.
 */
public final class FusionTopology {
  public static final String PREFIX = "fusion-";
  public static final String REPARTITION = PREFIX + "encoded-by-session";
  public static final String WINDOW_STORE = PREFIX + "windows";
  public static final String ENCODE_PENDING_STORE = PREFIX + "encode-pending";
  public static final String FUSE_PENDING_STORE = PREFIX + "fuse-pending";

  private FusionTopology() {}

  /** A view of a model whose close does nothing: the batch borrowing it must not close the owner's model. */
  private record BorrowedModel(FusionModel model) implements FusionModel {
    @Override
    public String version() {
      return model.version();
    }

    @Override
    public List<String> labels() {
      return model.labels();
    }

    @Override
    public List<io.fusionstream.fusion.FusionOutput> predict(List<io.fusionstream.fusion.FusionInput> batch) {
      return model.predict(batch);
    }

    @Override
    public void close() {}
  }

  public static Builder builder(FusionConfig config, SchemaRegistryClient registry) {
    return new Builder(config, registry);
  }

  public static final class Builder {
    private final FusionConfig config;
    private final SchemaRegistryClient registry;
    private final List<ModalityRoute<?, ?>> routes = new ArrayList<>();
    private Supplier<? extends FusionModel> model;
    private PipelineMetrics metrics = PipelineMetrics.NOOP;

    private Builder(FusionConfig config, SchemaRegistryClient registry) {
      this.config = Objects.requireNonNull(config, "config");
      this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** The input limits of the config, for the standard decoders. */
    public Limits limits() {
      return config.limits();
    }

    /** Text with the standard {@link TextDecoder} and the configured limits. */
    public Builder text(Encoder<String> encoder) {
      return text(new TextDecoder(limits()), encoder);
    }

    /** Images with the standard {@link ImageDecoder} and the configured limits. */
    public Builder image(Encoder<DecodedImage> encoder) {
      return image(new ImageDecoder(limits()), encoder);
    }

    /** Images decoded with subsampling toward the encoder's input size (0 x 0: none). */
    public Builder image(Encoder<DecodedImage> encoder, int inputWidth, int inputHeight) {
      return image(new ImageDecoder(limits(), inputWidth, inputHeight), encoder);
    }

    /** Audio with the standard {@link AudioDecoder}, resampling to the encoder's rate. */
    public Builder audio(Encoder<DecodedAudio> encoder, int sampleRate) {
      return audio(new AudioDecoder(limits(), sampleRate), encoder);
    }

    /** All three modalities with the standard decoders; the caller keeps ownership of the encoders. */
    public Builder encoders(Encoders encoders) {
      return text(encoders.text()).image(encoders.image(), encoders.imageWidth(), encoders.imageHeight()).audio(encoders.audio(), encoders.audioSampleRate());
    }

    public Builder text(InputDecoder<TextEvent, String> decoder, Encoder<String> encoder) {
      routes.add(ModalityRoute.text(config.textTopic(), decoder, encoder));
      return this;
    }

    public Builder image(InputDecoder<ImageFrameEvent, DecodedImage> decoder, Encoder<DecodedImage> encoder) {
      routes.add(ModalityRoute.image(config.imageTopic(), decoder, encoder));
      return this;
    }

    public Builder audio(InputDecoder<AudioChunkEvent, DecodedAudio> decoder, Encoder<DecodedAudio> encoder) {
      routes.add(ModalityRoute.audio(config.audioTopic(), decoder, encoder));
      return this;
    }

    /**
     * Where each fuse batch borrows its model: called once per batch, and the model it returns is
     * closed when the batch is done. {@code modelStore::current} fits: its leases release a version,
     * and a hot-swapped version is picked up at the next batch.
     */
    public Builder fusionModel(Supplier<? extends FusionModel> perBatch) {
      this.model = Objects.requireNonNull(perBatch, "fusion model supplier");
      return this;
    }

    /** One fixed model for every batch; the caller keeps ownership and closes it. */
    public Builder fusionModel(FusionModel fixed) {
      Objects.requireNonNull(fixed, "fusion model");
      return fusionModel(() -> new BorrowedModel(fixed));
    }

    public Builder metrics(PipelineMetrics metrics) {
      this.metrics = Objects.requireNonNull(metrics, "metrics");
      return this;
    }

    public Topology build() {
      if (routes.isEmpty()) {
        throw new IllegalStateException("the topology needs at least one modality");
      }
      Objects.requireNonNull(model, "fusion model supplier");
      if (routes.stream().map(ModalityRoute::modality).distinct().count() != routes.size()) {
        throw new IllegalStateException("a modality was configured twice");
      }
      StreamsBuilder builder = new StreamsBuilder();
      KStream<String, ValidEvent<?, ?>> valid = null;
      for (ModalityRoute<?, ?> route : routes) {
        KStream<String, ValidEvent<?, ?>> stream = addSource(builder, route);
        valid = valid == null ? stream : valid.merge(stream, Named.as(PREFIX + "merge-" + route.name()));
      }
      List<ModalityRoute<?, ?>> all = List.copyOf(routes);
      Map<Modality, ModalityRoute<?, ?>> byModality = new EnumMap<>(Modality.class);
      all.forEach(r -> byModality.put(r.modality(), r));
      // One encode stage for all modalities, so events leave it in the order they arrived; each
      // modality still gets its own encoder call per batch.
      KStream<String, EncodedEvent> encoded = splitDeadLetters(valid.process(BatchingProcessor.supplier(null,
          ENCODE_PENDING_STORE, Serdes.String(), new ValidEventSerde(all), config.maxBatchSize(),
          config.maxBatchDelay(), new EncodeBatch(all, metrics), e -> e.modality().ordinal(),
          new BatchingProcessor.MemoryBudget<ValidEvent<?, ?>>(config.maxBatchBytes(),
              e -> byModality.get(e.modality()).weight(e)),
          StageDeadLetters.events(all, registry, config.originals()), metrics), Named.as(PREFIX + "encode")), PREFIX + "encode");
      WindowSpec spec = new WindowSpec(config.windowSize().toMillis(), config.windowAdvance().toMillis(),
          config.grace().toMillis());
      Map<Modality, Integer> dimensions = new EnumMap<>(Modality.class);
      all.forEach(r -> dimensions.put(r.modality(), r.encoder().dimension()));
      KStream<String, ClosedWindow> closed = encoded
          // Always through a repartition topic keyed by session: the window stage then sees all
          // modalities of a session on one task whatever the producers' keys and partition counts.
          // It carries encoded vectors only, a few KB per event.
          .repartition(Repartitioned.with(Serdes.String(), new EncodedEvent.EncodedEventSerde())
              .withName(REPARTITION).withNumberOfPartitions(config.repartitionPartitions()))
          .process(SessionWindowAggregator.supplier(spec, config.idleTimeout(), config.maxPooling(),
              config.requiredModalities(), PREFIX, metrics), Named.as(PREFIX + "window"));
      splitDeadLetters(closed.process(BatchingProcessor.supplier(PipelineMetrics.STAGE_FUSE, FUSE_PENDING_STORE,
              Serdes.String(), new ClosedWindow.ClosedWindowSerde(), config.maxBatchSize(), config.maxBatchDelay(),
              new FuseBatch(model, new PredictionMapper(config.getBoolean(FusionConfig.OUTPUT_EMBEDDING)), dimensions,
                  metrics),
              w -> 0, BatchingProcessor.MemoryBudget.unlimited(), StageDeadLetters.windows(), metrics),
              Named.as(PREFIX + "fuse")), PREFIX + "fuse")
          .to(config.predictionsTopic(), Produced.with(Serdes.String(),
              AvroSerdes.configured(AvroSerdes.specific(registry, FusedPrediction.class), config.originals(), false))
              .withName(PREFIX + "predictions-sink"));
      return builder.build();
    }

    /** Sends what a batching stage rejected to the dead-letter topic, and the rest on. */
    private <V> KStream<String, V> splitDeadLetters(KStream<String, StageOutput<V>> out, String stage) {
      out.filter((k, o) -> o.isDeadLetter(), Named.as(stage + "-rejected"))
          .process(() -> new StageDeadLetters.Forwarder<V>(DeadLetterPolicy.from(config)), Named.as(stage + "-dead-letters"))
          .to(config.dlqTopic(), Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(stage + "-dlq-sink"));
      return out.filter((k, o) -> !o.isDeadLetter(), Named.as(stage + "-accepted"))
          .mapValues(StageOutput::value, Named.as(stage + "-output"));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private <E extends SpecificRecord, I> KStream<String, ValidEvent<?, ?>> addSource(StreamsBuilder builder,
        ModalityRoute<E, I> route) {
      String name = PREFIX + route.name();
      KStream<String, ValidEvent<E, I>> decoded = builder
          .stream(route.topic(), Consumed.with(Serdes.String(), AvroSerdes.configured(AvroSerdes.specific(registry,
                  route.eventType(), config.maxEventBytes()), config.originals(), false))
              .withTimestampExtractor(new EventTimeExtractor<>(route, EventTimeBounds.of(config)))
              .withName(name + "-source"))
          .process(() -> new DecodeStage<>(route, EventTimeBounds.of(config),
              config.getInt(FusionConfig.LIMIT_SESSION_ID_CHARS), metrics), Named.as(name + "-decode"));
      return (KStream) decoded;
    }
  }
}
