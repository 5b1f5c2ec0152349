/**
 * Tensor operations the host hands to plugins ({@link dev.diffarm.api.tensor.TensorOps}), so that a plugin's network
 * runs on the host's fast operators rather than DJL's plain ones. Added in plugin API 1.3.
 */
package dev.diffarm.api.tensor;
