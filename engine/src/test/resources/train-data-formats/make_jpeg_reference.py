"""Makes the JPEG reference of ImageDecoderTest: run with Debian's python3 (python3-pil 9.4.0). photo.jpg is a
smooth synthetic picture saved by Pillow at quality 90 with 4:2:0 chroma subsampling (what cameras and most tools
write); photo-pil.png is Pillow's decoding of it, convert("RGB"), as kohya's load_image reads it."""
import numpy as np
from PIL import Image

yy, xx = np.mgrid[0:96, 0:128].astype(np.float64)
src = np.stack([127.5 + 127.5 * np.sin(xx / 9.0 + yy / 17.0), 127.5 + 127.5 * np.cos(xx * yy / 900.0),
                (xx * 2 + yy) % 256], axis=-1).astype(np.uint8)
Image.fromarray(src).save("photo.jpg", quality=90, subsampling=2)
Image.open("photo.jpg").convert("RGB").save("photo-pil.png")
