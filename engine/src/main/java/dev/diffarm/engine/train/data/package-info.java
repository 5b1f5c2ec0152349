/**
 * The training data pipeline as kohya-ss/sd-scripts runs it: datasets in kohya's folder layout or DreamBooth's
 * instance/class prompts, aspect-ratio buckets, resize and crop, flip, caption transforms, and a seeded, resumable
 * order of bucketed batches. The trainer's entry point is {@link dev.diffarm.engine.train.data.TrainingData}.
 *
 * <h2>From files to examples</h2>
 * <ol>
 *   <li>{@link dev.diffarm.engine.train.data.DatasetSpec} names the image folders ({@code kohya(..)}: repeat
 *       folders {@code 10_zwx person}, a reg folder of class images; {@code dreamBooth(..)}: instance and class
 *       prompts) and the allowed roots; {@link dev.diffarm.engine.train.data.DatasetScanner} lists the PNG, JPEG and
 *       WebP files in name order, reads captions ({@code img.txt} beside {@code img.png}) and sizes (headers only),
 *       and balances class images as kohya does. Every problem is an
 *       {@link dev.diffarm.engine.train.data.InvalidDatasetException} naming the file and the job field.</li>
 *   <li>{@link dev.diffarm.engine.train.data.Bucketing} assigns each image its bucket exactly as kohya's
 *       {@code BucketManager} (checked on every case of {@code sd-tiny/train-buckets.json}).</li>
 *   <li>{@link dev.diffarm.engine.train.data.EpochPlanner} (through {@code TrainingData.epoch}) orders each epoch
 *       into batches of one bucket each and makes the random choices (its class comment gives the draw order);
 *       {@link dev.diffarm.engine.train.data.DataCursor} (epoch, batch) is all a saved state needs to resume.</li>
 *   <li>{@code TrainingData.load} decodes an image, resizes it (OpenCV {@code INTER_AREA} when it shrinks both ways,
 *       else Pillow {@code LANCZOS}), centre-crops it to the bucket, mirrors it if planned, and gives float32
 *       [3, H, W] in [-1, 1] as torchvision's {@code ToTensor} + {@code Normalize([0.5], [0.5])}: for an image
 *       already at its bucket size the values equal the reference exactly.</li>
 *   <li>{@link dev.diffarm.engine.train.data.KohyaExamples} is what a training run takes: the plan's batches as
 *       {@link dev.diffarm.engine.train.TrainingExamples}, with every image's VAE latents (and its mirror image's, when
 *       flipping) encoded once up front; {@code TrainingData.instanceImages()} / {@code classImages()} split a
 *       DreamBooth dataset into the instance and class examples its method draws apart
 *       ({@code KohyaDataOptions.dreamBooth} makes both).</li>
 * </ol>
 *
 * <h2>How close the resizes are</h2>
 * Both resizes follow the libraries' algorithms (Pillow's fixed-point separable Lanczos-3, horizontal pass first;
 * OpenCV's area weights, its whole-number fast path and 2 x 2 rounding) and give the same 8-bit samples as Pillow
 * 9.4 and OpenCV 4.6: {@code ResizeReferenceTest} compares 11 resizes (integer, fractional, one-axis, up, down,
 * mixed) sample for sample, all equal; a one-off check at kohya's sizes (641x479 to 600x448 area, 200x150 to
 * 597x448 Lanczos) was equal too. Other versions of the libraries may round differently.
 *
 * <h2>Randomness</h2>
 * kohya draws with Python's {@code random}, reseeded with {@code seed + epoch} for each epoch; diffarm keeps that
 * structure but draws from PyTorch's CPU generator with torch's {@code randperm} and float64 uniform
 * ({@link dev.diffarm.engine.train.data.DataRandom}), so orders follow kohya's rules, not its exact values. The run's own generator gives only the VAE posterior samples
 * of the latent cache, before any other draw of the run ({@code KohyaExamples}' class comment).
 */
package dev.diffarm.engine.train.data;
