package io.fusionstream.topology;

import org.apache.kafka.common.header.Headers;

/**
 * A dead letter written by a batching stage itself: the failing member was accepted earlier, so
 * Kafka Streams' exception handlers (which only see the record being processed) cannot write it.
 * Same headers as theirs ({@link DeadLetters}).
 */
record DeadLetterRecord(byte[] key, byte[] value, Headers headers) {}
