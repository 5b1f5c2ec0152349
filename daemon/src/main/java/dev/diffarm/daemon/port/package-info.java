/**
 * The daemon's ports: where jobs come from ({@link dev.diffarm.daemon.port.JobSource}), where outputs go
 * ({@link dev.diffarm.daemon.port.OutputStore}) and where events go ({@link dev.diffarm.daemon.port.EventSink}).
 * The job lifecycle speaks only to these; the embedded defaults ({@code dev.diffarm.daemon.local}) and the
 * Kafka and S3 adapters implement them.
 */
package dev.diffarm.daemon.port;
