package io.fusionstream.topology;

import io.fusionstream.config.FusionConfig;
import io.fusionstream.encode.DecodedAudio;
import io.fusionstream.encode.DecodedImage;
import io.fusionstream.encode.Encoder;
import io.fusionstream.fusion.FusionModel;
import io.fusionstream.schema.AudioChunkEvent;
import io.fusionstream.schema.FusedPrediction;
import io.fusionstream.schema.ImageFrameEvent;
import io.fusionstream.schema.TextEvent;
import io.fusionstream.serde.AvroSerdes;
import io.fusionstream.serde.SchemaRegistryClient;
import java.util.ArrayList;
import java.util.List;
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
 * text-events  -> text-decode  -> text-encode  (batched) -\
 * image-frames -> image-decode -> image-encode (batched) --+-> [fusion-encoded-by-session repartition]
 * audio-chunks -> audio-decode -> audio-encode (batched) -/        -> window -> fuse (batched) -> fused-predictions
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
  public static final String FUSE_PENDING_STORE = PREFIX + "fuse-pending";

  private FusionTopology() {}

  public static String encodePendingStore(ModalityRoute<?, ?> route) {
    return PREFIX + "encode-" + route.name() + "-pending";
  }

  public static Builder builder(FusionConfig config, SchemaRegistryClient registry) {
    return new Builder(config, registry);
  }

  public static final class Builder {
    private final FusionConfig config;
    private final SchemaRegistryClient registry;
    private final List<ModalityRoute<?, ?>> routes = new ArrayList<>();
    private Supplier<FusionModel> model;
    private PipelineMetrics metrics = PipelineMetrics.NOOP;

    private Builder(FusionConfig config, SchemaRegistryClient registry) {
      this.config = Objects.requireNonNull(config, "config");
      this.registry = Objects.requireNonNull(registry, "registry");
    }

    public Builder text(EventDecoder<TextEvent, String> decoder, Encoder<String> encoder) {
      routes.add(ModalityRoute.text(config.textTopic(), decoder, encoder));
      return this;
    }

    public Builder image(EventDecoder<ImageFrameEvent, DecodedImage> decoder, Encoder<DecodedImage> encoder) {
      routes.add(ModalityRoute.image(config.imageTopic(), decoder, encoder));
      return this;
    }

    public Builder audio(EventDecoder<AudioChunkEvent, DecodedAudio> decoder, Encoder<DecodedAudio> encoder) {
      routes.add(ModalityRoute.audio(config.audioTopic(), decoder, encoder));
      return this;
    }

    /** The model in use now; called once per fuse batch, so a model store can swap versions. */
    public Builder fusionModel(Supplier<FusionModel> model) {
      this.model = model;
      return this;
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
      StreamsBuilder builder = new StreamsBuilder();
      KStream<String, EncodedEvent> encoded = null;
      for (ModalityRoute<?, ?> route : routes) {
        KStream<String, EncodedEvent> stream = addModality(builder, route);
        encoded = encoded == null ? stream : encoded.merge(stream, Named.as(PREFIX + "merge-" + route.name()));
      }
      WindowSpec spec = new WindowSpec(config.windowSize().toMillis(), config.windowAdvance().toMillis(),
          config.grace().toMillis());
      encoded
          // Always through a repartition topic keyed by session: the window stage then sees all
          // modalities of a session on one task whatever the producers' keys and partition counts.
          // It carries encoded vectors only, a few KB per event.
          .repartition(Repartitioned.with(Serdes.String(), new EncodedEvent.EncodedEventSerde())
              .withName(REPARTITION))
          .process(SessionWindowAggregator.supplier(spec, config.idleTimeout(), config.maxPooling(),
              config.requiredModalities(), PREFIX, metrics), Named.as(PREFIX + "window"))
          .process(BatchingProcessor.supplier(PipelineMetrics.STAGE_FUSE, FUSE_PENDING_STORE, Serdes.String(),
              new ClosedWindow.ClosedWindowSerde(), config.maxBatchSize(), config.maxBatchDelay(),
              new FuseBatch(model, new PredictionMapper(config.getBoolean(FusionConfig.OUTPUT_EMBEDDING)), metrics),
              metrics), Named.as(PREFIX + "fuse"))
          .to(config.predictionsTopic(), Produced.with(Serdes.String(),
              AvroSerdes.specific(registry, FusedPrediction.class)).withName(PREFIX + "predictions-sink"));
      return builder.build();
    }

    private <E extends SpecificRecord, I> KStream<String, EncodedEvent> addModality(StreamsBuilder builder,
        ModalityRoute<E, I> route) {
      String name = PREFIX + route.name();
      return builder
          .stream(route.topic(), Consumed.with(Serdes.String(), AvroSerdes.specific(registry, route.eventType()))
              .withTimestampExtractor(new EventTimeExtractor<>(route))
              .withName(name + "-source"))
          .process(() -> new DecodeStage<>(route, metrics), Named.as(name + "-decode"))
          .process(BatchingProcessor.supplier(PipelineMetrics.encodeStage(route.modality()),
              encodePendingStore(route), Serdes.String(), new ValidEventSerde<>(route), config.maxBatchSize(),
              config.maxBatchDelay(), new EncodeBatch<>(route, metrics), metrics), Named.as(name + "-encode"));
    }
  }
}
