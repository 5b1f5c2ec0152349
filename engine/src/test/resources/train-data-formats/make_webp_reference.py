"""Makes the lossy WebP reference of ImageDecoderTest: run with Debian's python3 (python3-pil 9.4.0, libwebp 1.2.4).
photo.webp is photo-pil.png saved by Pillow as lossy WebP at quality 90; photo-webp-pil.png is Pillow's decoding
of it, convert("RGB"), as kohya's load_image reads it."""
from PIL import Image

Image.open("photo-pil.png").save("photo.webp", quality=90, lossless=False)
Image.open("photo.webp").convert("RGB").save("photo-webp-pil.png")
