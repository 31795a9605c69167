package io.fusionstream.topology;

import io.fusionstream.schema.Modality;
import org.apache.avro.specific.SpecificRecord;

/**
 * An input event that passed validation, waiting to be encoded. {@code decoded} is the decoded
 * payload while it is in memory; it is never written to state (a decoded frame is far larger than
 * its JPEG), so after a restart it is null and the encode stage decodes the event again.
 */
public record ValidEvent<E extends SpecificRecord, I>(
    Modality modality, String sessionId, long eventTime, long ingestWallMs, E event, I decoded) {
}
