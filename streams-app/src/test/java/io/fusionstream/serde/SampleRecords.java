package io.fusionstream.serde;

import io.fusionstream.schema.AudioChunkEvent;
import io.fusionstream.schema.AudioEncoding;
import io.fusionstream.schema.FusedPrediction;
import io.fusionstream.schema.ImageEncoding;
import io.fusionstream.schema.ImageFrameEvent;
import io.fusionstream.schema.Modality;
import io.fusionstream.schema.TextEvent;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One filled-in record of each schema, with every optional field set so none is skipped. */
public final class SampleRecords {
  static final Instant T0 = Instant.ofEpochMilli(1_760_000_000_123L);

  private SampleRecords() {}

  public static TextEvent text() {
    return TextEvent.newBuilder().setSessionId("s-1").setEventId("e-1").setTimestamp(T0)
        .setText("the camera froze — 画面が止まった").setLanguage("en").setSource("chat").build();
  }

  public static ImageFrameEvent image() {
    return ImageFrameEvent.newBuilder().setSessionId("s-1").setEventId("e-2").setTimestamp(T0.plusMillis(40))
        .setEncoding(ImageEncoding.RAW_RGB).setWidth(2).setHeight(1)
        .setData(ByteBuffer.wrap(new byte[] {1, 2, 3, (byte) 250, (byte) 251, (byte) 252})).build();
  }

  public static AudioChunkEvent audio() {
    return AudioChunkEvent.newBuilder().setSessionId("s-1").setEventId("e-3").setTimestamp(T0.plusMillis(500))
        .setEncoding(AudioEncoding.PCM_S16LE).setSampleRate(16_000).setChannels(1)
        .setData(ByteBuffer.wrap(new byte[] {0, 1, (byte) 0xff, 0x7f})).build();
  }

  public static FusedPrediction prediction() {
    return FusedPrediction.newBuilder().setSessionId("s-1").setWindowStart(T0).setWindowEnd(T0.plusSeconds(10))
        .setLabel("frustrated").setScores(Map.of("frustrated", 0.75f, "calm", 0.25f))
        .setModalitiesPresent(List.of(Modality.TEXT, Modality.AUDIO))
        .setModalityWeights(Map.of("text", 0.6f, "audio", 0.4f))
        .setModalityEventCounts(Map.of("text", 3, "audio", 20))
        .setModalityAuxLabels(Map.of("text", "frustrated", "audio", "calm"))
        .setConsistency(0.5f).setEmbedding(List.of(0.6f, 0.8f)).setModelVersion("fusion-7")
        .setEmittedAt(T0.plusSeconds(11)).build();
  }
}
