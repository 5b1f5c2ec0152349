"""Makes the references of ProcessorResolutionTest: run with Debian's python3 (python3-opencv 4.6.0, python3-pil,
python3-numpy). source.png is seeded noise with a smooth left part, 30x20; cubic-WxH.png is
cv2.resize(source, (W, H), interpolation=cv2.INTER_CUBIC); res-N.png is the picture sd-webui-controlnet's
resize_image_with_pad hands a preprocessor at processor_res N, its padding to 64 removed: both sides scaled by
N / min(H, W), rounded with np.round, INTER_CUBIC when that grows the picture, INTER_AREA otherwise."""
import numpy as np
import cv2
from PIL import Image

rng = np.random.default_rng(20261207)
src = rng.integers(0, 256, size=(20, 30, 3), dtype=np.uint8)
yy, xx = np.mgrid[0:20, 0:15]
src[:, :15, 0] = (xx * 17) % 256
src[:, :15, 1] = (yy * 13) % 256
src[:, :15, 2] = 255 - (xx * yy) % 256
Image.fromarray(src).save("source.png")
for w, h in [(45, 30), (31, 21), (64, 50), (97, 23), (30, 61), (300, 200)]:
    Image.fromarray(cv2.resize(src, (w, h), interpolation=cv2.INTER_CUBIC)).save(f"cubic-{w}x{h}.png")
for res in [13, 20, 33, 64]:
    k = float(res) / float(min(src.shape[0], src.shape[1]))
    interpolation = cv2.INTER_CUBIC if k > 1 else cv2.INTER_AREA
    h = int(np.round(float(src.shape[0]) * k))
    w = int(np.round(float(src.shape[1]) * k))
    Image.fromarray(cv2.resize(src, (w, h), interpolation=interpolation)).save(f"res-{res}.png")
# canny-res-N.png: the whole of the extension's canny at processor_res N, thresholds 100 and 200: the picture above,
# edge-padded to multiples of 64, cv2.Canny, the padding cut off again.
for res in [13, 33, 64, 100]:
    k = float(res) / float(min(src.shape[0], src.shape[1]))
    interpolation = cv2.INTER_CUBIC if k > 1 else cv2.INTER_AREA
    h = int(np.round(float(src.shape[0]) * k))
    w = int(np.round(float(src.shape[1]) * k))
    img = cv2.resize(src, (w, h), interpolation=interpolation)
    pad_h = int(np.ceil(float(h) / 64.0) * 64 - h)
    pad_w = int(np.ceil(float(w) / 64.0) * 64 - w)
    padded = np.pad(img, [[0, pad_h], [0, pad_w], [0, 0]], mode="edge")
    Image.fromarray(cv2.Canny(padded, 100, 200)[:h, :w]).save(f"canny-res-{res}.png")
