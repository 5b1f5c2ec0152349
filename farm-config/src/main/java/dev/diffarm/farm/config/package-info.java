/**
 * The public contract of the diffarm render farm: what a producer sends, what the farm answers, and how a job
 * becomes images. A system that submits work depends on this package alone (and on Jackson, which it uses).
 *
 * <h2>Submitting a job</h2>
 * A job is one JSON object, {@code "apiVersion": "diffarm/v1"}, sent to the Kafka topic {@code diffarm.jobs}
 * keyed by its id (or {@code POST}ed to {@code /jobs}). Write it by hand, or build it in Java:
 * <pre>{@code
 * RenderJob job = new RenderJob("cats-2024-06", List.of("a cat in a hat", "a dog in a hat"),
 *         List.of(1L, 2L), new Size(512, 768), RenderSettings.defaults("sd15").withSteps(30));
 * producer.send(new ProducerRecord<>("diffarm.jobs", job.id(), job.toJson()));
 * }</pre>
 * A {@link dev.diffarm.farm.config.RenderJob render job} renders every prompt with every seed; a
 * {@link dev.diffarm.farm.config.Campaign campaign} applies styles (prompt templates) and sizes as well; a
 * {@link dev.diffarm.farm.config.MergeJob merge job} makes a new model of the farm's models (weighted sum or add
 * difference), which render jobs can then name.
 * Fields left out take the {@link dev.diffarm.farm.config.Defaults defaults} ({@code Euler a}, 20 steps,
 * CFG 7, 512x512, no negative prompt, one seed derived from the id); the bounds are in
 * {@link dev.diffarm.farm.config.Limits}. The JSON Schema ({@link dev.diffarm.farm.config.JobSchema}) states
 * the same.
 *
 * <h2>Idempotency</h2>
 * The id is the idempotency key. Sending a job again under the same id never renders an image twice: each
 * task's image is stored at a fixed key, {@code jobs/<id>/t0000.png}, with a sidecar
 * {@code jobs/<id>/t0000.json} holding the hash of its parameters, and a task whose sidecar already holds the
 * same hash is skipped. So after a failure, send the job again unchanged; for new images, use a new id. A merge
 * job is skipped the same way when its record {@code jobs/<id>/merge.json} holds the same hash and the merged
 * model's file is the one recorded.
 *
 * <h2>Checking a job before sending it</h2>
 * {@link dev.diffarm.farm.config.JobParser} reports every problem of a document at once, each with the path of
 * its field, the value and what was expected ({@code prompts[2] = "": expected a non-blank prompt ...}). A
 * producer's parser cannot know the farm's models, samplers and LoRAs; the farm's parser, given its
 * {@link dev.diffarm.farm.config.Catalog}, reports unknown names the same way.
 *
 * <h2>Following a job</h2>
 * The farm reports on the topic {@code diffarm.events}, keyed by job id: {@code accepted} or
 * {@code rejected}, then {@code progress} and {@code task-completed} (with the object key of each image),
 * then {@code completed} (with every key) or {@code failed}. {@link dev.diffarm.farm.config.JobEvent#parse}
 * reads them. A submission that is not JSON, or no job at all, goes to {@code diffarm.jobs.dlq} instead.
 *
 * <h2>Planning</h2>
 * {@link dev.diffarm.farm.config.Job#plan()} expands a job into its {@link dev.diffarm.farm.config.TaskSpec
 * tasks} in a fixed order, with their ids, object keys and {@link dev.diffarm.farm.config.TaskParameters
 * parameter hashes}: the same job gives the same plan on every farm node, whatever the order of its JSON
 * fields.
 *
 * <h2>Configuring a farm</h2>
 * {@link dev.diffarm.farm.config.FarmSettings} reads where the farm takes jobs from and stores images from
 * {@code DIFFARM_*} environment variables; without Kafka and S3 it runs on a local queue and folder.
 */
package dev.diffarm.farm.config;
