package io.fusionstream.encode;

import io.fusionstream.decode.AudioDecoder;
import io.fusionstream.decode.DecodedAudio;
import io.fusionstream.decode.DecodedImage;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import io.fusionstream.config.FusionConfig;
import io.fusionstream.schema.Modality;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.function.Predicate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the encoders that {@link EncoderSettings} describe. Nothing is downloaded. */
public final class EncoderFactory {
  private static final Logger LOG = LoggerFactory.getLogger(EncoderFactory.class);

  private EncoderFactory() {}

  public static Encoders create(EncoderSettings settings) {
    Encoder<String> text = text(settings);
    try {
      Encoder<DecodedImage> image = image(settings);
      try {
        ImageSpec imageSpec = imageSpec(settings);
        return new Encoders(text, image, audio(settings), audioSpec(settings).sampleRate(),
            imageSpec.width(), imageSpec.height());
      } catch (RuntimeException e) {
        image.close();
        throw e;
      }
    } catch (RuntimeException e) {
      text.close();
      throw e;
    }
  }

  public static DjlEncoder<String> text(EncoderSettings settings) {
    TorchThreads.configure(settings.torchThreads());
    BuiltinTextModel builtin = BuiltinTextModel.byName(settings.textModel());
    if (builtin != null) {
      String version = builtin.version();
      Path onnx = ClasspathModels.extract(builtin.onnxResource, version);
      Path tokenizer = ClasspathModels.extract(builtin.tokenizerResource, version);
      return loadText(builtin.modelId(), "OnnxRuntime", onnx, tokenizer,
          new OutputSpec(null, builtin.pooling, true), settings.maxSequenceLength(),
          builtin.dimension, settings);
    }
    ModelSpec spec = ModelSpec.read(locate(settings.textModel(), settings), Modality.TEXT, settings.textPooling());
    refuseWritableTorchScript(spec, settings.torchScriptAllowWritable(), Files::isWritable);
    int maxLength = spec.maxSequenceLength() > 0
        ? Math.min(spec.maxSequenceLength(), settings.maxSequenceLength())
        : settings.maxSequenceLength();
    return loadText(spec.modelId(), spec.engine(), spec.modelFile(), spec.tokenizer(), spec.output(),
        maxLength, spec.dimension(), settings);
  }

  public static DjlEncoder<DecodedImage> image(EncoderSettings settings) {
    TorchThreads.configure(settings.torchThreads());
    if (isBuiltin(settings.imageModel())) {
      return BuiltinEncoders.image(settings.device(), settings.maxBatchSize());
    }
    ModelSpec spec = ModelSpec.read(locate(settings.imageModel(), settings), Modality.IMAGE, null);
    DecodedImage probe = new DecodedImage(1, 1, new byte[3]);
    return loadModel(spec, new ImagePreprocessor(spec.image(), spec.output(), spec.inputName()),
        probe, settings, false);
  }

  public static DjlEncoder<DecodedAudio> audio(EncoderSettings settings) {
    TorchThreads.configure(settings.torchThreads());
    if (isBuiltin(settings.audioModel())) {
      return BuiltinEncoders.audio(settings.audio(), settings.device(), settings.maxBatchSize());
    }
    ModelSpec spec = ModelSpec.read(locate(settings.audioModel(), settings), Modality.AUDIO, null);
    DecodedAudio probe = new DecodedAudio(new float[spec.audio().sampleRate()], spec.audio().sampleRate());
    return loadModel(spec, new AudioPreprocessor(spec.audio(), spec.output(), false, spec.inputName()),
        probe, settings, true);
  }

  /** The image model's expectations; its size is what {@code ImageDecoder} subsamples toward. */
  public static ImageSpec imageSpec(EncoderSettings settings) {
    if (isBuiltin(settings.imageModel())) {
      // as BuiltinEncoders.image builds it
      return ImageSpec.unitRange(ImageFeatureBlock.SIDE, ImageFeatureBlock.SIDE);
    }
    return ModelSpec.read(locate(settings.imageModel(), settings), Modality.IMAGE, null).image();
  }

  /** The audio model's expectations; its sample rate is what {@link AudioDecoder} must produce. */
  public static AudioSpec audioSpec(EncoderSettings settings) {
    if (isBuiltin(settings.audioModel())) {
      return settings.audio();
    }
    return ModelSpec.read(locate(settings.audioModel(), settings), Modality.AUDIO, null).audio();
  }

  private static DjlEncoder<String> loadText(String id, String engine, Path onnx, Path tokenizerFile, OutputSpec output,
      int maxLength, int dimension, EncoderSettings settings) {
    HuggingFaceTokenizer tokenizer;
    try {
      tokenizer = HuggingFaceTokenizer.builder()
          .optTokenizerPath(tokenizerFile)
          .optMaxLength(maxLength)
          .optTruncation(true) // long texts are cut to maxLength tokens, never refused
          .optPadding(true) // to the longest text of the batch, not to a fixed length
          .build();
    } catch (IOException e) {
      throw new EncodeException("cannot load tokenizer " + tokenizerFile, e);
    }
    try {
      Device device = Devices.resolve(settings.device(), engine);
      ZooModel<NDList, NDList> model = load(onnx, engine, device, settings.onnxThreads());
      TextPreprocessor preprocessor = new TextPreprocessor(tokenizer, output);
      int dims = dimension > 0 ? dimension : measure(model, preprocessor, device, "dimension probe");
      LOG.info("text encoder {} on {}: {} dims, max {} tokens", id, device, dims, maxLength);
      return new DjlEncoder<>(Modality.TEXT, id, dims, model, tokenizer, preprocessor, device,
          settings.maxBatchSize(), settings.bucketByLength());
    } catch (RuntimeException e) {
      tokenizer.close();
      throw e;
    }
  }

  private static <I> DjlEncoder<I> loadModel(ModelSpec spec, Preprocessor<I> preprocessor, I probe,
      EncoderSettings settings, boolean bucket) {
    refuseWritableTorchScript(spec, settings.torchScriptAllowWritable(), Files::isWritable);
    Device device = Devices.resolve(settings.device(), spec.engine());
    ZooModel<NDList, NDList> model =
        load(spec.modelFile(), spec.engine(), device, settings.onnxThreads());
    try {
      int dims = spec.dimension() > 0 ? spec.dimension() : measure(model, preprocessor, device, probe);
      LOG.info("{} encoder {} ({}) on {}: {} dims", spec.modality(), spec.modelId(), spec.engine(),
          device, dims);
      if (spec.declaredRandom()) {
        LOG.warn("{} encoder {} has RANDOM weights (model.json: \"pretrained\": false): it runs, but"
            + " its embeddings carry no meaning; use trained weights for real use (tools/export_encoder.py"
            + " --pretrained for the image networks; the audio CNN has none published)",
            spec.modality(), spec.modelId());
      }
      return new DjlEncoder<>(spec.modality(), spec.modelId(), dims, model, null, preprocessor, device,
          settings.maxBatchSize(), bucket);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  /**
   * Refuses a TorchScript model whose file, or a directory from the model directory down to it, the
   * process may write (as the kernel answers for this user: owner, group, ACLs, read-only mounts):
   * TorchScript is code, so a process that can replace it can be made to run anything. ONNX graphs
   * hold no code and are not checked.
   */
  static void refuseWritableTorchScript(ModelSpec spec, boolean allowed, Predicate<Path> writable) {
    if (allowed || !spec.engine().equals("PyTorch")) {
      return;
    }
    Path file;
    Path top;
    try {
      file = spec.modelFile().toRealPath();
      top = spec.directory().toRealPath();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot resolve TorchScript model " + spec.modelFile(), e);
    }
    List<Path> checked = new ArrayList<>();
    checked.add(file);
    for (Path dir = file.getParent(); dir != null && dir.startsWith(top); dir = dir.getParent()) {
      checked.add(dir);
    }
    for (Path p : checked) {
      if (writable.test(p)) {
        throw new IllegalArgumentException("TorchScript model " + file + " refused: " + p
            + " is writable by this process and TorchScript is code; make the model directory read-only"
            + " (docs/security.md) or set " + FusionConfig.ENCODER_TORCHSCRIPT_ALLOW_WRITABLE + "=true");
      }
    }
  }

  static ZooModel<NDList, NDList> load(Path file, String engine, Device device, int onnxThreads) {
    Criteria.Builder<NDList, NDList> builder = Criteria.builder()
        .setTypes(NDList.class, NDList.class)
        .optEngine(engine)
        .optModelPath(file)
        .optDevice(device)
        .optTranslator(new NoopTranslator());
    if (onnxThreads > 0 && engine.equals("OnnxRuntime")) {
      builder.optOption("intraOpNumThreads", Integer.toString(onnxThreads))
          .optOption("interOpNumThreads", "1");
    }
    Criteria<NDList, NDList> criteria = builder.build();
    try {
      return criteria.loadModel();
    } catch (IOException | ModelNotFoundException | MalformedModelException e) {
      throw new EncodeException("cannot load " + engine + " model " + file + " on " + device, e);
    }
  }

  /** Runs one input through the model to learn the embedding size of a model given by path. */
  private static <I> int measure(ZooModel<NDList, NDList> model, Preprocessor<I> preprocessor,
      Device device, I probe) {
    preprocessor.prepare(model);
    try (Predictor<List<I>, float[][]> predictor =
        model.newPredictor(new BatchTranslator<>(preprocessor), device)) {
      return predictor.predict(List.of(probe))[0].length;
    } catch (TranslateException e) {
      throw new EncodeException("probe input failed on " + model.getName(), e);
    }
  }

  /** A directory path, a model URL ({@link ModelUrls}), or a name inside the model directory. */
  static Path locate(String value, EncoderSettings settings) {
    Path direct = ModelUrls.isUrl(value) ? ModelUrls.resolve(value) : Path.of(value);
    if (Files.isDirectory(direct)) {
      return direct;
    }
    if (Files.isRegularFile(direct) && direct.getFileName().toString().equals(ModelSpec.FILE_NAME)) {
      return direct.toAbsolutePath().getParent();
    }
    if (settings.modelDir() != null && Files.isDirectory(settings.modelDir().resolve(value))) {
      return settings.modelDir().resolve(value);
    }
    throw new IllegalArgumentException(
        "model '" + value + "' is neither a built-in, a directory, nor a model under "
            + (settings.modelDir() == null ? "(no fusion.encoder.model.dir set)" : settings.modelDir()));
  }

  private static boolean isBuiltin(String value) {
    return value == null || value.isBlank()
        || value.trim().toLowerCase(Locale.ROOT).equals(EncoderSettings.BUILTIN);
  }
}
