/**
 * Reads an image's pixel size from the first bytes of its base64 data (PNG, GIF, WebP, JPEG), for
 * token estimates: vision models charge by area. Only a bounded prefix is decoded, so a 5 MB
 * screenshot costs microseconds; anything unrecognised answers undefined.
 */

export interface ImageDimensions {
  width: number;
  height: number;
}

/** 64 KiB of decoded bytes: past any realistic EXIF block before a JPEG's frame header. */
const prefixCharacters = 87_384;

export function imageDimensionsFromBase64(data: string): ImageDimensions | undefined {
  const bytes = Buffer.from(data.slice(0, prefixCharacters), "base64");
  if (bytes.length < 24) return undefined;
  if (bytes.readUInt32BE(0) === 0x89504e47) {
    return valid(bytes.readUInt32BE(16), bytes.readUInt32BE(20));
  }
  if (bytes.toString("latin1", 0, 4) === "GIF8") {
    return valid(bytes.readUInt16LE(6), bytes.readUInt16LE(8));
  }
  if (bytes.toString("latin1", 0, 4) === "RIFF" && bytes.toString("latin1", 8, 12) === "WEBP") {
    return webpDimensions(bytes);
  }
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return jpegDimensions(bytes);
  return undefined;
}

function webpDimensions(bytes: Buffer): ImageDimensions | undefined {
  if (bytes.length < 30) return undefined;
  const chunk = bytes.toString("latin1", 12, 16);
  if (chunk === "VP8 ") {
    return valid(bytes.readUInt16LE(26) & 0x3fff, bytes.readUInt16LE(28) & 0x3fff);
  }
  if (chunk === "VP8L") {
    const b1 = bytes[22] ?? 0;
    const b2 = bytes[23] ?? 0;
    const b3 = bytes[24] ?? 0;
    const width = 1 + (((b1 & 0x3f) << 8) | (bytes[21] ?? 0));
    const height = 1 + (((b3 & 0x0f) << 10) | (b2 << 2) | ((b1 & 0xc0) >> 6));
    return valid(width, height);
  }
  if (chunk === "VP8X") {
    return valid(1 + bytes.readUIntLE(24, 3), 1 + bytes.readUIntLE(27, 3));
  }
  return undefined;
}

/** Walks the JPEG segments to the first start-of-frame marker, which holds the size. */
function jpegDimensions(bytes: Buffer): ImageDimensions | undefined {
  let offset = 2;
  while (offset + 9 < bytes.length) {
    if (bytes[offset] !== 0xff) return undefined;
    const marker = bytes[offset + 1] ?? 0;
    if (marker === 0xff) {
      offset++; // fill byte
      continue;
    }
    const isStartOfFrame =
      marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isStartOfFrame) return valid(bytes.readUInt16BE(offset + 7), bytes.readUInt16BE(offset + 5));
    offset += 2 + bytes.readUInt16BE(offset + 2);
  }
  return undefined;
}

function valid(width: number, height: number): ImageDimensions | undefined {
  return width > 0 && height > 0 ? { width, height } : undefined;
}
