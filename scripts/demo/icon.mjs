// Draws media/icon.png (128x128 RGBA): a trace waterfall (staggered span bars) on a dark rounded tile.
// Run: node scripts/demo/icon.mjs. Written with zlib only, so the icon is reproducible from source.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const SIZE = 128;
const px = new Uint8Array(SIZE * SIZE * 4);

function crc32(buf) {
  let c = ~0;
  for (const b of buf) { c ^= b; for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1)); }
  return ~c >>> 0;
}
function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}
/** Fills the pixels inside a rounded rectangle, anti-aliased by 4x4 supersampling at the corners. */
function roundRect(x0, y0, w, h, r, [R, G, B]) {
  for (let y = Math.floor(y0); y < Math.ceil(y0 + h); y++) {
    for (let x = Math.floor(x0); x < Math.ceil(x0 + w); x++) {
      let inside = 0;
      for (let sy = 0; sy < 4; sy++) {
        for (let sx = 0; sx < 4; sx++) {
          const px_ = x + (sx + 0.5) / 4, py = y + (sy + 0.5) / 4;
          const cx = Math.min(Math.max(px_, x0 + r), x0 + w - r), cy = Math.min(Math.max(py, y0 + r), y0 + h - r);
          if (px_ >= x0 && px_ <= x0 + w && py >= y0 && py <= y0 + h && (px_ - cx) ** 2 + (py - cy) ** 2 <= r * r) inside++;
        }
      }
      if (!inside || x < 0 || y < 0 || x >= SIZE || y >= SIZE) continue;
      const a = inside / 16, i = (y * SIZE + x) * 4;
      const da = px[i + 3] / 255, oa = a + da * (1 - a);
      const mix = (c, d) => Math.round((c * a + d * da * (1 - a)) / oa);
      px[i] = mix(R, px[i]); px[i + 1] = mix(G, px[i + 1]); px[i + 2] = mix(B, px[i + 2]); px[i + 3] = Math.round(oa * 255);
    }
  }
}

roundRect(4, 4, 120, 120, 22, [0x1e, 0x24, 0x33]);
// the waterfall: an invocation and its calls, the slow one in orange
const bars = [[18, 24, 92, [0x4f, 0xc3, 0xf7]], [26, 44, 30, [0x81, 0xc7, 0x84]], [58, 64, 52, [0xff, 0x98, 0x3b]], [62, 84, 22, [0x81, 0xc7, 0x84]], [88, 104, 18, [0x4f, 0xc3, 0xf7]]];
for (const [x, y, w, color] of bars) roundRect(x, y - 6, w, 12, 5, color);

const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let y = 0; y < SIZE; y++) Buffer.from(px.subarray(y * SIZE * 4, (y + 1) * SIZE * 4)).copy(raw, y * (SIZE * 4 + 1) + 1);
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(SIZE, 0); ihdr.writeUInt32BE(SIZE, 4); ihdr[8] = 8; ihdr[9] = 6;
const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
const out = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../media/icon.png');
fs.writeFileSync(out, png);
console.log(`${out}: ${png.length} bytes`);
