"""Makes the resize references of ResizeReferenceTest: run with Debian's python3 (python3-pil 9.4.0,
python3-opencv 4.6.0, python3-numpy). source.png is seeded noise; each area-*.png is
cv2.resize(source, (w, h), interpolation=cv2.INTER_AREA), each lanczos-*.png is
PIL.Image.resize((w, h), PIL.Image.LANCZOS), both as kohya's resize_image calls them."""
import numpy as np
import cv2
from PIL import Image

rng = np.random.default_rng(20261206)
src = rng.integers(0, 256, size=(40, 60, 3), dtype=np.uint8)
# smooth part on the left half so both noise and gradients are exercised
yy, xx = np.mgrid[0:40, 0:30]
src[:, :30, 0] = (xx * 8) % 256
src[:, :30, 1] = (yy * 6) % 256
Image.fromarray(src).save("source.png")
for w, h in [(30, 20), (20, 10), (15, 10), (23, 17), (60, 25), (7, 5)]:
    Image.fromarray(cv2.resize(src, (w, h), interpolation=cv2.INTER_AREA)).save(f"area-{w}x{h}.png")
for w, h in [(97, 61), (45, 70), (120, 80), (61, 40), (300, 13)]:
    Image.fromarray(src).resize((w, h), Image.LANCZOS).save(f"lanczos-{w}x{h}.png")
